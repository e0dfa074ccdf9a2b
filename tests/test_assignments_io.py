"""The team lead's assignment sheet, as it really is: Indonesian headings, a DataFrame or a
file path (xlsx / csv), the template to fill in, and ``spbe assign``."""

from __future__ import annotations

import pandas as pd
import pytest

from spbe_toolkit.cli import main
from spbe_toolkit.errors import ValidationError
from spbe_toolkit.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    from spbe_toolkit.demo import workspace_from_samples

    w = workspace_from_samples(tmp_path / "putaran.sqlite", with_final=False)
    yield w
    w.close()


def _sheet(ws):
    names = list(ws.instances().index)
    return pd.DataFrame({"Instansi": names[:3], "Evaluator": ["Ani", "Budi", "Sari"], "Tim": ["Tim A"] * 3,
                         "Afiliasi": ["", "Universitas Contoh", ""]})  # fmt: skip


def test_indonesian_headings_from_a_dataframe_and_from_files(ws, tmp_path):
    sheet = _sheet(ws)
    assert ws.import_assignments(sheet, assigned_by="Ketua Tim") == 3
    a = ws.assignments().set_index("instance")
    assert a.at[sheet["Instansi"][1], "evaluator"] == "Budi" and a.at[sheet["Instansi"][1], "team"] == "Tim A"
    sheet.to_excel(tmp_path / "penugasan.xlsx", index=False)
    sheet.assign(Evaluator=["Dewi", "Eko", "Fajar"]).to_csv(tmp_path / "penugasan.csv", index=False)
    assert ws.import_assignments(tmp_path / "penugasan.xlsx", assigned_by="Ketua Tim") == 3
    assert ws.import_assignments(str(tmp_path / "penugasan.csv"), assigned_by="Ketua Tim") == 3
    assert {"Dewi", "Eko", "Fajar"} <= set(ws.assignments()["evaluator"])


def test_a_bad_row_is_named_as_the_spreadsheet_numbers_it_and_nothing_is_saved(ws, tmp_path):
    sheet = _sheet(ws)
    sheet.loc[2, "Instansi"] = "Kota Tidak Ada"
    sheet.to_excel(tmp_path / "salah.xlsx", index=False)
    with pytest.raises(ValidationError, match=r"[Bb]aris 4"):  # heading in row 1, the third data row is row 4
        ws.import_assignments(tmp_path / "salah.xlsx", assigned_by="Ketua Tim")
    with pytest.raises(ValidationError, match="Evaluator, Tim, Afiliasi"):
        ws.import_assignments(pd.DataFrame({"Nama Instansi": ["x"], "Petugas": ["y"]}), assigned_by="Ketua Tim")
    assert ws.assignments().empty


def test_the_template_and_the_cli(ws, tmp_path, capsys):
    path = ws.location
    ws.close()
    assert main(["assign", path, str(tmp_path / "templat.xlsx"), "--template"]) == 0
    template = pd.read_excel(tmp_path / "templat.xlsx", engine="calamine")
    assert list(template.columns) == ["Instansi", "Evaluator", "Tim", "Asal instansi"] and len(template) == 44
    template["Evaluator"] = "Ani"
    template.to_excel(tmp_path / "isi.xlsx", index=False)
    assert main(["assign", path, str(tmp_path / "isi.xlsx"), "--by", "Ketua Tim"]) == 0
    assert "44 penugasan tercatat" in capsys.readouterr().out
    again = Workspace.open(path)
    assert len(again.assignments()) == 44
    again.close()


def test_a_template_filled_in_part_records_the_rows_filled(ws, tmp_path, capsys):
    """A lead assigns a first batch: the template's other rows (the instance only) wait."""
    path = ws.location
    ws.close()
    assert main(["assign", path, str(tmp_path / "templat.xlsx"), "--template"]) == 0
    template = pd.read_excel(tmp_path / "templat.xlsx", engine="calamine").astype(object)
    template.loc[:3, "Evaluator"] = "Sri Wahyuni"
    template.loc[:3, "Tim"] = "Tim A"
    template.loc[10, "Tim"] = "Tim B"  # a team without an evaluator is a row started, not blank: refused
    template.to_excel(tmp_path / "separuh.xlsx", index=False)
    assert main(["assign", path, str(tmp_path / "separuh.xlsx"), "--by", "Ketua Tim"]) == 2
    assert "baris 12" in capsys.readouterr().err
    template.loc[10, "Tim"] = None
    template.to_excel(tmp_path / "separuh.xlsx", index=False)
    assert main(["assign", path, str(tmp_path / "separuh.xlsx"), "--by", "Ketua Tim"]) == 0
    assert "4 penugasan tercatat" in capsys.readouterr().out
    again = Workspace.open(path)
    assert len(again.assignments()) == 4 and len(again.my_instances("Sri Wahyuni")) == 4
    again.close()


def test_previous_results_from_a_published_indonesian_table(ws, tmp_path):
    names = list(ws.instances().index)[:2]
    path = tmp_path / "hasil_2024.csv"
    path.write_text("Instansi;Indeks;Predikat\n" + "\n".join(f"{n};3,45;Sangat Baik" for n in names) + "\n",
                    encoding="utf-8")  # fmt: skip
    ws.record_previous_results(path, year=2024, source="uji")
    prev = ws.previous_results()
    assert sorted(prev["index"].tolist()) == [3.45, 3.45] and set(prev["predicate"]) == {"Sangat Baik"}
    with pytest.raises(ValidationError, match="index"):
        ws.record_previous_results(pd.DataFrame({"Instansi": names, "Nilai akhir": [1, 2]}), year=2023)
