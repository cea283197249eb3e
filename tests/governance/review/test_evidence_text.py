"""Requirement reasons are written for people: thresholds read as bounds, not Python dicts."""

from governance.review.evaluation import describe_thresholds


def test_thresholds_read_as_bounds():
    text = describe_thresholds(
        {
            "demographic_parity_difference_max": 0.1,
            "disparate_impact_ratio_min": 0.8,
            "min_group_size": 30,
        }
    )
    assert text == (
        "demographic parity difference ≤ 0.1, disparate impact ratio ≥ 0.8, min group size 30"
    )
    assert "{" not in text and "_" not in text


def test_anything_else_is_shown_as_is():
    assert describe_thresholds(0.5) == "0.5"
