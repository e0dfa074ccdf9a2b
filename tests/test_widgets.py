"""Widget callbacks, exercised without a browser by setting widget values."""

from __future__ import annotations

import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths
from spbe_toolkit.render.widgets import AdjustmentPanel, RoundOverview
from spbe_toolkit.workspace import Workspace


@pytest.fixture
def ws(round_location):
    """Three instances of the sample round, once on each store (the widgets only use the contract)."""
    folder, _ = sample_paths("spbe2020")
    files = sorted(folder.glob("*.xlsx"))[:3]
    w = Workspace.create(round_location, framework="spbe2020", year=2024)
    w.import_submissions(spbe.read_submissions(files, "spbe2020"))
    yield w
    w.close()


def _panel(ws, **kw):
    name = ws.instances().index[0]
    return AdjustmentPanel(ws, name, kw.pop("evaluator", "Budi"), kw.pop("stage", "dokumen"))


def _other(level):
    return level - 1 if level > 1 else level + 1


def test_panel_structure(ws):
    p = _panel(ws)
    assert len(p.rows) == 47
    assert len(p.accordion.children) == 4
    assert [p.accordion.get_title(i)[:2] for i in range(4)] == ["D1", "D2", "D3", "D4"]
    row = p.rows["32"]
    assert row.level.options[2] == ("3 — Transaksi", 3)
    assert p.rows["1"].level.options[0] == ("1 — Rintisan", 1)
    assert "Mandiri" in p.header.value and "Terkini" in p.header.value and "D4" in p.header.value


def test_level_change_without_note_is_refused_and_shown(ws):
    p = _panel(ws)
    row = p.rows["11"]
    new = _other(row.self_level)
    row.level.value = new
    assert "Pilihan belum disimpan" in row.status.value and ws.history().empty  # a choice is only pending
    row.save.click()
    assert "Belum tersimpan" in row.status.value and "catatan alasan wajib" in row.status.value
    assert ws.history().empty
    assert "≠ mandiri" in row.marker.value  # the choice is visible though not saved


def test_level_change_with_note_saves_and_updates_header(ws):
    p = _panel(ws)
    row = p.rows["21"]
    before = p.header.value
    new = _other(row.self_level)
    row.note.value = "Bukti penerapan manajemen risiko belum lengkap."
    row.level.value = new
    row.save.click()
    assert "Tersimpan" in row.status.value
    h = ws.history()
    assert (
        len(h) == 1 and h["level"].iat[0] == new and h["evaluator"].iat[0] == "Budi" and h["stage"].iat[0] == "dokumen"
    )
    assert p.header.value != before
    cur = ws.scores("current", p.instance)["index"].iat[0]
    assert f"{cur:.2f}".replace(".", ",") in p.header.value  # Indonesian decimal comma
    assert "1 indikator berbeda" in p.header.value


def test_save_button_retries_after_note(ws):
    p = _panel(ws)
    row = p.rows["40"]
    row.level.value = _other(row.self_level)
    assert ws.history().empty
    row.note.value = "Layanan akuntabilitas kinerja belum terintegrasi."
    row.save.click()
    assert len(ws.history()) == 1 and "Tersimpan" in row.status.value


def test_conflict_reloads_the_fresh_level(ws):
    p = _panel(ws)
    row = p.rows["5"]
    seen = row.saved_level
    other_level = _other(seen)
    ws.adjust(p.instance, "5", other_level, stage="dokumen", evaluator="Sari", note="diubah rekan")
    row.note.value = "saya juga mengubah"
    row.level.value = 5 if seen != 5 and other_level != 5 else 1 if other_level != 1 and seen != 1 else 3
    row.save.click()
    assert "diubah oleh Sari" in row.status.value
    assert row.level.value == other_level and row.saved_level == other_level
    assert len(ws.history()) == 1


def test_names_and_notes_are_escaped(tmp_path):
    lv = pd.DataFrame(
        {"instance": '<script>alert("x")</script>', "indicator": spbe.load_framework("spbe2020").codes, "level": 3}
    )
    lv["justification"] = "<img src=x onerror=alert(1)>"
    path = tmp_path / "s.csv"
    lv.to_csv(path, index=False)
    w = Workspace.create(tmp_path / "x.sqlite", framework="spbe2020")
    w.import_submissions(spbe.read_submissions(path, "spbe2020"))
    p = AdjustmentPanel(w, '<script>alert("x")</script>', "Budi")
    assert "<script>" not in p.header.value and "&lt;script&gt;" in p.header.value
    texts = " ".join(
        child.value for child in p.rows["1"].box.children if hasattr(child, "value") and isinstance(child.value, str)
    )
    assert "<img" not in texts and "&lt;img" in texts
    w.close()


