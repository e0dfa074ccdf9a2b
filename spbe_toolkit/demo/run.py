"""``spbe demo``: the main job end to end on the bundled synthetic sample."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from spbe_toolkit.demo.samples import read_final_levels, sample_letter_profile, sample_paths, workspace_from_samples
from spbe_toolkit.i18n import number, tr
from spbe_toolkit.i18n.tables import people_table, value_text
from spbe_toolkit.io.published import load_published
from spbe_toolkit.io.submissions import read_submissions
from spbe_toolkit.io.writers import write_csv
from spbe_toolkit.render.memo import render_memos
from spbe_toolkit.scoring import score
from spbe_toolkit.stats import national_summary, reproduce_series
from spbe_toolkit.vocab import SELF_STAGE

FRAMEWORK = "spbe2020"


def run_demo(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    folder, final_csv = sample_paths(FRAMEWORK)
    print(tr("demo.heading", None, fw=FRAMEWORK, folder=folder))
    subs = read_submissions(folder, FRAMEWORK, progress=False)
    print(tr("demo.loaded", None, summary=repr(subs)))
    self_scores = subs.score().droplevel("stage")
    final = read_final_levels(final_csv)
    final_scores = score(final[["instance", "indicator", "level"]], FRAMEWORK)
    table = pd.DataFrame(
        {
            "self_index": self_scores["index"],
            "final_index": final_scores["index"],
            "predicate": final_scores["predicate"].astype(object),
        }
    )
    table["gap"] = table["final_index"] - table["self_index"]
    table = table.sort_values("final_index", ascending=False)
    with pd.option_context("display.width", 160, "display.max_colwidth", 50):
        print(people_table(table.head(12)).to_string())
    print(tr("demo.means", None, n=len(table), self=number(table["self_index"].mean()),
             final=number(table["final_index"].mean())))  # fmt: skip
    dist = final_scores["predicate"].value_counts().reindex(final_scores["predicate"].cat.categories[::-1])
    print(tr("demo.distribution", None, counts=", ".join(f"{k} {v}" for k, v in dist.items())))
    path = write_csv(people_table(table, digits=None).reset_index(), out / "skor_sampel_sintetis.csv")
    print(tr("demo.scores_written", None, path=path.resolve()))
    memos(out)
    national()
    return 0


def memos(out: Path) -> None:
    """Build a workspace from the sample round and render its coaching memos."""
    ws_path = out / "putaran_contoh_sintetis.sqlite"
    for old in (ws_path, ws_path.with_name(ws_path.name + "-wal"), ws_path.with_name(ws_path.name + "-shm")):
        old.unlink(missing_ok=True)
    print("\n" + tr("demo.memo_heading"))
    t0 = time.perf_counter()
    with workspace_from_samples(ws_path, FRAMEWORK) as ws:
        paths = render_memos(ws, out / "memo", progress=False, letter=sample_letter_profile())
        numbers = ws.letters()["number"]
        kept = len(ws.recommendations())
    print(tr("demo.workspace", None, path=ws_path.resolve()))
    print(tr("demo.memos", None, n=len(paths), seconds=number(time.perf_counter() - t0, None, 1),
             index=(out / "memo" / "index.html").resolve()))  # fmt: skip
    print(tr("demo.letters", None, first=numbers.iat[0], last=numbers.iat[-1], profile=sample_letter_profile().name,
             recommendations=kept))  # fmt: skip
    pemdi_memos(out)


PEMDI_MEMOS = (0, 4, 12, 18)  # a ministry, an agency still awaiting its national-index values, a province, a regency


def pemdi_memos(out: Path) -> None:
    """A few memos of the synthetic Pemdi 2026 round: criteria are not yet public, and the memos say so."""
    ws_path = out / "putaran_pemdi_sintetis.sqlite"
    for old in (ws_path, ws_path.with_name(ws_path.name + "-wal"), ws_path.with_name(ws_path.name + "-shm")):
        old.unlink(missing_ok=True)
    print("\n" + tr("demo.pemdi_heading"))
    with workspace_from_samples(ws_path, "pemdi2026") as ws:
        fw = ws.framework
        own, cur = ws.scores(SELF_STAGE), ws.scores("current")
        waiting = int(cur["provisional"].ne("").sum())
        print(tr("demo.pemdi_round", None, n=len(cur), findings=len(ws.findings()), imported=len(cur) - waiting,
                 waiting=waiting))  # fmt: skip
        print(tr("demo.pemdi_columns", None, instance=tr("column.instance")))
        for name in list(cur.index[:6]):
            print(tr("demo.pemdi_row", None, instance=name[:44], self=fw.format_value(own.at[name, "index"]),
                     final=fw.format_value(cur.at[name, "index"]), level=fw.index_level_label(cur.at[name, "index"]),
                     predicate=cur.at[name, "predicate"], provisional=cur.at[name, "provisional"] or "—"))  # fmt: skip
        names = list(ws.instances().index[list(PEMDI_MEMOS)])
        paths = render_memos(ws, out / "memo_pemdi", instances=names, progress=False, letter=sample_letter_profile())
    print(tr("demo.pemdi_memos", None, n=len(paths), index=(out / "memo_pemdi" / "index.html").resolve()))


def national() -> None:
    """A short national summary from the published 2024 results (real data)."""
    print("\n" + tr("demo.national_heading"))
    r = load_published("results_2024")
    s = national_summary(r, by="group", total=True)
    for row in s.itertuples(index=False):
        print(tr("demo.national_row", None, group=f"{value_text('group', row.group):<20}", n=f"{row.n:<4}", mean=number(row.mean_index),
                 share=number(row.share_baik_or_better, None, 1), top=row.n_memuaskan, low=row.n_kurang))  # fmt: skip
    print(tr("demo.national_note"))
    ser = reproduce_series()
    last = ser.iloc[-1]
    print(tr("demo.series", None, year=int(last["year"]), published=number(last["published_index"]),
             recomputed=number(last["recomputed_index"], None, 4),
             all_match=tr("value.yes" if ser["flag"].str.startswith("match").all() else "value.no")))  # fmt: skip
