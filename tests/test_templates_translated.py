"""Every piece of visible text in a template goes through the translation machinery.

Each template is read with Django's own lexer. Text inside ``{% translate %}``,
``{% blocktranslate %}`` and comments is what translators see; everything else that a person
reads (text between tags, and the ``title``, ``aria-label``, ``placeholder``, ``alt`` and
button ``value`` attributes) must contain no word left in English. Words that are the same in
every language (file formats, standards, product names) are listed in ``NEUTRAL``.

A template listed in ``PENDING`` is known not to be translated yet: it is skipped, and the
test fails once it no longer needs to be listed, so the list only shrinks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Read by people, so translated: text nodes and these attributes.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}
BUTTON_INPUTS = {"submit", "button", "reset"}
# Elements whose content is not read as text.
SILENT = {"script", "style"}

# The same in English, French and German.
NEUTRAL = {
    "api",
    "csv",
    "pdf",
    "json",
    "jsonl",
    "xlsx",
    "url",
    "uri",
    "sha",
    "shap",
    "mlflow",
    "iso",
    "iec",
    "nist",
    "rmf",
    "raci",
    "eu",
    "ai",
    "ki",
    "ia",
    "id",
    "ids",
    "html",
    "http",
    "https",
    "totp",
    "oidc",
    "sso",
    "onnx",
    "skops",
    "xgboost",
    "lightgbm",
    "parquet",
    "gdpr",
    "rgpd",
    "dsgvo",
    "fria",
    "htmx",
    "utc",
    "ok",
    "hmac",
    "ed25519",
    "pem",
    "annex",
    "iv",
    "viii",
    "v",  # numerals and the Annex names printed beside translations
    "github",
    "gitlab",
    "python",
    "pip",
    "git",
    "s3",
    "etag",
    "png",
    "svg",
    "zip",
    "tpr",
    "fpr",
    "fnr",
    "tnr",
    "gov",
    "authorization",
    "bearer",
}
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
PLACEHOLDER = "\x00"

# Templates not translated yet. Remove a template from here when it is translated.
PENDING: set[str] = set()


def _untranslated_source(path: Path) -> str:
    """The template with every translated or dynamic part replaced by a placeholder."""
    parts: list[str] = []
    depth = 0  # inside blocktranslate / comment blocks
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in {"blocktranslate", "blocktrans", "comment"}:
                depth += 1
            elif name in {"endblocktranslate", "endblocktrans", "endcomment"}:
                depth -= 1
            parts.append(PLACEHOLDER)
        elif token.token_type == TokenType.TEXT and depth == 0:
            parts.append(token.contents)
        else:
            parts.append(PLACEHOLDER)
    return "".join(parts)


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w.lower() not in NEUTRAL]


class _ReadText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag, attrs):
        if tag in SILENT:
            self._silent += 1
        attributes = dict(attrs)
        for name, value in attrs:
            read = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and attributes.get("type") in BUTTON_INPUTS
            )
            if read and value and _words(value):
                self.found.append(f'<{tag} {name}="{value.strip()}">')

    def handle_endtag(self, tag):
        if tag in SILENT and self._silent:
            self._silent -= 1

    def handle_data(self, data):
        if not self._silent and _words(data):
            self.found.append(" ".join(data.split()))


def untranslated_text(path: Path) -> list[str]:
    parser = _ReadText()
    parser.feed(_untranslated_source(path))
    parser.close()
    return [text.replace(PLACEHOLDER, "…") for text in parser.found]


def _all_templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("name", _all_templates())
def test_template_text_is_translated(name):
    found = untranslated_text(TEMPLATES / name)
    if name in PENDING:
        assert found, f"{name} is translated now: remove it from PENDING"
        pytest.skip("not translated yet")
    assert not found, f"{name}: text shown untranslated: {found[:8]}"


def test_pending_templates_exist():
    assert set(_all_templates()) >= PENDING


def test_the_check_sees_english_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Models" %}</h1><p>Approved by {{ who }}</p>'
        '<button title="Open the file">{% translate "Open" %}</button>'
        "{% blocktranslate %}Signed by {{ who }}{% endblocktranslate %}"
        "<script>const label = 'ignored';</script>{# a comment #}",
        encoding="utf-8",
    )
    assert untranslated_text(page) == ["Approved by …", '<button title="Open the file">']