def test_round_overview_opens_panel(ws):
    o = RoundOverview(ws)
    assert o.table.value.count("<tr>") == 1 + 3
    assert len(o.picker.options) == 3
    assert o.open_selected() is None and "Ketik nama instansi" in o.message.value
    o.picker.value = o.picker.options[0]
    assert o.open_selected() is None and "nama evaluator" in o.message.value
    o.evaluator.value = "Budi"
    panel = o.open_selected()
    assert isinstance(panel, AdjustmentPanel) and panel.instance == o.picker.value


# --------------------------------------------------------------------------- revert and notes done right
def test_note_box_is_cleared_and_a_revert_never_reuses_the_old_reason(ws):
    p = _panel(ws)
    row = p.rows["22"]
    lowered = _other(row.self_level)
    row.note.value = "Laporan pemantauan semester II tidak dilampirkan."
    row.level.value = lowered
    row.save.click()
    assert "Tersimpan" in row.status.value
    assert row.note.value == "" and "Laporan pemantauan semester II" in row.saved_note.value
    row.level.value = row.self_level  # back to the self-assessed level: no stale reason travels along
    row.save.click()
    h = ws.history(p.instance)
    assert h["level"].tolist() == [lowered, row.self_level] and h["note"].iat[-1] == ""
    current = ws.levels("current", p.instance).set_index("indicator").at["22", "note"]
    assert current == ""  # the memo prints the note of the event that set the current level


def test_revert_button_fills_a_default_note(ws):
    p = _panel(ws)
    row = p.rows["23"]
    row.note.value = "Belum sesuai pedoman."
    row.level.value = _other(row.self_level)
    row.save.click()
    row.revert.click()
    h = ws.history(p.instance)
    assert h["level"].iat[-1] == row.self_level and h["note"].iat[-1].startswith("Dikembalikan dari tingkat")
    assert row.level.value == row.self_level


def test_amending_only_the_note_is_not_a_level_change(ws):
    p = _panel(ws)
    row = p.rows["24"]
    row.note.value = "Alasan pertama."
    row.level.value = _other(row.self_level)
    row.save.click()
    row.note.value = "Alasan yang diperjelas: dokumen B tidak ditandatangani."
    row.save.click()
    h = ws.history(p.instance)
    assert len(h) == 2 and h["from_level"].iat[-1] == h["level"].iat[-1]
    assert "Catatan diperbarui" in row.status.value and "tingkat tidak berubah" in row.status.value


def test_note_and_level_in_either_order(ws):
    p = _panel(ws)
    row = p.rows["25"]
    new = _other(row.self_level)
    row.level.value = new  # level first: pending; Simpan without a note is refused, still pending
    row.save.click()
    assert "Tulis catatan, lalu klik Simpan" in row.status.value and row.level.value == new
    row.note.value = "Kompetensi belum tersertifikasi."
    row.save.click()
    assert ws.history(p.instance)["level"].tolist() == [new]


def test_a_conflict_puts_the_selector_back_and_history_shows_events(ws):
    p = _panel(ws)
    row = p.rows["26"]
    ws.adjust(p.instance, "26", _other(row.self_level), stage="dokumen", evaluator="Sari", note="oleh Sari")
    row.note.value = "oleh Budi"
    row.level.value = row.self_level + 1 if row.self_level < 5 else row.self_level - 2
    row.save.click()
    assert "⚠" in row.status.value and row.level.value == _other(row.self_level)
    row.history_button.value = True
    assert "oleh Sari" in row.history.value and "Sari" in row.history.value


def test_the_overview_refreshes_itself_after_a_save(ws):
    ov = RoundOverview(ws, evaluator="Budi")
    ov.picker.value = ws.instances().index[0]
    panel = ov.open_selected()
    before = ov.table.value
    row = panel.rows["27"]
    row.note.value = "x"
    row.level.value = _other(row.self_level)
    row.save.click()
    assert ov.table.value != before  # no "Muat ulang" needed


def test_overview_shows_my_instances(ws):
    names = list(ws.instances().index)
    ws.assign(names[1], "Budi", assigned_by="Ketua")
    ov = RoundOverview(ws, evaluator="Budi")
    assert list(ov.picker.options) and len(ov.picker.options) == 3
    ov.mine.value = True
    assert list(ov.picker.options) == [names[1]]


