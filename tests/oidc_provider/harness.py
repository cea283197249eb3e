"""Starting the test OpenID provider (provider.js, Node.js) and walking its sign-in pages the
way a browser would, for tests that drive the registry with Django's test client."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE = shutil.which("node")
CLIENT_ID = "governance"
CLIENT_SECRET = "test-client-secret-0123456789"  # the loopback test client
PASSWORDS = {
    "alice": "alice-password-1",
    "bob": "bob-password-12",
    "carol": "carol-password-1",
    "dave": "dave-password-12",
}
SKIP_REASON = "Node.js is not installed: the test OpenID provider cannot run"


def ensure_installed() -> None:
    """npm ci from the lock file (make oidc-provider), once per checkout."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            ["make", "--no-print-directory", "oidc-provider"], cwd=ROOT, check=True, timeout=600
        )


class TestProvider:
    def __init__(self, *, redirect_uris: list[str], post_logout_redirect_uris: list[str]):
        ensure_installed()
        config = {
            "port": 0,
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                    "post_logout_redirect_uris": post_logout_redirect_uris,
                }
            ],
        }
        self._config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        json.dump(config, self._config)
        self._config.close()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [NODE, str(HERE / "provider.js"), self._config.name],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            self._log.seek(0)
            raise RuntimeError(f"provider did not start: {line} {self._log.read()[-2000:]!r}")
        self.issuer = line.split()[1]

    def control(self, path: str, body: dict | None = None) -> dict:
        response = requests.post(f"{self.issuer}/test/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def sign(self, claims: dict) -> str:
        return self.control("sign", {"claims": claims})["token"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        Path(self._config.name).unlink(missing_ok=True)


class Browser:
    """The provider's side of a browser: its cookies (the provider's session) and its pages."""

    def __init__(self, provider: TestProvider):
        self.provider = provider
        self.session = requests.Session()
        self.last_login_form = False

    def sign_in(self, url: str, username: str, *, until: str, password: str | None = None) -> str:
        response = self.session.get(url, allow_redirects=False, timeout=10)
        for _ in range(10):
            if response.status_code in (302, 303):
                location = urljoin(self.provider.issuer, response.headers["Location"])
                if location.startswith(until):
                    return location
                response = self.session.get(location, allow_redirects=False, timeout=10)
                continue
            form = re.search(r'<form method="post" action="([^"]+)"', response.text)
            if response.status_code == 200 and form:
                self.last_login_form = True
                response = self.session.post(
                    urljoin(self.provider.issuer, form.group(1)),
                    data={"username": username, "password": password or PASSWORDS[username]},
                    allow_redirects=False,
                    timeout=10,
                )
                continue
            raise AssertionError(f"provider answered {response.status_code}: {response.text[:500]}")
        raise AssertionError("too many redirects")

    def log_out(self, url: str, *, until: str) -> str:
        """Open the provider's end-session page and confirm it."""
        page = self.session.get(url, allow_redirects=True, timeout=10)
        form = re.search(r'<form[^>]*id="op.logoutForm"[^>]*>.*?</form>', page.text, re.S)
        assert form, page.text[:500]
        action = re.search(r'action="([^"]+)"', form.group(0)).group(1)
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
        fields["logout"] = "yes"
        response = self.session.post(
            urljoin(self.provider.issuer, action), data=fields, allow_redirects=False, timeout=10
        )
        for _ in range(10):
            location = urljoin(self.provider.issuer, response.headers.get("Location", ""))
            if response.status_code in (302, 303) and location.startswith(until):
                return location
            if response.status_code not in (302, 303):
                raise AssertionError(f"logout answered {response.status_code}")
            response = self.session.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("too many redirects")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def path_and_query(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
