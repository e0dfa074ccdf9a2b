"""The synthetic sample round tells the truth: every evaluator note agrees with the change it explains."""

from __future__ import annotations

import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import read_final_levels, sample_paths
from spbe_toolkit.demo.samples import evaluator_note


@pytest.mark.parametrize("name", ["spbe2018", "spbe2020", "pemdi2026"])
def test_synthetic_notes_agree_with_their_level_change(name):
    folder, final_csv = sample_paths(name)
    own = spbe.read_submissions(folder, name, progress=False).levels.set_index(["instance", "indicator"])["level"]
    final = read_final_levels(final_csv)
    changed = 0
    fw = spbe.load_framework(name)
    if fw.decimals:  # Pemdi: the note states both values and the assessor's finding
        for r in final.itertuples(index=False):
            before = own[(r.instance, r.indicator)]
            if r.level == before:
                assert r.note == ""
                continue
            changed += 1
            shown = f"Nilai asesor {fw.format_value(r.level, 'id')} (mandiri {fw.format_value(before, 'id')}): "
            assert r.note == shown + r.finding
        assert changed > 100
        return
    for r in final.itertuples(index=False):
        before = int(own[(r.instance, r.indicator)])
        if r.level == before:
            assert r.note == ""
            continue
        changed += 1
        if r.level < before:
            assert r.note.startswith(f"Kriteria tingkat {before} belum terpenuhi") and f"tingkat {r.level}." in r.note
        else:
            assert r.note.startswith(f"Bukti dukung memenuhi kriteria tingkat {r.level}:")
    assert changed > 100


def test_a_lowered_policy_is_explained_with_the_policy_criterion():
    fw = spbe.load_framework("spbe2020")
    note = evaluator_note(fw, "1", 4, 3)
    assert note.startswith("Kriteria tingkat 4 belum terpenuhi") and "kebijakan internal Arsitektur SPBE" in note
    assert "Sesuai pedoman" not in note
