"""One language per output: what people read (tables, widgets, CLI output and help, errors,
files) is Indonesian by default and English with ``lang="en"`` / ``--lang en``, with no word
of the other language. Names that are data (instances, types, provinces, predicates,
frameworks, files) are left out of the scan: they are the same in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit.cli import main
from spbe_toolkit.coaching import path_to_target
from spbe_toolkit.demo import sample_paths, workspace_from_samples
from spbe_toolkit.i18n import LANGS, catalog, labels, tr
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.published import load_published
from spbe_toolkit.stats import reconcile, reproduce_group_table_2024, reproduce_series, target_progress

BAD = Path(__file__).resolve().parent / "data" / "bad"

# words that exist in one language only (whole words, case-insensitive)
ENGLISH = {
    "the", "and", "of", "file", "files", "error", "errors", "warning", "warnings", "instance", "instances",
    "level", "levels", "loaded", "written", "summary", "problems", "problem", "self", "current", "stage", "true",
    "false", "yes", "mean", "share", "count", "row", "sheet", "message", "severity", "match", "differs",
    "published", "computed", "national", "group", "indicator", "indicators", "score", "scores", "usage",
    "options", "help", "required", "found", "reviewed", "changed", "open", "weights", "weight", "note", "time",
    "event", "saved", "reload", "type", "province", "year", "name", "gap", "rank", "spread", "lowest",
    "highest", "reached", "remark", "measure", "actual", "met", "regulation", "aspects", "bands", "better", "or",
}  # fmt: skip
INDONESIAN = {
    "yang", "dan", "berkas", "galat", "peringatan", "instansi", "tingkat", "indeks", "dimuat", "ditulis",
    "ringkasan", "masalah", "mandiri", "tahap", "ya", "tidak", "rata", "jumlah", "baris", "lembar", "pesan",
    "cocok", "berbeda", "publikasi", "nasional", "kelompok", "indikator", "penggunaan", "pilihan", "bantuan",
    "untuk", "dengan", "ditinjau", "berubah", "simpan", "tersimpan", "catatan", "tahun", "provinsi", "jenis",
    "bobot", "predikat", "capaian", "tercapai", "selisih", "ukuran", "keterangan", "kerangka", "regulasi",
    "waktu", "hasil", "akhir", "terkini", "penilaian", "sumber", "hitung", "ulang",
}  # fmt: skip
FOREIGN = {"id": ENGLISH, "en": INDONESIAN}


def _data_words() -> set[str]:
    """Text that is data, not interface: names of instances, types, provinces, predicates, frameworks."""
    words: set[str] = set()
    r = load_published("results_2024")
    for col in ("instance", "instance_type", "province", "category", "group", "report_group"):
        words |= set(r[col].dropna().astype(str))
    folder, _ = sample_paths("spbe2020")
    for source in (folder, BAD):
        subs = spbe.read_submissions(source, "spbe2020", progress=False)
        words |= set(subs.instances["instance"].dropna()) | set(subs.instances["province"].dropna())
        words |= set(subs.problems["sheet"].dropna())
    for name in spbe.list_frameworks():
        fw = spbe.load_framework(name)
        words |= set(fw.indicators["name"]) | set(fw.aspects["name"]) | set(fw.domains["name"])
        words |= {fw.title, fw.regulation, *fw.predicates}
        words |= {name for kind in fw.kinds.values() for name in kind.get("level_names", {}).values()}
    words |= {"Instansi Lainnya", "Pemerintah Daerah", "Instansi Pusat", "LNS dan Instansi Lainnya", "Nasional (all)"}
    return words


DATA = sorted(_data_words(), key=len, reverse=True)


def foreign_words(text: str, lang: str) -> set[str]:
    """Words of the other language in ``text`` once data names, paths and codes are removed."""
    for name in DATA:
        text = text.replace(name, " ")
    text = re.sub(r"\S*[/\\]\S*|\S+\.(csv|xlsx|json|html|sqlite)\b", " ", text)  # paths and file names
    text = re.sub(r"'[^'\n]*'", " ", text)  # quoted values are what the person wrote
    text = re.sub(r"--?[\w-]+|\{[^}]*\}|\b[a-z]+_[a-z_]+\b", " ", text)  # options, choices, field codes
    text = re.sub(r"(?m)^\s{2,}(frameworks|template|score|validate|stats|memo|samples|demo)\b", " ", text)  # commands
    words = {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}
    return words & FOREIGN[lang]


# columns whose values are what files and people wrote (names of files, sheets, instances, notes)
DATA_COLUMNS = {tr(f"column.{c}", lang) for c in ("file", "sheet", "instance", "name", "note", "evaluator", "units", "criterion", "evidence")
                for lang in LANGS}  # fmt: skip


def table_text(df: pd.DataFrame) -> str:
    shown = df.drop(columns=[c for c in df.columns if c in DATA_COLUMNS])
    return " | ".join(map(str, [*df.columns, *df.index.names])) + "\n" + shown.to_string()


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    w = workspace_from_samples(tmp_path_factory.mktemp("lang") / "w.sqlite")
    yield w
    w.close()


@pytest.fixture(scope="module")
def subs():
    return spbe.read_submissions(BAD, "spbe2020", progress=False)


def _tables(ws, subs, lang: str) -> dict[str, str]:
    series = load_published("national_series")
    r24 = load_published("results_2024")
    name = ws.instances().index[0]
    return {
        "problems": table_text(subs.problem_table(lang)),
        "files": table_text(subs.file_table(lang)),
        "instances": table_text(subs.instance_table(lang)),
        "scores": table_text(people_table(ws.scores(), lang)),
        "comparison": table_text(people_table(ws.score_comparison(name), lang)),
        "status": table_text(people_table(ws.status(), lang)),
        "history": table_text(people_table(ws.history(), lang)),
        "summary": table_text(people_table(spbe.national_summary(r24, by="group", total=True), lang)),
        "series": table_text(people_table(reproduce_series(), lang)),
        "groups": table_text(people_table(reproduce_group_table_2024(), lang)),
        "targets": table_text(people_table(target_progress(series, r24), lang)),
        "reconcile": table_text(
            people_table(
                reconcile(series, series.assign(national_index=3.0), on="year", measures=["national_index"]), lang
            )
        ),  # fmt: skip
        "path": table_text(people_table(path_to_target(ws.levels("current", name), ws.framework), lang))
        + str(path_to_target(ws.levels("current", name), ws.framework).attrs["message"].text(lang)),
        "damaged": table_text(people_table(r24[r24["damaged"]][["instance", "D1", "damage_note"]], lang)),
    }


@pytest.mark.parametrize("lang", LANGS)
def test_tables_for_people_speak_one_language(ws, subs, lang):
    for name, text in _tables(ws, subs, lang).items():
        assert not foreign_words(text, lang), (name, foreign_words(text, lang), text[:2000])


@pytest.mark.parametrize("lang", LANGS)
def test_widgets_speak_one_language(ws, lang):
    from spbe_toolkit.render.widgets import AdjustmentPanel, RoundOverview

    name = ws.instances().index[0]
    panel = AdjustmentPanel(ws, name, "Budi", "dokumen", lang=lang)
    row = next(iter(panel.rows.values()))
    row.note.value = ""
    row.level.value = 1 if row.self_level != 1 else 2  # refused: no note
    texts = [panel.header.value, row.status.value, row.note.placeholder, row.save.description, row.level.description]
    overview = RoundOverview(ws, evaluator="", lang=lang)
    overview.open_selected()  # nothing typed: says so
    texts.append(overview.message.value)
    overview.picker.value = "zzz"
    texts += [overview.matches.value, overview.message.value]
    overview.picker.value = name
    overview.open_selected()  # no evaluator name: says so
    texts += [overview.table.value, overview.message.value, overview.open_button.description, overview.shown.value,
              overview.refresh_button.description, overview.only_open.description, overview.mine.description,
              *[label for dd in (overview.stage, overview.sort, overview.stage_filter, overview.type_filter)
                for label, _ in dd.options]]  # fmt: skip
    text = re.sub(r"<[^>]+>", " ", "\n".join(texts))
    assert not foreign_words(text, lang), foreign_words(text, lang)


def _cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("lang", LANGS)
def test_cli_speaks_one_language(capsys, tmp_path, lang):
    folder, _ = sample_paths("spbe2020")
    runs = [
        ("validate", str(BAD), "--problems", str(tmp_path / "m.csv")),
        ("validate", str(folder)),
        ("score", str(BAD / "good_long.csv")),
        ("score", str(BAD / "level_not_a_number.csv")),
        ("score", "tidak-ada.csv"),
        ("stats", "results_2024", "--by", "group"),
        ("stats", "results_2024", "--year", "2019"),
        ("frameworks", "-v"),
        ("template", "-o", str(tmp_path / "t.xlsx")),
        ("--help",),
        ("validate", "--help"),
    ]
    for args in runs:
        try:
            code, text = _cli(capsys, "--lang", lang, *args)
        except SystemExit:  # --help
            text = capsys.readouterr().out
        assert not foreign_words(text, lang), (args, foreign_words(text, lang), text[:3000])
    written = (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert not foreign_words(written, lang), foreign_words(written, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_errors_speak_the_configured_language(lang):
    with spbe.use_language(lang):
        with pytest.raises(spbe.ValidationError) as exc:
            spbe.score(pd.DataFrame({"instance": ["A"], "indicator": ["1"], "level": [9]}), "spbe2020")
        assert not foreign_words(str(exc.value), lang)
    assert exc.value.pesan != exc.value.message and "tingkat" in exc.value.pesan and "level" in exc.value.message


def test_catalogue_is_complete_and_placeholders_agree():
    for key, (id_text, en_text) in catalog().items():
        assert id_text.strip() and en_text.strip(), key
        fields = [set(re.findall(r"\{(\w+)", t)) for t in (id_text, en_text)]
        assert fields[0] == fields[1], key
    assert labels("memo", "id").keys() == labels("memo", "en").keys()
    assert tr("column.severity", "id") == "Jenis masalah"  # not "Tingkat", which means level


def test_times_are_read_in_wib():
    from spbe_toolkit.i18n import date_text, time_text

    assert time_text("2026-11-29T03:27:37.629571+00:00", "id") == "29 November 2026 10.27 WIB"
    assert time_text("2026-11-29T03:27:37+00:00", "en") == "29 November 2026 10:27 WIB"
    assert date_text("2026-08-16T20:00:00+00:00", "id") == "17 Agustus 2026"


@pytest.mark.parametrize("lang", LANGS)
def test_reprs_and_team_tables_speak_one_language(ws, subs, lang, tmp_path):
    """What a notebook shows for the objects themselves, and the merge and appeal tables."""
    other = workspace_from_samples(tmp_path / "tim_b.sqlite")
    name = other.instances().index[0]
    own = other.self_assessment(name).set_index("indicator")["level"]
    other.adjust(name, "1", 1 if own["1"] != 1 else 2, stage="final", evaluator="Budi", note="lain")
    aid = other.record_appeal(name, "2", 4, argument="bukti baru", submitted_by="Humas")
    other.decide_appeal(aid, accepted=True, decided_by="Ketua Tim", reason="sah")
    with spbe.use_language(lang):
        report = other.merge(ws)  # the shared round stays as it is
        texts = {
            "framework": repr(ws.framework),
            "workspace": repr(other),
            "submissions": repr(subs),
            "merge": repr(report),
        }
    texts["conflicts"] = table_text(people_table(report.conflicts, lang))
    appeals = people_table(other.appeals(), lang)
    texts["appeals"] = table_text(appeals)
    other.close()
    for key, text in texts.items():
        assert not foreign_words(text, lang), (key, foreign_words(text, lang), text[:1500])
    assert "1.036,00" not in texts["appeals"] and not re.search(r"\d,00\b", texts["appeals"])
    # an appeal's own number is headed as such, not as an event's number
    assert list(appeals.columns[:1]) == [{"id": "No. sanggahan", "en": "Appeal no."}[lang]]
    assert ({"id": "No. peristiwa keputusan", "en": "Decision event no."}[lang]) in appeals.columns
