"""Property tests for scoring and predicates, for every framework."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spbe_toolkit as spbe

FRAMEWORKS = spbe.list_frameworks()


@st.composite
def framework_and_levels(draw):
    fw = spbe.load_framework(draw(st.sampled_from(FRAMEWORKS)))
    levels = draw(st.lists(st.integers(fw.level_min, fw.level_max), min_size=len(fw.codes), max_size=len(fw.codes)))
    return fw, levels


def _table(fw, levels, instance="X"):
    return pd.DataFrame({"instance": instance, "indicator": fw.codes, "level": levels})


@settings(max_examples=150, deadline=None)
@given(framework_and_levels())
def test_index_within_level_range(data):
    fw, levels = data
    out = spbe.score(_table(fw, levels), fw)
    value = out["index"].iat[0]
    assert fw.level_min <= value <= fw.level_max
    assert min(levels) <= value <= max(levels)
    for code in fw.domain_codes + fw.aspect_codes:
        assert fw.level_min <= out[code].iat[0] <= fw.level_max


@settings(max_examples=150, deadline=None)
@given(framework_and_levels(), st.data())
def test_raising_one_level_never_lowers_the_index(data, more):
    fw, levels = data
    i = more.draw(st.integers(0, len(levels) - 1))
    if levels[i] == fw.level_max:
        return
    raised = list(levels)
    raised[i] += 1
    both = pd.concat([_table(fw, levels, "before"), _table(fw, raised, "after")])
    out = spbe.score(both, fw)
    assert out.loc["after", "index"] > out.loc["before", "index"]
    rank = fw.predicates.index
    assert rank(out.loc["after", "predicate"]) >= rank(out.loc["before", "predicate"])


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_all_at_level_k_gives_k(name):
    fw = spbe.load_framework(name)
    tables = [_table(fw, [k] * len(fw.codes), f"k{k}") for k in fw.levels]
    out = spbe.score(pd.concat(tables), fw)
    for k in fw.levels:
        row = out.loc[f"k{k}"]
        assert row["index"] == k  # exactly, not approximately
        for code in fw.domain_codes + fw.aspect_codes:
            assert row[code] == k


@pytest.mark.parametrize("name", FRAMEWORKS)
@pytest.mark.parametrize("basis", ["exact", "rounded"])
def test_predicate_boundaries_exact(name, basis):
    fw = spbe.load_framework(name)
    for below, band in zip(fw.bands, fw.bands[1:]):
        assert spbe.predicate(band.lower, fw, basis) == band.predicate
        just_below = np.nextafter(band.lower, 0)
        expected_below = band.predicate if basis == "rounded" else below.predicate
        assert spbe.predicate(just_below, fw, basis) == expected_below
        assert spbe.predicate(band.lower - 0.0001, fw, "exact") == below.predicate
        assert spbe.predicate(band.lower - 0.006, fw, basis) == below.predicate
    assert spbe.predicate(float(fw.level_max), fw, basis) == fw.bands[-1].predicate
    assert spbe.predicate(float(fw.level_min), fw, basis) == fw.bands[0].predicate


def test_named_boundaries_2020():
    fw = spbe.load_framework("spbe2020")
    assert spbe.predicate(2.6, fw) == "Baik"
    assert spbe.predicate(2.5999999, fw) == "Cukup"
    assert spbe.predicate(5.0, fw) == "Memuaskan"


@settings(max_examples=100, deadline=None)
@given(st.floats(1.0, 5.0, allow_nan=False))
def test_rounded_basis_equals_exact_of_rounded_value(x):
    fw = spbe.load_framework("spbe2020")
    assert spbe.predicate(x, fw, "rounded") == spbe.predicate(spbe.round_half_up(x), fw, "exact")


@settings(max_examples=60, deadline=None)
@given(framework_and_levels(), st.permutations(range(47)))
def test_row_order_does_not_matter(data, perm):
    fw, levels = data
    t = _table(fw, levels)
    order = [p for p in perm if p < len(t)]
    a = spbe.score(t, fw)
    b = spbe.score(t.iloc[order], fw)
    pd.testing.assert_frame_equal(a, b)
