"""English pages show dates the British way (3 Dec 2026), as they did before French and German
were added; Django's plain "en" is American."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
