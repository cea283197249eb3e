"""Special categories in coded survey and clinical tables, and first names with few values.

Abbreviated names (``chcond``, ``relig``), yes/no columns named after a condition, ATC codes
and HIV status in values, test outcomes and dummies beside other data of their category,
and first-name columns with few distinct values. Each rule has its look-alikes that must
stay unflagged.
"""

from __future__ import annotations

import random

import pytest

from registry.inspection.pii.abbreviations import abbreviation_matches
from registry.inspection.pii.names import name_matches
from registry.inspection.pii.scan import scan_columns


def _found(columns: dict[str, list[object]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for hit in scan_columns(columns):
        found.setdefault(hit.column, set()).add(hit.category)
    return found


def _cycle(values: list[object], n: int = 60) -> list[object]:
    return [values[i % len(values)] for i in range(n)]


# --- abbreviated names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "category", "strong"),
    [
        ("relig", "religion", True),
        ("relig_attend", "religion", True),
        ("ethn", "racial_ethnic_origin", True),
        ("diab", "health", True),
        ("physlim", "health", True),
        ("disab", "health", True),
        ("polviews", "political_opinion", True),
        ("enferm", "health", True),
        ("chcond", "health", False),
        ("hscore", "health", False),
        ("badh", "health", False),
        ("hstat", "health", False),
    ],
)
def test_abbreviations_of_special_category_phrases(name: str, category: str, strong: bool) -> None:
    matches = {m.category: m for m in abbreviation_matches(name)}
    assert category in matches
    assert matches[category].strong is strong


@pytest.mark.parametrize(
    "name",
    ["height", "hsize", "home_score", "score", "reliability", "medi", "finger", "cancel",
     "deposit", "hyper", "depr", "diag", "proc", "prot", "age", "income", "pid", "sex"],
)  # fmt: skip
def test_names_that_abbreviate_nothing_special(name: str) -> None:
    assert abbreviation_matches(name) == ()


def test_a_strong_abbreviation_stands_alone_on_coded_values() -> None:
    found = _found({"relig": _cycle(["catholic", "none", "other", "jewish"]), "age": _cycle([30])})
    assert found == {"relig": {"religion"}}


def test_a_strong_abbreviation_over_nearly_unique_values_is_not_a_hit() -> None:
    assert _found({"diab": [f"{i * 1.37:.2f}" for i in range(60)]}) == {}


def test_a_weak_abbreviation_needs_the_same_category_elsewhere_in_the_table() -> None:
    scores = _cycle([0, 1, 5, 9, 12, 3, 2])
    assert _found({"hscore": scores, "illness": _cycle([0, 1, 2, 3])}) == {
        "hscore": {"health"},
        "illness": {"health"},
    }
    # A home team's score beside the away team's: no health data anywhere.
    assert _found({"hscore": scores, "ascore": _cycle([1, 0, 2, 4])}) == {}


def test_a_weak_abbreviation_with_a_whole_word_counts_on_yes_no_values() -> None:
    assert _found({"badh": _cycle([0, 1, 1, 0]), "numvisit": _cycle([1, 2, 3, 30])}) == {
        "badh": {"health"}
    }
    # The same name over a count is not a flag: without a witness it stays unflagged.
    assert _found({"badh": _cycle([0, 1, 2, 3, 4, 7]), "numvisit": _cycle([1, 2])}) == {}
    # "chcond" spells no whole word of "chronic condition": yes/no alone is not enough.
    assert _found({"chcond": _cycle(["yes", "no"]), "age": _cycle([20, 30])}) == {}


# --- yes/no columns named after a condition or a group -------------------------------------


def test_yes_no_columns_named_after_a_condition_or_a_group() -> None:
    flags = _cycle(["yes", "no", "no"])
    found = _found({"stroke": flags, "has_asthma": _cycle([0, 1]), "muslim": flags})
    assert found == {
        "stroke": {"health"},
        "has_asthma": {"health"},
        "muslim": {"religion"},
    }


def test_condition_words_over_other_values_are_not_flags() -> None:
    # A swimming stroke, and a "placebo" name is a trial arm (its own name rule decides).
    found = _found({"stroke": _cycle(["freestyle", "backstroke", "butterfly"])})
    assert found == {}
    # One 0/1 column per city in Italian regional data.
    assert _found({"roma": _cycle([0, 1, 0]), "milano": _cycle([1, 0, 0])}) == {}


# --- values ------------------------------------------------------------------------------


def test_atc_drug_codes_and_hiv_status_in_values() -> None:
    found = _found(
        {
            "drug": _cycle(["A10BA02", "C09AA05", "N02BE01", "C07AB02"]),
            "status": _cycle(["HIV+", "HIV-", "HIV-neg"]),
        }
    )
    assert found == {"drug": {"health"}, "status": {"health"}}


def test_part_numbers_of_one_series_are_not_atc_codes() -> None:
    assert _found({"part": _cycle(["A10BA02", "A12BB07", "A33CD11"])}) == {}


def test_values_naming_where_a_patient_was_seen() -> None:
    found = _found({"setting": _cycle(["inpatient", "outpatient", "day surgery"])})
    assert found == {"setting": {"health"}}


def test_test_outcomes_count_only_beside_health_data() -> None:
    outcomes = _cycle(["negative", "negative", "positive", "invalid"])
    assert _found({"result": outcomes, "diagnosis": _cycle(["asthma", "copd"])}) == {
        "result": {"health"},
        "diagnosis": {"health"},
    }
    # Sentiment labels in a review table.
    assert _found({"result": outcomes, "review": _cycle(["great", "bad"])}) == {}


def test_ethnic_dummies_written_out_or_negated() -> None:
    found = _found(
        {
            "whitemom": _cycle(["white", "not white"]),
            "nwhite": _cycle([0, 1, 0]),
            "black": _cycle(["yes", "no"]),
        }
    )
    assert found == {
        "whitemom": {"racial_ethnic_origin"},
        "nwhite": {"racial_ethnic_origin"},
        "black": {"racial_ethnic_origin"},
    }
    # A colour with more than two values is no dummy.
    assert _found({"black": _cycle(["matte", "gloss", "satin"])}) == {}


def test_party_dummies_need_a_vote_in_the_table() -> None:
    dummies = {"dem": _cycle([0, 1, 1]), "rep": _cycle([1, 0, 0])}
    with_vote = _found({**dummies, "vote": _cycle(["Clinton", "Bush", "Perot"])})
    assert with_vote["dem"] == {"political_opinion"}
    assert with_vote["rep"] == {"political_opinion"}
    # A terrain model and a repetition count.
    assert _found({**dummies, "slope": _cycle([3, 5, 8])}) == {}


def test_clinical_scores_with_a_perioperative_prefix() -> None:
    found = _found(
        {
            "preOp_asa": _cycle([1, 2, 3]),
            "preOp_smoking": _cycle([1, 2, 3]),
            "pacu30min_throatPain": _cycle([0, 2, 5]),
            "extubation_cough": _cycle([0, 1, 2, 3]),
        }
    )
    assert all(categories == {"health"} for categories in found.values())
    assert set(found) == {"preOp_asa", "preOp_smoking", "pacu30min_throatPain", "extubation_cough"}
    # "asa" in a table without health data is not an anaesthesia class.
    assert _found({"preOp_asa": _cycle([1, 2, 3]), "price": _cycle([3, 4])}) == {}


def test_a_year_glued_to_a_special_word_names_the_same_thing() -> None:
    assert {m.category for m in name_matches("hiv2004")} == {"health"}
    assert {m.category for m in name_matches("race1")} == {"racial_ethnic_origin"}
    # Not for direct identifiers: "tel1" may be anything.
    assert name_matches("tel1") == []


def test_a_short_number_is_no_card_number_whatever_the_name() -> None:
    assert _found({"pan_day": list(range(4, 64))}) == {}
    assert _found({"pan": ["4111111111111111", "5500005555555559"] * 10}) == {
        "pan": {"payment_card"}
    }


# --- first names with few distinct values ------------------------------------------------


def test_first_names_with_few_distinct_values_under_a_name_column() -> None:
    rng = random.Random(7)
    names = ["Allison", "Kristen", "Lakisha", "Jamal", "Greg", "Emily", "Tamika", "Brad"]
    assert _found({"name": [rng.choice(names) for _ in range(200)]}) == {"name": {"person_name"}}
    assert _found({"name": ["John", "Mary", "Bob", "John", "Mary"]}) == {"name": {"person_name"}}


def test_few_repeated_values_that_are_not_given_names_stay_unflagged() -> None:
    rng = random.Random(7)
    # Family names that are colours, two given names only, and no name hint at all.
    assert (
        _found({"name": [rng.choice(["Green", "White", "Brown", "Black"]) for _ in range(200)]})
        == {}
    )
    assert _found({"name": ["John", "John", "John", "Mary", "Mary"]}) == {}
    flowers = [rng.choice(["Rose", "Violet", "Lily", "Daisy"]) for _ in range(200)]
    assert _found({"flower": flowers}) == {}
