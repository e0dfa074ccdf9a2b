"""The ``spbe`` command: frameworks | template | validate | score | samples | demo (and more).

Errors print one clear line (plus the listed problems, if any) and exit with status 2;
``spbe validate`` exits 1 when the submissions hold errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from spbe_toolkit.errors import SpbeError


def _print_table(df: pd.DataFrame, max_rows: int = 60) -> None:
    with pd.option_context("display.max_rows", max_rows, "display.width", 160, "display.max_colwidth", 70):
        print(df.to_string(max_rows=max_rows))


def _format_scores(scores: pd.DataFrame) -> pd.DataFrame:
    out = scores.copy()
    num = out.select_dtypes("number").columns
    out[num] = out[num].map(lambda v: f"{v:.2f}" if pd.notna(v) else "")
    return out


def cmd_frameworks(args) -> int:
    from spbe_toolkit.frameworks import list_frameworks, load_framework

    rows = [load_framework(n).summary() for n in list_frameworks()]
    df = pd.DataFrame(rows).set_index("name")
    if args.verbose:
        for name, row in df.iterrows():
            print(f"{name}: {row['regulation']}")
            for k in ("domains", "aspects", "indicators", "levels", "bands", "domain_weights", "aspect_weights"):
                print(f"  {k:15} {row[k]}")
    else:
        _print_table(df[["domains", "aspects", "indicators", "levels", "bands", "domain_weights"]])
    return 0


def cmd_template(args) -> int:
    from spbe_toolkit.templates import write_template

    out = write_template(args.output, args.framework)
    print(f"Templat {args.framework} ditulis ke {out}")
    return 0


def _read_levels_table(path: str) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise SpbeError(f"{path}: file not found")
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(p, engine="calamine", dtype={"indicator": str}, keep_default_na=False, na_values=[""])
    # only truly empty cells are missing: "n/a" or "-" must reach the validator as text
    return pd.read_csv(
        p, sep=None, engine="python", dtype={"indicator": str}, comment="#", keep_default_na=False, na_values=[""]
    )


def cmd_score(args) -> int:
    from spbe_toolkit.scoring import score

    levels = _read_levels_table(args.levels)
    scores = score(levels, args.framework, predicate_basis=args.basis, allow_missing=args.allow_missing)
    _print_table(_format_scores(scores))
    if args.output:
        out = Path(args.output)
        if out.suffix.lower() == ".xlsx":
            scores.to_excel(out)
        else:
            scores.to_csv(out)
        print(f"\nHasil (nilai utuh, tanpa pembulatan) ditulis ke {out}")
    return 0


def cmd_validate(args) -> int:
    from spbe_toolkit.submissions import read_submissions

    subs = read_submissions(args.paths, args.framework, engine=args.engine)
    if len(subs.files) == 0:
        raise SpbeError("no submission files found in " + ", ".join(args.paths))
    files = subs.files.copy()
    files["file"] = files["file"].map(lambda f: str(Path(f)))
    print("Ringkasan per berkas / per-file summary:")
    _print_table(files[["file", "format", "n_instances", "status", "errors", "warnings"]], max_rows=200)
    n_err = int((subs.problems["severity"] == "error").sum())
    n_warn = int((subs.problems["severity"] == "warning").sum())
    if len(subs.problems):
        print("\nMasalah / problems:")
        table = subs.problem_table("en" if args.lang == "en" else "id")
        _print_table(table, max_rows=args.max_rows)
    loaded = int(subs.instances["loaded"].sum()) if len(subs.instances) else 0
    print(
        f"\n{len(subs.files)} berkas, {loaded}/{len(subs.instances)} instansi dimuat, "
        f"{n_err} galat, {n_warn} peringatan."
    )
    if args.problems:
        out = subs.write_problems(args.problems)
        print(f"Daftar masalah ditulis ke {out}")
    return 1 if n_err else 0


def _load_results(source: str) -> pd.DataFrame:
    from spbe_toolkit.published import NAMES, load_published

    if source in NAMES:
        return load_published(source)
    p = Path(source)
    if not p.is_file():
        raise SpbeError(f"{source}: no such file and not a published table ({', '.join(NAMES)})")
    if p.suffix.lower() in (".sqlite", ".db", ".spbe"):
        from spbe_toolkit.stats import results_table
        from spbe_toolkit.workspace import Workspace

        with Workspace.open(p) as ws:
            return results_table(ws)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(p, engine="calamine")
    return pd.read_csv(p, sep=None, engine="python", comment="#")


def cmd_stats(args) -> int:
    from spbe_toolkit import plots
    from spbe_toolkit.stats import national_summary

    results = _load_results(args.results)
    if args.year is not None:
        if "year" not in results.columns:
            raise SpbeError("--year given but the results have no 'year' column")
        results = results[results["year"] == args.year]
        if results.empty:
            raise SpbeError(f"no results for year {args.year}")
    if "damaged" in results.columns:
        n_bad = int(results["damaged"].sum())
        if n_bad:
            print(
                f"Catatan: {n_bad} baris bertanda rusak di sumber (nilai domain hilang); indeks dan predikatnya tetap dipakai."
            )
    summary = national_summary(results, by=args.by, fw=args.framework, total=True)
    shown = summary.copy()
    for c in shown.columns:
        if c.startswith(("mean_", "share_", "min_", "median_", "max_")):
            shown[c] = shown[c].map(lambda v: f"{v:.2f}" if pd.notna(v) else "")
    cols = [*args.by, "n", "mean_index", *[c for c in shown.columns if c.startswith("mean_D")], "share_baik_or_better",
            "n_memuaskan", "n_sangat_baik", "n_baik", "n_cukup", "n_kurang"]  # fmt: skip
    _print_table(shown[[c for c in cols if c in shown.columns]].set_index(args.by), max_rows=200)
    print(f"Predikat: {summary.attrs['predicate_source']}")
    if args.output:
        out = Path(args.output)
        if out.suffix.lower() != ".xlsx":
            summary.to_csv(out, index=False)
        else:
            import io

            from openpyxl.drawing.image import Image as XLImage

            by0 = args.by[0]
            figs = {}
            if "predicate" in results.columns and by0 in results.columns:
                figs["sebaran_predikat"] = plots.predicate_distribution(results, by0)
                figs["sebaran_indeks"] = plots.index_distribution(results.dropna(subset=[by0]), by0)
            if all(d in results.columns for d in ("D1", "D2", "D3", "D4")) and by0 in results.columns:
                figs["profil_domain"] = plots.domain_profile(results, by0)
            with pd.ExcelWriter(out, engine="openpyxl") as xw:
                summary.to_excel(xw, sheet_name="ringkasan", index=False)
                for name, fig in figs.items():
                    buf = io.BytesIO()
                    fig.savefig(buf, format="png", dpi=110)
                    buf.seek(0)
                    pd.DataFrame().to_excel(xw, sheet_name=name)
                    xw.book[name].add_image(XLImage(buf), "A1")
        print(f"Ringkasan ditulis ke {out}")
    return 0


def cmd_memo(args) -> int:
    from spbe_toolkit.memo import render_memos
    from spbe_toolkit.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        paths = render_memos(
            ws, args.out, instances=args.instance or None, lang=args.lang, workers=args.workers, generated_at=args.date
        )
    print(f"{len(paths)} memo ditulis ke {Path(args.out).resolve()} (daftar: index.html)")
    return 0


def cmd_samples(args) -> int:
    from spbe_toolkit.samples import generate_samples

    written = generate_samples(args.out, args.framework or None, n_scale=args.scale)
    print(f"{len(written)} berkas sintetis ditulis di {args.out}")
    return 0


def cmd_demo(args) -> int:
    from spbe_toolkit.demo import run_demo

    return run_demo(Path(args.out))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spbe", description="spbe-toolkit: evaluasi SPBE / Pemerintah Digital")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("frameworks", help="list frameworks with counts and weights")
    s.add_argument("-v", "--verbose", action="store_true", help="also aspect weights")
    s.set_defaults(func=cmd_frameworks)

    s = sub.add_parser("template", help="write an Excel submission template")
    s.add_argument("--framework", "-f", default="spbe2020")
    s.add_argument("-o", "--output", required=True, help="file to write (.xlsx)")
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("score", help="score a tidy levels table (CSV/XLSX: instance, indicator, level[, stage])")
    s.add_argument("levels")
    s.add_argument("--framework", "-f", default="spbe2020")
    s.add_argument("--basis", choices=["exact", "rounded"], default="exact", help="predicate basis (default exact)")
    s.add_argument("--allow-missing", action="store_true", help="tolerate missing indicators (index left empty)")
    s.add_argument("-o", "--output", help="write the exact scores to .csv or .xlsx")
    s.set_defaults(func=cmd_score)

    s = sub.add_parser("validate", help="check submission files and list every problem")
    s.add_argument("paths", nargs="+", help="files, folders or glob patterns")
    s.add_argument("--framework", "-f", default="spbe2020")
    s.add_argument("--problems", help="write the problems to .csv or .xlsx")
    s.add_argument("--lang", choices=["id", "en"], default="id")
    s.add_argument("--engine", choices=["calamine", "openpyxl"], default="calamine")
    s.add_argument("--max-rows", type=int, default=100, help="problems shown on screen (default 100)")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("stats", help="national summary of results (published table name, CSV/XLSX, or workspace)")
    s.add_argument("results", help="results_2024 (bundled), a results CSV/XLSX, or a workspace .sqlite")
    s.add_argument(
        "--by",
        nargs="+",
        default=["instance_type"],
        help="instance_type, category, group, report_group, province, year",
    )
    s.add_argument("--year", type=int)
    s.add_argument("--framework", "-f", default="spbe2020", help="bands used when predicates must be computed")
    s.add_argument("-o", "--output", help="write the summary (.xlsx with charts, or .csv)")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("memo", help="render coaching memos (HTML) for a workspace")
    s.add_argument("workspace", help="workspace file (.sqlite)")
    s.add_argument("--out", "-o", required=True, help="folder for the memos and index.html")
    s.add_argument("--lang", choices=["id", "en"], default="id")
    s.add_argument("--workers", type=int, help="processes (default: all cores)")
    s.add_argument("--instance", action="append", help="only this instance (repeatable)")
    s.add_argument("--date", help="date printed on the memos (fixed for reproducible output)")
    s.set_defaults(func=cmd_memo)

    s = sub.add_parser("samples", help="regenerate the synthetic sample data")
    s.add_argument("--out", default="data/samples")
    s.add_argument("--framework", action="append", help="only this framework (repeatable)")
    s.add_argument("--scale", type=int, default=1, help="multiply the 44 instances per framework")
    s.set_defaults(func=cmd_samples)

    s = sub.add_parser("demo", help="run the main job on the bundled synthetic sample")
    s.add_argument("--out", default="spbe-demo-output", help="folder for the demo's output")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SpbeError as exc:
        text = str(exc)
        first, _, rest = text.partition("\n")
        print(f"spbe: error: {first}", file=sys.stderr)
        if rest:
            print(rest, file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"spbe: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("spbe: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
