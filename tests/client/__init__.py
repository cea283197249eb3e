"""Tests of the Python client in client/.

This checkout's client goes first on the import path, even when another checkout's client
is installed in the environment.
"""

import sys
from pathlib import Path

CLIENT_DIR = Path(__file__).resolve().parents[2] / "client"
if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))
