"""The compiled catalogues (.mo, committed) say what their sources (.po) say.

Django reads only the .mo files; editing a .po without compiling it (`make messages`) would
ship the old translations. This reads both without msgfmt and compares them entry by entry,
and checks that every message of the French and German catalogues is translated, keeps its
placeholders and is not marked fuzzy."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ("fr", "de")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{\{ *[a-z_.]+ *\}\}")


def catalogue(language: str, suffix: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"django.{suffix}"


def entries(cat) -> dict[tuple[str | None, str], str]:
    """(context, message) to translation; the .po's untranslated and fuzzy entries are left
    out, as msgfmt leaves them out of the .mo."""
    out = {}
    for e in cat:
        text = e.msgstr or tuple(sorted((int(k), v) for k, v in e.msgstr_plural.items()))
        if e.msgid and text and "fuzzy" not in getattr(e, "flags", []):
            out[(e.msgctxt, e.msgid)] = text
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_matches_po(language):
    po = polib.pofile(str(catalogue(language, "po")))
    mo = polib.mofile(str(catalogue(language, "mo")))
    source, compiled = entries(po), entries(mo)
    stale = {k: v for k, v in source.items() if compiled.get(k) != v}
    extra = set(compiled) - set(source)
    assert not stale and not extra, (
        f"locale/{language}: the .mo differs from the .po in {len(stale)} entries "
        f"(e.g. {next(iter(stale), None)}) and has {len(extra)} the .po lacks; "
        "run `make messages`"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    po = polib.pofile(str(catalogue(language, "po")))
    assert len(po) > 500
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:5]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:5]
    for entry in po:
        for text in [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values():
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(text)), (
                entry.msgid
            )
    assert po.metadata["Language"] == language


def test_the_catalogues_hold_the_regulations_terms():
    """AI Act terms as the French and German texts of Regulation (EU) 2024/1689 use them."""
    fr = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue("fr", "po")))}
    de = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue("de", "po")))}
    assert fr["1.2 Provider"] == "1.2 Fournisseur" and de["1.2 Provider"] == "1.2 Anbieter"
    assert fr["1.1 Intended purpose"] == "1.1 Destination"
    assert de["1.1 Intended purpose"] == "1.1 Zweckbestimmung"
    assert fr["High risk"] == "Haut risque"
    short = (
        "This system is not high risk; the short version records the classification, the "
        "Art. 50 evidence, the model card and the"
    )
    assert "système d'IA à haut risque" in fr[short]
    assert "Hochrisiko-KI-System" in de[short]
    assert de["2.4 Human oversight (Art. 14)"] == "2.4 Menschliche Aufsicht (Art. 14)"
