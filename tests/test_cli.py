"""The spbe command: output, exit codes, and one-line errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from spbe_toolkit.cli import main
from spbe_toolkit.demo import sample_paths, workspace_from_samples

BAD = Path(__file__).resolve().parent / "data" / "bad"


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_frameworks(capsys):
    code, out, _ = run(capsys, "frameworks")
    assert code == 0
    assert "spbe2020" in out and "47" in out and "D4 45.5" in out and "pemdi2026" in out and "Bobot domain" in out


def test_score_prints_table_and_writes_exact_values(capsys, tmp_path):
    code, out, _ = run(
        capsys, "score", str(BAD / "good_long.csv"), "--framework", "spbe2020", "-o", str(tmp_path / "s.csv")
    )
    assert code == 0 and "Badan Contoh Baik (Sintetis)" in out and "3,00" in out and "Baik" in out
    assert pd.read_csv(tmp_path / "s.csv")["Indeks"].iat[0] == 3.0  # exact value, heading for people
    code, out, _ = run(capsys, "--lang", "en", "score", str(BAD / "good_long.csv"), "-o", str(tmp_path / "s.xlsx"))
    assert code == 0 and "3.00" in out and "Index" in out
    assert pd.read_excel(tmp_path / "s.xlsx", engine="calamine")["Index"].iat[0] == 3.0


def test_score_error_is_one_line_without_traceback(capsys):
    code, _out, err = run(capsys, "score", str(BAD / "level_not_a_number.csv"), "--framework", "spbe2020")
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith("spbe: galat: Tabel tingkat tidak sesuai dengan kerangka spbe2020")
    assert "Traceback" not in err and "'sudah': tingkat bukan angka" in err
    code, _out, err = run(capsys, "score", str(BAD / "level_not_a_number.csv"), "--lang", "en")
    assert code == 2 and err.startswith("spbe: error: levels table does not fit spbe2020")
    assert "'sudah': level is not a number" in err


def test_missing_file(capsys):
    code, _out, err = run(capsys, "score", "tidak-ada.csv")
    assert code == 2 and "tidak-ada.csv: berkas tidak ditemukan" in err


def test_validate_exit_codes_and_problem_file(capsys, tmp_path):
    folder, _ = sample_paths("spbe2020")
    code, out, _ = run(capsys, "validate", str(folder), "-f", "spbe2020")
    assert code == 0 and "44/44 instansi dimuat, 0 galat" in out
    code, out, _ = run(capsys, "validate", str(BAD), "-f", "spbe2020", "--problems", str(tmp_path / "m.csv"))
    assert code == 1 and "galat" in out and "Ringkasan per berkas" in out and "Jenis masalah" in out
    assert len(pd.read_csv(tmp_path / "m.csv")) > 25


def test_template(capsys, tmp_path):
    code, out, _ = run(capsys, "template", "--framework", "pemdi2026", "-o", str(tmp_path / "t.xlsx"))
    assert code == 0 and (tmp_path / "t.xlsx").stat().st_size > 5000


def test_stats(capsys, tmp_path):
    code, out, _ = run(capsys, "stats", "results_2024", "--by", "group", "-o", str(tmp_path / "r.xlsx"))
    assert code == 0 and "Instansi Pusat" in out and "615" in out
    sheets = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None, engine="calamine")
    assert "ringkasan" in sheets and len(sheets) >= 3
    code, _out, err = run(capsys, "stats", "results_2024", "--year", "2019")
    assert code == 2 and "Tidak ada hasil untuk tahun 2019" in err


def test_memo_command(capsys, tmp_path):
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    names = list(ws.instances().index[:2])
    ws.close()
    code, out, _ = run(
        capsys,
        "memo",
        str(tmp_path / "w.sqlite"),
        "--out",
        str(tmp_path / "m"),
        "--instance",
        names[0],
        "--instance",
        names[1],
        "--workers",
        "1",
    )
    assert code == 0 and "2 memo ditulis" in out
    assert len(list((tmp_path / "m").glob("*.html"))) == 3  # two memos and index.html


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"]])
def test_console_script_installed(args):
    res = subprocess.run([Path(sys.executable).with_name("spbe"), *args], capture_output=True, text=True)
    assert res.returncode == 0 and "penggunaan: spbe" in res.stdout
    res = subprocess.run(
        [Path(sys.executable).with_name("spbe"), *args, "--lang", "en"], capture_output=True, text=True
    )
    assert res.returncode == 0 and "usage: spbe" in res.stdout and "show this help" in res.stdout
