"""Everything written for people is safe to open: no live formula from outside text, no half
written file after a kill, no write through a planted symbolic link, no mathtext from names."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import spbe_toolkit as spbe
from spbe_toolkit.cli import main
from spbe_toolkit.demo import sample_paths, workspace_from_samples
from spbe_toolkit.io.writers import neutralise, write_csv, write_text, write_xlsx

HOSTILE_TEXTS = [
    "=1+1",
    '=HYPERLINK("http://example.invalid","klik")',
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def formula_cells(path: Path) -> list[str]:
    """Every formula element in every worksheet of an xlsx file (there must be none)."""
    with zipfile.ZipFile(path) as zf:
        return [
            m.group(0)
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.finditer(r"<(\w+:)?f[ >]", zf.read(name).decode("utf-8"))
        ]


def test_xlsx_text_stays_text(tmp_path):
    df = pd.DataFrame({"nama": HOSTILE_TEXTS, "nilai": range(len(HOSTILE_TEXTS))})
    path = write_xlsx({"Data": df}, tmp_path / "x.xlsx")
    assert formula_cells(path) == []
    read_back = pd.read_excel(path, sheet_name="Data", engine="calamine", keep_default_na=False)
    assert list(read_back["nama"]) == list(HOSTILE_TEXTS)  # every character kept (CR written as _x000D_)
    assert load_workbook(path)["Data"].cell(row=2, column=2).value == 0  # numbers stay numbers


def test_csv_cells_are_neutralised_unless_raw(tmp_path):
    df = pd.DataFrame({"nama": HOSTILE_TEXTS, "angka": [-1.5] * len(HOSTILE_TEXTS)})
    safe = pd.read_csv(write_csv(df, tmp_path / "a.csv"), keep_default_na=False)
    assert all(v.startswith("'") for v in safe["nama"]), list(safe["nama"])
    assert (safe["angka"] == -1.5).all()  # real numbers are not text: left alone
    raw = pd.read_csv(write_csv(df, tmp_path / "b.csv", raw=True), keep_default_na=False)
    assert raw["nama"].iat[0] == "=1+1"  # for programs that read the file back
    assert neutralise("Kota Bogor") == "Kota Bogor" and neutralise("=1") == "'=1"


@pytest.fixture
def hostile_ws(tmp_path):
    ws = workspace_from_samples(tmp_path / "w.sqlite", with_final=False)
    name = ws.instances().index[0]
    ws.adjust(name, "1", 1, stage="dokumen", evaluator='=HYPERLINK("x")', note="=1+1 catatan")
    yield ws
    ws.close()


def test_workspace_export_has_no_formulas(hostile_ws, tmp_path):
    (path,) = hostile_ws.export(tmp_path / "ekspor.xlsx")
    assert formula_cells(path) == []
    sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    assert "=1+1 catatan" in set(sheets["Riwayat Perubahan"]["Catatan"])
    for csv in hostile_ws.export(tmp_path / "ekspor.csv"):
        assert not re.search(r"(^|,)[=+@]", csv.read_text(encoding="utf-8"), re.M), csv


def test_cli_files_have_no_formulas(tmp_path, capsys):
    levels = tmp_path / "tingkat.csv"
    rows = [('=HYPERLINK("x")', str(i), 3) for i in range(1, 48)]
    pd.DataFrame(rows, columns=["instance", "indicator", "level"]).to_csv(levels, index=False)
    assert main(["score", str(levels), "-o", str(tmp_path / "skor.xlsx")]) == 0
    assert formula_cells(tmp_path / "skor.xlsx") == []
    bad = tmp_path / "masalah_in.csv"
    pd.DataFrame([("=1+1", "99", 3)], columns=["instansi", "indikator", "tingkat"]).to_csv(bad, index=False)
    assert main(["validate", str(bad), "--problems", str(tmp_path / "masalah.xlsx")]) == 1
    assert formula_cells(tmp_path / "masalah.xlsx") == []
    results = spbe.load_published("results_2024").head(40).copy()
    results["province"] = results["province"].astype(object)
    results.loc[results.index[:20], "province"] = "=1+1"
    results.loc[results.index[20:], "province"] = r"$\foo$"
    results.to_csv(tmp_path / "hasil.csv", index=False)
    code = main(["stats", str(tmp_path / "hasil.csv"), "--by", "province", "-o", str(tmp_path / "ringkasan.xlsx")])
    assert code == 0, capsys.readouterr().err
    assert formula_cells(tmp_path / "ringkasan.xlsx") == []
    assert len(pd.read_excel(tmp_path / "ringkasan.xlsx", sheet_name=None, engine="calamine")) >= 3  # charts drawn


def _user_framework(tmp_path, **renames) -> Path:
    from spbe_toolkit.frameworks import resolve_framework

    text, _ = resolve_framework("spbe2020")
    for old, new in renames.items():
        text = text.replace(f'name = "{old}"', f"name = '{new}'", 1)  # a TOML literal string: no escapes
    path = tmp_path / "kerangka.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_template_from_a_user_framework_has_no_formulas(tmp_path):
    fw = spbe.load_framework(_user_framework(tmp_path, **{"Kebijakan Internal SPBE": "=1+1"}))
    assert "=1+1" in set(fw.domains["name"])
    path = spbe.write_template(tmp_path / "templat.xlsx", fw)
    assert formula_cells(path) == []
    assert "=1+1 (bobot 13%)" in [c.value for c in load_workbook(path)["Isian"]["B"]]


def test_names_with_dollars_are_drawn_as_text(tmp_path):
    fw_path = _user_framework(tmp_path, **{"Kebijakan Internal Tata Kelola SPBE": r"$\foo$ aspek"})
    folder, _ = sample_paths("spbe2020")
    subs = spbe.read_submissions(folder, fw_path, progress=False)
    ws = spbe.Workspace.create(tmp_path / "w.sqlite", framework=fw_path)
    ws.import_submissions(subs)
    html = spbe.render_memo(ws, ws.instances().index[0])
    assert r"$\foo$ aspek" in html
    ws.close()


def test_a_killed_export_leaves_the_previous_file_whole(tmp_path):
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    target = tmp_path / "ekspor.xlsx"
    ws.export(target)
    ws.close()
    complete = set(pd.read_excel(target, sheet_name=None, engine="calamine"))
    code = textwrap.dedent(
        f"""
        import spbe_toolkit as spbe
        ws = spbe.Workspace.open({str(tmp_path / "w.sqlite")!r})
        print("ready", flush=True)
        while True:
            ws.export({str(target)!r})
        """
    )
    for delay in (0.05, 0.2, 0.45, 0.8):
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert set(pd.read_excel(target, sheet_name=None, engine="calamine")) == complete
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".ekspor.xlsx.")]
    assert len(leftovers) <= 4  # at most one temporary file per kill, never the real name


def test_planted_symlinks_are_refused(tmp_path):
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    outside = tmp_path / "di_luar.html"
    outside.write_text("asli", encoding="utf-8")
    memo_dir = tmp_path / "memo"
    memo_dir.mkdir()
    (memo_dir / "index.html").symlink_to(outside)
    with pytest.raises(spbe.SpbeError, match="tautan simbolik"):
        spbe.render_memos(ws, memo_dir, instances=list(ws.instances().index[:1]), workers=1, progress=False)
    assert outside.read_text(encoding="utf-8") == "asli"
    link = tmp_path / "ekspor.xlsx"
    link.symlink_to(outside)
    with pytest.raises(spbe.SpbeError, match="tautan simbolik"):
        ws.export(link)
    assert outside.read_text(encoding="utf-8") == "asli"
    ws.close()


def test_write_text_replaces_atomically_on_error(tmp_path, monkeypatch):
    target = tmp_path / "a.txt"
    write_text(target, "lama")
    import spbe_toolkit.io.writers as writers

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_text(target, "baru")
    assert target.read_text() == "lama" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