# --------------------------------------------------------------------------- search, filters, sort, lazy rows
def test_search_by_part_of_the_name_initials_or_alias(ws):
    names = list(ws.instances().index)
    ov = RoundOverview(ws, evaluator="Budi", aliases={"K-007": names[2]})
    target = names[1]
    ov.picker.value = target.split()[1][:4].lower()  # part of the second word, lower case
    assert target in ov.candidates() and target in ov.picker.options
    words = [w for w in target.split() if not w.startswith("(")]
    ov.picker.value = "".join(w[0] for w in words)  # the initials, like an acronym
    assert ov.candidates()[0] == target
    ov.picker.value = "k-007"
    assert ov.selected() == names[2]
    panel = ov.open_selected()
    assert panel is not None and panel.instance == names[2]
    ov.picker.value = "tidak ada yang bernama begini"
    assert ov.open_selected() is None and "Tidak ada instansi yang cocok" in ov.message.value


def test_workspace_search_uses_registry_acronyms_and_codes(tmp_path):
    from spbe_toolkit.io.names import search_names

    names = ["Badan Nasional Sertifikasi Profesi", "Pemerintah Kab. Bekasi", "Kota Bekasi", "Kota Bogor"]
    assert search_names("BNSP", names) == ["Badan Nasional Sertifikasi Profesi"]
    assert search_names("4305", names) == ["Badan Nasional Sertifikasi Profesi"]  # registry code
    assert search_names("pemkab bekasi", names) == ["Pemerintah Kab. Bekasi"]
    assert search_names("bekasi", names) == ["Pemerintah Kab. Bekasi", "Kota Bekasi"]
    assert search_names("kota bog", names) == ["Kota Bogor"]
    assert search_names("xyz", names) == []


def test_overview_filters_and_sorts(ws):
    names = list(ws.instances().index)
    ov = RoundOverview(ws, evaluator="Budi")
    types = [v for _l, v in ov.type_filter.options[1:]]
    assert types and set(types) == set(ws.instances()["instance_type"].dropna())
    ov.type_filter.value = types[0]
    expected = set(ws.instances().index[ws.instances()["instance_type"] == types[0]])
    assert set(ov.filtered_status().index) == expected and set(ov.picker.options) == expected
    assert f"{len(expected)} dari 3" in ov.shown.value
    ov.type_filter.value = ""
    ws.accept_remaining(names[0], stage="dokumen", evaluator="Budi")
    ov.refresh()
    ov.only_open.value = True
    assert names[0] not in ov.filtered_status().index and len(ov.filtered_status()) == 2
    ov.only_open.value = False
    ov.stage_filter.value = "dokumen"
    assert list(ov.filtered_status().index) == [names[0]]
    ov.stage_filter.value = ""
    ov.sort.value = "index_high"
    idx = ov.filtered_status()["index"].tolist()
    assert idx == sorted(idx, reverse=True)
    ov.sort.value = "name"
    assert list(ov.filtered_status().index) == sorted(names, key=str.casefold)
    assert (
        "Tahap dicapai" in ov.stage_filter.description
        and "dokumen" not in ov.table.value.split("<tbody>")[1].split(names[0])[1].split("</tr>")[0]
    )  # stage labels, not codes


def test_panel_builds_rows_only_when_a_section_opens(ws):
    p = _panel(ws)
    assert p.rows.built == 0 and all(not box.children for box, _ in p._sections)
    p.open_section(0)
    first = p.rows.built
    assert 0 < first < 47 and p.accordion.selected_index == 0
    assert p._sections[0][0].children
    p.accordion.selected_index = 1  # what a click on a section title does
    assert p.rows.built > first


def test_a_save_redraws_only_its_row_and_it_matches_a_full_reload(ws):
    ov = RoundOverview(ws, evaluator="Budi")
    ov.picker.value = ws.instances().index[1]
    panel = ov.open_selected()
    row = panel.rows["30"]
    row.note.value = "x"
    row.level.value = _other(row.self_level)
    assert ov.status_table().equals(RoundOverview(ws).status_table())
    assert ws.status(instance=panel.instance).equals(ws.status().loc[[panel.instance]])


