"""PII as it comes: any casing, accents or none, split names, free text, seven languages."""

from __future__ import annotations

import pytest
from faker import Faker

from registry.inspection.pii import scan_columns
from registry.inspection.pii.people import is_listed_name

ROWS = 150


def categories(columns: dict[str, list]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {name: set() for name in columns}
    for hit in scan_columns(columns):
        found[hit.column].add(hit.category)
    return found


@pytest.mark.parametrize("locale", ["es_ES", "de_DE", "fr_FR", "it_IT", "pt_BR", "nl_NL", "pl_PL"])
@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_split_names_in_any_casing_without_a_name_hint(locale: str, case) -> None:
    fake = Faker(locale)
    fake.seed_instance(3)
    columns = {
        "c1": [case(fake.first_name()) for _ in range(ROWS)],
        "c2": [case(fake.last_name()) for _ in range(ROWS)],
        "c3": [str(fake.random_int(1, 10**6)) for _ in range(ROWS)],
    }
    assert categories(columns) == {"c1": {"person_name"}, "c2": {"person_name"}, "c3": set()}


def test_accents_or_none_are_the_same_name() -> None:
    for text in ("José Hernández", "jose hernandez", "JOSÉ HERNÁNDEZ", "Jose Hernandez"):
        assert is_listed_name(text), text


def test_ordinary_lower_case_words_are_not_names() -> None:
    fake = Faker("en_US")
    fake.seed_instance(5)
    columns = {
        "colour": [fake.color_name().lower() for _ in range(ROWS)],
        "city": [fake.city().lower() for _ in range(ROWS)],
        "word": [fake.word() for _ in range(ROWS)],
        "status": [fake.random_element(["active", "inactive", "pending"]) for _ in range(ROWS)],
        "product": [f"{fake.word()} {fake.word()} pro" for _ in range(ROWS)],
        "sentence": [fake.sentence().lower() for _ in range(ROWS)],
        "job": [fake.job().lower() for _ in range(ROWS)],
        "car": ["chevrolet chevelle malibu", "ford torino", "amc rebel sst", "buick skylark 320",
                "plymouth satellite", "dodge challenger se"] * 25,
    }  # fmt: skip
    assert categories(columns) == {name: set() for name in columns}


def test_personal_data_inside_free_text() -> None:
    fake = Faker("en_GB")
    fake.seed_instance(11)
    notes, tickets, plain = [], [], []
    for _ in range(ROWS):
        notes.append(
            f"Spoke to {fake.name().lower()} about the order, reply to {fake.email()} "
            f"or call {fake.phone_number()}."
        )
        tickets.append(
            f"Refund to IBAN {fake.iban()} requested; card {fake.credit_card_number()} "
            f"was charged twice from {fake.ipv4()}."
        )
        plain.append(fake.paragraph())
    found = categories({"notes": notes, "ticket": tickets, "description": plain})
    assert found["notes"] == {"person_name", "email", "phone"}
    assert found["ticket"] == {"iban", "payment_card", "ip_address"}
    assert found["description"] == set()


def test_one_mention_in_free_text_does_not_flag_the_column() -> None:
    fake = Faker("en_US")
    fake.seed_instance(2)
    texts = [fake.paragraph() for _ in range(ROWS)]
    texts[3] += " Write to someone@example.org."
    assert categories({"comment": texts})["comment"] == set()


@pytest.mark.parametrize(
    ("column", "category"),
    [
        ("date_de_naissance", "date_of_birth"), ("Geburtsdatum", "date_of_birth"),
        ("fecha_de_nacimiento", "date_of_birth"), ("data_di_nascita", "date_of_birth"),
        ("data_nascimento", "date_of_birth"), ("geboortedatum", "date_of_birth"),
        ("Telefonnummer", "phone"), ("telefoonnummer", "phone"), ("telemóvel", "phone"),
        ("morada", "postal_address"), ("endereço", "postal_address"), ("adres", "postal_address"),
        ("numéro_sécurité_sociale", "national_id"), ("rekeningnummer", "iban"),
        ("religião", "religion"), ("godsdienst", "religion"), ("Konfession", "religion"),
        ("raça_cor", "racial_ethnic_origin"), ("etnia", "racial_ethnic_origin"),
        ("Vorerkrankung", "health"), ("malattia", "health"), ("doença", "health"),
        ("gruppo_sanguigno", "health"), ("orientación_sexual", "sex_life_orientation"),
        ("partito_votato", "political_opinion"), ("partij", "political_opinion"),
        ("vakbond", "union_membership"), ("adhésion_syndicale", "union_membership"),
        ("Fingerabdruck", "biometric"), ("empreinte_digitale", "biometric"),
        ("genética", "genetic"),
    ],
)  # fmt: skip
def test_column_names_in_seven_languages(column: str, category: str) -> None:
    assert category in categories({column: []})[column]


@pytest.mark.parametrize(
    ("values", "category"),
    [
        (["católica", "evangélica", "espírita", "sem religião", "umbanda"], "religion"),
        (["katholiek", "protestants", "moslim", "joods", "geen religie"], "religion"),
        (["hétérosexuel", "homosexuel", "bisexuel", "lesbienne"], "sex_life_orientation"),
        (["Bluthochdruck", "Diabetes", "Asthma", "keine", "Herzinsuffizienz"], "health"),
        (["PSOE", "Partido Popular", "Vox", "Podemos", "Sumar"], "political_opinion"),
        (["CGT", "CFDT", "CGIL", "UGT", "ver.di"], "union_membership"),
        (["parda", "branca", "preta", "indígena", "amarela"], "racial_ethnic_origin"),
        (["A+", "O-", "AB+", "B-", "0+"], "health"),
    ],
)
def test_special_categories_by_values_under_neutral_names(values, category) -> None:
    column = [values[i % len(values)] for i in range(60)]
    assert categories({"q7": column})["q7"] == {category}


def test_school_grades_are_not_blood_groups() -> None:
    grades = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C"] * 10
    assert categories({"grade": grades})["grade"] == set()
