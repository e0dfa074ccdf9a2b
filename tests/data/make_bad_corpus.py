"""Write the bad-input corpus under tests/data/bad/ (all synthetic; framework spbe2020) and
tests/data/bad_pemdi/ (framework pemdi2026, values with decimals).

Run from the repository root:  .venv/bin/python tests/data/make_bad_corpus.py
The committed files are the corpus; this script documents how each one was made.
`encrypted.xlsx` needs msoffcrypto-tool (not a project dependency): when it is not
installed the committed file is kept as it is.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook

import spbe_toolkit as spbe

OUT = Path(__file__).resolve().parent / "bad"
FW = spbe.load_framework("spbe2020")
CODES = FW.codes


def inst(name="Pemerintah Kabupaten Contoh (Sintetis)", **kw):
    base = {
        "instance": name,
        "instance_type": "Pemerintah Kabupaten",
        "province": "Jawa Barat",
        "year": 2025,
        "contact": "data sintetis",
    }
    base.update(kw)
    return base


def levels(default=3, **over):
    out = {c: {"level": default, "justification": "Sintetis."} for c in CODES}
    for code, value in over.items():
        out[code.lstrip("i")] = {"level": value, "justification": "Sintetis."}
    return out


def template(name, instance=None, lv=None, fw=FW):
    return spbe.write_template(OUT / name, fw, instance=instance or inst(), levels=lv if lv is not None else levels())


def long_csv(name, rows, header=("instance", "indicator", "level"), sep=",", encoding="utf-8", prefix=""):
    text = prefix + sep.join(header) + "\n" + "".join(sep.join(str(v) for v in r) + "\n" for r in rows)
    (OUT / name).write_bytes(text.encode(encoding))


def rows_for(instance, overrides=None, drop=(), extra=()):
    overrides = overrides or {}
    out = [(instance, c, overrides.get(c, 3)) for c in CODES if c not in drop]
    return out + list(extra)


def set_formula(path: Path, cell: str, formula: str, cached: str | None):
    """Turn a numeric cell into a formula cell, with or without a cached value (as Excel writes it)."""
    with zipfile.ZipFile(path) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    xml = items["xl/worksheets/sheet1.xml"].decode()
    pat = re.compile(rf'<c r="{cell}"([^>]*)>(?:<v>[^<]*</v>)?</c>|<c r="{cell}"([^>]*)/>')
    m = pat.search(xml)
    attrs = re.sub(r'\st="[^"]*"', "", m.group(1) or m.group(2) or "")
    value = f"<v>{cached}</v>" if cached is not None else ""
    xml = xml[: m.start()] + f'<c r="{cell}"{attrs}><f>{formula}</f>{value}</c>' + xml[m.end() :]
    items["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in items.items():
            zf.writestr(n, data)


def level_cell(path: Path, code: str) -> str:
    wb = load_workbook(path)
    ws = wb["Isian"]
    for row in ws.iter_rows(min_col=5, max_col=5):
        if row[0].value == code:
            return f"G{row[0].row}"
    raise KeyError(code)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # ---- good files beside the bad ones: they must still load
    template("good_template.xlsx", inst("Pemerintah Kota Baik (Sintetis)", instance_type="Pemerintah Kota"))
    long_csv("good_long.csv", rows_for("Badan Contoh Baik (Sintetis)"))

    # ---- level problems
    template("level_out_of_range.xlsx", inst("Kab. Rentang (Sintetis)"), levels(i5=7))
    template("level_decimal.xlsx", inst("Kab. Desimal (Sintetis)"), levels(i9=2.5))
    lv = levels()
    lv["12"] = {"level": None}
    template("level_empty.xlsx", inst("Kab. Kosong (Sintetis)"), lv)
    long_csv("level_text_tiga.csv", rows_for("Kab. Kata (Sintetis)", {"4": "tiga", "5": "Terdefinisi"}))
    long_csv(
        "level_text_with_name.csv",
        rows_for("Kab. Nama Tingkat (Sintetis)", {"3": "3 - Terdefinisi", "33": "3 - Optimalisasi"}),
    )
    long_csv("level_not_a_number.csv", rows_for("Kab. Bukan Angka (Sintetis)", {"7": "sudah", "8": "n/a"}))

    # ---- indicator problems
    long_csv(
        "missing_indicators.csv", rows_for("Kab. Kurang Indikator (Sintetis)", drop=[str(i) for i in range(40, 48)])
    )
    long_csv(
        "unknown_indicator.csv",
        rows_for(
            "Kab. Kode Asing (Sintetis)",
            extra=[("Kab. Kode Asing (Sintetis)", "48", 3), ("Kab. Kode Asing (Sintetis)", "X1", 2)],
        ),
    )
    long_csv("duplicate_indicator.csv", rows_for("Kab. Ganda (Sintetis)", extra=[("Kab. Ganda (Sintetis)", "12", 4)]))
    fw18 = spbe.load_framework("spbe2018")
    long_csv("wrong_framework_35_rows.csv", [("Kab. Kerangka Lama (Sintetis)", c, 3) for c in fw18.codes])
    spbe.write_template(
        OUT / "wrong_framework_template.xlsx",
        fw18,
        instance=inst("Kab. Templat 2018 (Sintetis)"),
        levels={c: {"level": 3} for c in fw18.codes},
    )

    # ---- instance block problems
    template("missing_instance_name.xlsx", inst(""))
    template("unknown_instance_type.xlsx", inst("Kab. Jenis Asing (Sintetis)", instance_type="Kecamatan"))
    template("instance_type_alias.xlsx", inst("Kab. Singkatan (Sintetis)", instance_type="Kab."))
    template("year_invalid.xlsx", inst("Kab. Tahun (Sintetis)", year="dua ribu"))
    template("duplicate_instance_a.xlsx", inst("Kab. Kembar (Sintetis)"))
    template("duplicate_instance_b.xlsx", inst("Kab. Kembar (Sintetis)"))

    # ---- layout problems
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Rekap penilaian mandiri (sintetis)"])
    ws.append(["Dicetak dari aplikasi lain"])
    ws.append([])
    ws.append([])
    ws.append(["Instance", "Indicator", "Level", "Justification", "Evidence", "Remarks"])
    for r in rows_for("Kab. Judul Bergeser (Sintetis)"):
        ws.append([*r, "Sintetis.", "", "x"])
    wb.save(OUT / "header_row_5_english.xlsx")

    p = template("extra_sheets.xlsx", inst("Kab. Lembar Tambahan (Sintetis)"))
    wb = load_workbook(p)
    wb.create_sheet("Catatan").append(["Catatan internal", "jangan dibaca"])
    wb.save(p)

    p = template("merged_cells.xlsx", inst("Kab. Sel Gabung (Sintetis)"))
    wb = load_workbook(p)
    ws = wb["Isian"]
    ws.protection.sheet = False
    c1 = level_cell(p, "12")  # merge the level cells of indicators 12 and 13
    r = int(c1[1:])
    ws.merge_cells(f"G{r}:G{r + 1}")
    wb.save(p)

    p = template("formulas.xlsx", inst("Kab. Rumus (Sintetis)"))
    set_formula(p, level_cell(p, "2"), "1+2", "3")
    set_formula(p, level_cell(p, "6"), "2+2", None)

    # ---- text encodings and separators
    rows = rows_for("Kab. Titik Koma (Sintetis)", {c: "3,0" for c in ["1", "2"]})
    long_csv("semicolon_decimal_comma.csv", rows, header=("instansi", "indikator", "tingkat"), sep=";")
    long_csv("utf8_bom.csv", rows_for("Kab. Penanda BOM Ñusantara (Sintetis)"), prefix="\ufeff")
    long_csv("windows1252.csv", rows_for("Kab. Pérez Ñandú (Sintetis)"), encoding="cp1252")
    (OUT / "empty.csv").write_bytes(b"")
    (OUT / "empty.xlsx").write_bytes(b"")
    (OUT / "no_header.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")

    # ---- broken workbooks
    (OUT / "not_a_spreadsheet.xlsx").write_text(
        "Ini bukan lembar kerja, hanya teks yang diberi nama .xlsx\n", encoding="utf-8"
    )
    good = (OUT / "good_template.xlsx").read_bytes()
    (OUT / "corrupt_truncated.xlsx").write_bytes(good[: len(good) // 2])
    try:
        from msoffcrypto.format.ooxml import OOXMLFile

        with (OUT / "good_template.xlsx").open("rb") as src, (OUT / "encrypted.xlsx").open("wb") as dst:
            OOXMLFile(src).encrypt("rahasia", dst)
    except ImportError:
        print("msoffcrypto-tool not installed: keeping the committed encrypted.xlsx")

    # ---- names that look like markup or paths are data, not instructions
    long_csv(
        "html_and_path_names.csv",
        rows_for('<script>alert("x")</script> Kab. Skrip (Sintetis)')
        + rows_for("../../etc/passwd Kab. Jalur (Sintetis)"),
    )

    # ---- wide and JSON formats with problems
    header = ["instansi", *CODES]
    cells = ["3"] * len(CODES)
    cells[CODES.index("10")] = "lima"
    cells[CODES.index("11")] = "6"
    (OUT / "wide_with_problems.csv").write_text(
        ",".join(header) + "\n" + ",".join(["Kab. Lebar (Sintetis)", *cells]) + "\n", encoding="utf-8"
    )
    (OUT / "bad_json.json").write_text('{"instance": "Kab. JSON Rusak (Sintetis)", "levels": [1, 2,', encoding="utf-8")
    sub = {
        "instance": {"name": "Kab. JSON (Sintetis)", "instance_type": "Pemerintah Kabupaten", "year": 2025},
        "levels": [{"indicator": c, "level": 3} for c in CODES],
    }
    sub["levels"][0]["level"] = 3.5
    (OUT / "json_levels_problems.json").write_text(json.dumps(sub, ensure_ascii=False, indent=1), encoding="utf-8")


PEMDI = spbe.load_framework("pemdi2026")
OUT_PEMDI = OUT.parent / "bad_pemdi"


def pemdi_rows(instance, overrides=None, drop=("5", "6", "7", "18")):
    """A Pemdi submission (decimal values with a decimal comma) leaving the externally fed indicators out."""
    overrides = overrides or {}
    return [(instance, c, overrides.get(c, "1,26")) for c in PEMDI.codes if c not in drop]


def pemdi_corpus() -> None:
    """Bad Pemdi inputs (framework pemdi2026, values with two decimals) under tests/data/bad_pemdi/."""
    OUT_PEMDI.mkdir(exist_ok=True)

    def csv(name, rows, header=("instansi", "indikator", "nilai")):
        text = ";".join(header) + "\n" + "".join(";".join(str(v) for v in r) + "\n" for r in rows)
        (OUT_PEMDI / name).write_text(text, encoding="utf-8")

    csv("baik_eksternal_kosong.csv", pemdi_rows("Kab. Eksternal Kosong (Sintetis)") + [
        ("Kab. Eksternal Kosong (Sintetis)", c, "") for c in ("5", "6", "7", "18")])  # fmt: skip
    csv("tiga_desimal.csv", pemdi_rows("Kab. Tiga Desimal (Sintetis)", {"3": "1,266"}))
    csv("di_bawah_satu.csv", pemdi_rows("Kab. Di Bawah Satu (Sintetis)", {"9": "0,99"}))
    csv("nama_tidak_cocok.csv", pemdi_rows("Kab. Nama Salah (Sintetis)", {"17": "2,50 - Rintisan"}))
    csv("wajib_kosong.csv", pemdi_rows("Kab. Wajib Kosong (Sintetis)", {"19": ""}))
    spbe.write_template(
        OUT_PEMDI / "templat_di_atas_lima.xlsx", PEMDI,
        instance={"instance": "Kab. Di Atas Lima (Sintetis)", "instance_type": "Pemerintah Kabupaten", "year": 2026},
        levels={c: {"level": 5.01 if c == "20" else 1.5} for c in PEMDI.codes if not PEMDI.is_external(c)},
    )  # fmt: skip
    doc = {"instance": "Kab. Teks (Sintetis)", "levels": [{"indicator": c, "level": 1.17} for c in PEMDI.codes]}
    doc["levels"][12]["level"] = "satu koma tujuh"
    (OUT_PEMDI / "nilai_teks.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
    pemdi_corpus()