# --------------------------------------------------------------------------- entry that saves only what was chosen
def test_stepping_through_levels_saves_nothing_until_simpan(ws):
    """ArrowUp twice on the selector (4 → 3 → 2) once saved the in-between 3 and emptied the note."""
    p = _panel(ws)
    row = p.rows["30"]
    start = row.saved_level
    row.note.value = "Dokumen tidak ditandatangani."
    steps = [lv for lv in (start - 1, start - 2) if lv >= 1] or [start + 1, start + 2]
    for lv in steps:  # what arrow keys do: every step a new value
        row.level.value = lv
        assert "Pilihan belum disimpan" in row.status.value
    assert ws.history().empty and row.note.value == "Dokumen tidak ditandatangani."
    row.save.click()
    h = ws.history(p.instance)
    assert h["level"].tolist() == [steps[-1]] and h["note"].tolist() == ["Dokumen tidak ditandatangani."]
    row.level.value = start  # another choice: pending again; then back to what is saved: nothing pending
    assert "Pilihan belum disimpan" in row.status.value
    row.level.value = row.saved_level
    assert row.status.value == "" and len(ws.history(p.instance)) == 1


def test_undo_my_change_goes_back_to_the_previous_level_not_the_self_assessment(ws):
    p = _panel(ws)
    row = p.rows["31"]
    first, second = [lv for lv in range(1, 6) if lv != row.self_level][:2]
    for lv, why in ((first, "pertama"), (second, "kedua")):
        row.note.value = why
        row.level.value = lv
        row.save.click()
    assert row.undo.click() is None and row.saved_level == first and row.level.value == first
    h = ws.history(p.instance)
    assert h["level"].tolist() == [first, second, first] and h["note"].iat[-1].startswith("Membatalkan perubahan saya")
    ws.adjust(p.instance, "31", second, stage="dokumen", evaluator="Sari", note="oleh Sari")
    other = AdjustmentPanel(ws, p.instance, "Budi", "dokumen")
    other.rows["31"].undo.click()  # the latest change is Sari's: Budi has nothing of his to undo
    assert "bukan milik Anda" in other.rows["31"].status.value and len(ws.history(p.instance)) == 4
    assert row.revert.description == "Kembalikan ke penilaian mandiri"


def test_enter_in_the_search_box_opens_the_single_match(ws):
    ov = RoundOverview(ws, evaluator="Budi")
    target = ws.instances().index[1]
    ov.picker.value = target.split()[1][:5].lower()
    assert ov.candidates() == [target]
    ov._on_picker_message(ov.picker, {"event": "submit"}, [])  # what the browser sends on Enter
    assert ov.panel is not None and ov.panel.instance == target


def test_an_unassigned_instance_is_hidden_by_my_instances_not_missing(ws):
    names = list(ws.instances().index)
    ws.assign(names[1], "Budi", assigned_by="Ketua")
    ov = RoundOverview(ws, evaluator="Budi")
    ov.mine.value = True
    ov.picker.value = names[2].split()[1][:5].lower()  # part of its name (the whole name opens it anyway)
    assert "tidak ditugaskan kepada Budi" in ov.matches.value and "Tidak ada instansi" not in ov.matches.value
    assert ov.open_selected() is None and "matikan «Instansi saya»" in ov.message.value
    ov.picker.value = "tidak ada yang bernama begini"
    assert "Tidak ada instansi yang cocok" in ov.matches.value


def test_behind_jupyterhub_the_app_records_the_hubs_user(tmp_path, monkeypatch):
    """On a file round behind JupyterHub the hub's authenticated user is the name: no name is
    asked, and a save carries it whatever the page's name box says."""
    from spbe_toolkit.demo import workspace_from_samples
    from spbe_toolkit.render.app import EvaluatorApp

    path = tmp_path / "putaran.sqlite"
    workspace_from_samples(path, with_final=False).close()
    monkeypatch.setenv("JUPYTERHUB_USER", "sari.ui")
    app = EvaluatorApp(str(path))
    try:
        assert app.identity == "sari.ui" and app.overview is not None and app.overview.who() == "sari.ui"
        app.overview.evaluator.value = "Ketua Tim"  # a page that re-enables the box and types
        app.overview.picker.value = app.ws.instances().index[0]
        panel = app.overview.open_selected()
        row = panel.rows["1"]
        row.note.value = "dari hub"
        row.level.value = 1 if row.saved_level != 1 else 2
        row.save.click()
        assert app.ws.history()["evaluator"].tolist() == ["sari.ui"]
    finally:
        app.ws.close()
