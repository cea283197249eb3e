"""Column names that abbreviate a special-category phrase: ``chcond``, ``hscore``, ``relig``.

Survey codebooks shorten their variable names by keeping the first letters of each word:
``chcond`` is a "chronic condition", ``hscore`` a "health score", ``badh`` "bad health",
``relig`` "religion". A name matches a phrase of ``ABBREVIATED_PHRASES`` when it splits into
segments that are prefixes of the phrase's successive words, every content word covered
(``of``, ``de`` and the like may be skipped).

Short prefixes are ambiguous ("h" is health, home or height), so a match is graded:

* ``strong``: the phrase's headword (marked ``*`` in the vocabulary, the word that carries
  the category) is matched by at least ``HEADWORD_MIN_LETTERS`` letters, every other word by
  at least two, and a one-word phrase by a prefix of at least ``max(4, half the word)``
  letters, or as many as a ``.`` in the vocabulary's word marks (``medic.ine``: "medi" is
  a median as often; ``fingerprint.``: "finger" is a length). A strong match stands on its
  own, at a lower confidence than a full name.
* ``weak``: everything else that still covers the phrase with at least four letters and
  one segment of three. A weak match counts only when something else corroborates it: the
  same table holds other data of the same category, or the column is a yes/no flag and the
  name spells a whole word of the phrase ("bad" in ``badh``). ``scan_columns`` checks that.

Pure: no Django, no third-party libraries. Names are compared in ``normalise_column_name``
form with the separators removed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from .lexicons import ABBREVIATED_PHRASES, ABBREVIATION_SKIPPED_WORDS
from .normalise import normalise_column_name

#: Letters the headword's segment needs for a match to stand on its own.
HEADWORD_MIN_LETTERS = 3


#: A name shorter than this (letters) is not read as an abbreviation at all.
MIN_NAME_LETTERS = 4


@dataclass(frozen=True)
class AbbreviationMatch:
    category: str
    phrase: str
    strong: bool
    #: The name spells at least one of the phrase's words in full ("bad" in ``badh``).
    whole_word: bool


@dataclass(frozen=True)
class _Phrase:
    category: str
    text: str
    words: tuple[str, ...]
    headword: int
    #: Per word, the shortest prefix that counts when the phrase is that one word (0: the
    #: default, half the word and at least four letters).
    shortest: tuple[int, ...]


@functools.cache
def _phrases() -> tuple[_Phrase, ...]:
    phrases = []
    for category, entries in ABBREVIATED_PHRASES.items():
        for entry in entries:
            raw = [w.lstrip("*") for w in entry.split()]
            headword = next((i for i, w in enumerate(entry.split()) if w.startswith("*")), 0)
            shortest = tuple(w.index(".") if "." in w else 0 for w in raw)
            words = tuple(normalise_column_name(w).replace("_", "") for w in raw)
            text = " ".join(words)
            phrases.append(_Phrase(category, text, words, headword, shortest))
    return tuple(phrases)


def _segmentations(letters: str, words: tuple[str, ...]) -> list[tuple[int, ...]]:
    """Every way ``letters`` splits into prefixes of successive ``words``.

    Returns per word the number of letters its segment took (0: a skipped small word).
    """
    results: list[tuple[int, ...]] = []

    def walk(position: int, index: int, taken: tuple[int, ...]) -> None:
        if index == len(words):
            if position == len(letters):
                results.append(taken)
            return
        word = words[index]
        if word in ABBREVIATION_SKIPPED_WORDS:
            walk(position, index + 1, (*taken, 0))
        longest = min(len(word), len(letters) - position)
        for length in range(longest, 0, -1):
            if letters[position : position + length] == word[:length]:
                walk(position + length, index + 1, (*taken, length))

    walk(0, 0, ())
    return results


def _grade(phrase: _Phrase, taken: tuple[int, ...]) -> tuple[bool, bool] | None:
    """(strong, whole_word) for one segmentation, or None when it is too thin to count."""
    content = [i for i, w in enumerate(phrase.words) if w not in ABBREVIATION_SKIPPED_WORDS]
    if any(taken[i] == 0 for i in content):
        return None
    if max(taken) < 3:
        return None
    whole_word = any(taken[i] == len(phrase.words[i]) and taken[i] >= 3 for i in content)
    if len(content) == 1:
        word = phrase.words[content[0]]
        needed = phrase.shortest[content[0]] or max(4, math.ceil(len(word) / 2))
        return (True, whole_word) if taken[content[0]] >= needed else None
    head = taken[phrase.headword]
    others = [taken[i] for i in content if i != phrase.headword]
    strong = head >= HEADWORD_MIN_LETTERS and all(n >= 2 for n in others)
    return strong, whole_word


@functools.lru_cache(maxsize=4096)
def abbreviation_matches(column: str) -> tuple[AbbreviationMatch, ...]:
    """The special-category phrases ``column`` abbreviates, the strongest per category."""
    norm = normalise_column_name(column)
    letters = "".join(ch for ch in norm if ch.isalpha())
    if len(letters) < MIN_NAME_LETTERS or any(ch.isdigit() for ch in norm.replace("_", "")[:1]):
        return ()
    best: dict[str, AbbreviationMatch] = {}
    for phrase in _phrases():
        if letters[0] != phrase.words[0][0] and phrase.words[0] not in ABBREVIATION_SKIPPED_WORDS:
            continue
        for taken in _segmentations(letters, phrase.words):
            graded = _grade(phrase, taken)
            if graded is None:
                continue
            strong, whole_word = graded
            match = AbbreviationMatch(phrase.category, phrase.text, strong, whole_word)
            previous = best.get(phrase.category)
            if previous is None or (strong, whole_word) > (previous.strong, previous.whole_word):
                best[phrase.category] = match
    return tuple(best.values())
