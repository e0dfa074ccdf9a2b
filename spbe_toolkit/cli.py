"""The ``spbe`` command: one library call per command, output in one language.

``--lang id|en`` (before or after the command; default ``SPBE_LANG`` or Indonesian) sets the
language of help, tables, messages and files written for people. Exit status: 0 done,
1 the submissions hold errors (``spbe validate``), 2 could not run (the error is printed as
one line, plus its list of problems).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import LANGS, Msg, get_language, tr, use_language
from spbe_toolkit.i18n.tables import people_table

EXIT_OK, EXIT_INVALID, EXIT_FAILED = 0, 1, 2

# argparse's own texts (its gettext message ids) → catalogue keys, so usage and errors follow --lang
_ARGPARSE_TEXTS = {
    "usage: ": "usage",
    "positional arguments": "positional",
    "options": "options",
    "the following arguments are required: %s": "required",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "unrecognized arguments: %s": "unrecognized",
    "%(prog)s: error: %(message)s\n": "error",
    "argument %(argument_name)s: %(message)s": "argument",
    "invalid %(type)s value: %(value)r": "invalid_value",
    "expected one argument": "expected_one",
    "expected at least one argument": "expected_at_least_one",
}


def _argparse_text(msgid: str) -> str:
    key = _ARGPARSE_TEXTS.get(msgid)
    return tr(f"argparse.{key}") if key else msgid


def _print_table(df: pd.DataFrame, max_rows: int = 60) -> None:
    with pd.option_context("display.max_rows", max_rows, "display.width", 160, "display.max_colwidth", 70):
        print(df.to_string(max_rows=max_rows))


def cmd_frameworks(args) -> int:
    from spbe_toolkit.frameworks import framework_table

    table = framework_table(verbose=args.verbose)
    _print_table(people_table(table))
    return EXIT_OK


def cmd_template(args) -> int:
    from spbe_toolkit.io.templates import write_template

    out = write_template(args.output, args.framework)
    print(tr("cli.template_written", None, fw=args.framework, path=out))
    return EXIT_OK


def cmd_score(args) -> int:
    from spbe_toolkit.io.tables import read_levels_table
    from spbe_toolkit.io.writers import write_table
    from spbe_toolkit.scoring import score

    scores = score(read_levels_table(args.levels), args.framework, predicate_basis=args.basis,
                   allow_missing=args.allow_missing)  # fmt: skip
    _print_table(people_table(scores))
    if args.output:
        out = write_table(people_table(scores, digits=None), args.output, index=True)
        print("\n" + tr("cli.scores_written", None, path=out))
    return EXIT_OK


def cmd_validate(args) -> int:
    from spbe_toolkit.io.submissions import read_submissions

    subs = read_submissions(args.paths, args.framework, engine=args.engine)
    if len(subs.files) == 0:
        raise SpbeError(Msg("error.no_submission_files", paths=", ".join(args.paths)))
    print(tr("cli.file_summary"))
    _print_table(subs.file_table(), max_rows=200)
    if len(subs.problems):
        print("\n" + tr("cli.problems"))
        _print_table(subs.problem_table(), max_rows=args.max_rows)
    c = subs.counts()
    print("\n" + tr("cli.validate_totals", None, **c))
    if args.problems:
        print(tr("cli.problems_written", None, path=subs.write_problems(args.problems)))
    return EXIT_INVALID if c["errors"] else EXIT_OK


def cmd_stats(args) -> int:
    from spbe_toolkit.render.reports import write_summary_report
    from spbe_toolkit.stats import load_results, national_summary

    results = load_results(args.results)
    if args.year is not None:
        if "year" not in results.columns:
            raise SpbeError(Msg("error.no_year_column"))
        results = results[results["year"] == args.year]
        if results.empty:
            raise SpbeError(Msg("error.no_results_for_year", year=args.year))
    if "damaged" in results.columns and int(results["damaged"].sum()):
        print(tr("cli.damaged_rows", None, n=int(results["damaged"].sum())))
    summary = national_summary(results, by=args.by, fw=args.framework, total=True)
    cols = [*args.by, "n", "mean_index", *[c for c in summary.columns if c.startswith("mean_D")], "share_baik_or_better",
            *[c for c in summary.columns if c.startswith("n_") and c != "n"]]  # fmt: skip
    _print_table(people_table(summary[cols].set_index(args.by)), max_rows=200)
    print(tr("cli.predicate_source", None, source=summary.attrs["predicate_source"]))
    if args.output:
        print(tr("cli.summary_written", None, path=write_summary_report(summary, results, args.by, args.output)))
    return EXIT_OK


def cmd_memo(args) -> int:
    from spbe_toolkit.render.memo import render_memos
    from spbe_toolkit.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        paths = render_memos(
            ws,
            args.out,
            instances=args.instance or None,
            workers=args.workers,
            generated_at=args.date,
            pdf=args.pdf,
            letter=args.letter,
        )
    print(tr("cli.memos_written", None, n=len(paths), path=Path(args.out).resolve()))
    if args.pdf:
        print(tr("cli.pdfs_written", None, n=len(paths)))
    return EXIT_OK


def cmd_harmonisation(args) -> int:
    from spbe_toolkit.io.writers import write_table
    from spbe_toolkit.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        table = ws.harmonisation(by=args.by)
    _print_table(people_table(table), max_rows=200)
    if args.output:
        print(
            tr("cli.summary_written", None, path=write_table(people_table(table, digits=None), args.output, index=True))
        )
    return EXIT_OK


def cmd_samples(args) -> int:
    from spbe_toolkit.demo import generate_samples

    written = generate_samples(args.out, args.framework or None, n_scale=args.scale)
    print(tr("cli.samples_written", None, n=len(written), path=args.out))
    return EXIT_OK


def cmd_demo(args) -> int:
    from spbe_toolkit.demo.run import run_demo

    return run_demo(Path(args.out))


def cmd_assign(args) -> int:
    from spbe_toolkit.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        if args.template:
            path = ws.assignment_template(args.file)
            print(tr("cli.assign_template_written", None, path=path, n=len(ws.instances())))
            return EXIT_OK
        n = ws.import_assignments(args.file, assigned_by=args.by)
        print(tr("cli.assigned", None, n=n, location=ws.location))
    return EXIT_OK


def cmd_evaluator(args) -> int:
    from spbe_toolkit.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        ws.add_evaluator(args.role, args.name, team=args.team, affiliation=args.affiliation)
        print(tr("cli.evaluator_added", None, name=args.name, role=args.role, location=ws.location))
    return EXIT_OK


def cmd_app(args) -> int:
    import os

    from spbe_toolkit.render.app import APP_NOTEBOOK, asks_name
    from spbe_toolkit.render.app_server import serve
    from spbe_toolkit.workspace import Workspace
    from spbe_toolkit.workspace.store import location_of

    with Workspace.open(args.workspace) as ws:  # a wrong location fails here, clearly, before the server starts
        shown = ws.location  # never a password
        title = tr("app.title", None, fw=ws.framework.title_in(None), year=ws.year or "-")
        asks = asks_name(ws)
    where = location_of(args.workspace)  # a server URL as given, a file made absolute for the app's kernels
    location = str(where.resolve()) if isinstance(where, Path) else where
    env = {**os.environ, "SPBE_WORKSPACE": location, "SPBE_LANG": get_language()}

    def announce(url: str) -> None:
        print(tr("app.starting", None, location=shown, url=url), flush=True)

    return serve(APP_NOTEBOOK, env, port=args.port, ip=args.ip, max_kernels=args.max_kernels,
                 cull_idle=args.idle_timeout, preheat=args.preheat, title=title,
                 asks_name=asks, announce=announce)  # fmt: skip


def _checked(check):
    """An argparse type from a check that raises :class:`SpbeError` (its message, in the language)."""

    def parse(text: str):
        try:
            return check(text)
        except SpbeError as exc:
            raise argparse.ArgumentTypeError(exc.msg.text()) from None

    parse.__name__ = check.__name__
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, its help in the configured language."""

    def h(key: str) -> str:
        return tr(f"cli.help_{key}").replace("%", "%%")

    def mv(key: str) -> str:
        return tr(f"cli.metavar_{key}")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    p = argparse.ArgumentParser(prog="spbe", description=h("description"), parents=[common], add_help=False)
    p.add_argument("-h", "--help", action="help", help=h("help"))
    sub = p.add_subparsers(dest="command", required=True, title=tr("cli.commands"), metavar="COMMAND")

    def command(name: str, func) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=h(name), description=h(name), parents=[common], add_help=False)
        s.add_argument("-h", "--help", action="help", help=h("help"))
        s.set_defaults(func=func)
        return s

    def framework_option(s: argparse.ArgumentParser) -> None:
        s.add_argument("--framework", "-f", default="spbe2020", metavar=mv("framework"), help=h("framework"))

    s = command("frameworks", cmd_frameworks)
    s.add_argument("-v", "--verbose", action="store_true", help=h("verbose"))

    s = command("template", cmd_template)
    framework_option(s)
    s.add_argument("-o", "--output", required=True, metavar=mv("file"), help=h("template_output"))

    s = command("score", cmd_score)
    s.add_argument("levels", metavar=mv("levels"), help=h("levels"))
    framework_option(s)
    s.add_argument("--basis", choices=["exact", "rounded"], default="exact", help=h("basis"))
    s.add_argument("--allow-missing", action="store_true", help=h("allow_missing"))
    s.add_argument("-o", "--output", metavar=mv("file"), help=h("score_output"))

    s = command("validate", cmd_validate)
    s.add_argument("paths", nargs="+", metavar=mv("paths"), help=h("paths"))
    framework_option(s)
    s.add_argument("--problems", metavar=mv("file"), help=h("problems"))
    s.add_argument("--engine", choices=["calamine", "openpyxl"], default="calamine", help=h("engine"))
    s.add_argument("--max-rows", type=int, default=100, metavar="N", help=h("max_rows"))

    s = command("stats", cmd_stats)
    s.add_argument("results", metavar=mv("results"), help=h("results"))
    s.add_argument("--by", nargs="+", default=["instance_type"], metavar=mv("group"), help=h("by"))
    s.add_argument("--year", type=int, metavar=mv("year"), help=h("year"))
    framework_option(s)
    s.add_argument("-o", "--output", metavar=mv("file"), help=h("stats_output"))

    s = command("memo", cmd_memo)
    s.add_argument("workspace", metavar=mv("workspace"), help=h("workspace"))
    s.add_argument("--out", "-o", required=True, metavar=mv("folder"), help=h("memo_out"))
    s.add_argument("--workers", type=int, metavar="N", help=h("workers"))
    s.add_argument("--instance", action="append", metavar=mv("instance"), help=h("instance"))
    s.add_argument("--date", metavar=mv("date"), help=h("date"))
    s.add_argument("--pdf", action="store_true", help=h("pdf"))
    s.add_argument("--letter", metavar=mv("file"), help=h("letter"))

    s = command("harmonisation", cmd_harmonisation)
    s.add_argument("workspace", metavar=mv("workspace"), help=h("workspace"))
    s.add_argument(
        "--by", choices=["evaluator", "indicator", "evidence"], default="evaluator", help=h("harmonisation_by")
    )
    s.add_argument("-o", "--output", metavar=mv("file"), help=h("stats_output"))

    s = command("samples", cmd_samples)
    s.add_argument("--out", default="data/samples", metavar=mv("folder"), help=h("samples_out"))
    s.add_argument("--framework", action="append", metavar=mv("framework"), help=h("samples_framework"))
    s.add_argument("--scale", type=int, default=1, metavar="N", help=h("scale"))

    s = command("assign", cmd_assign)
    s.add_argument("workspace", metavar=mv("workspace"), help=h("workspace"))
    s.add_argument("file", metavar=mv("file"), help=h("assign_file"))
    s.add_argument("--by", default=None, metavar=mv("person"), help=h("assign_by"))
    s.add_argument("--template", action="store_true", help=h("assign_template"))

    s = command("evaluator", cmd_evaluator)
    actions = s.add_subparsers(dest="action", required=True, metavar="add")
    s = actions.add_parser("add", help=h("evaluator_add"), description=h("evaluator_add"), parents=[common],
                           add_help=False)  # fmt: skip
    s.add_argument("-h", "--help", action="help", help=h("help"))
    s.add_argument("workspace", metavar=mv("workspace"), help=h("workspace"))
    s.add_argument("role", metavar=mv("role"), help=h("role"))
    s.add_argument("name", metavar=mv("person"), help=h("person"))
    s.add_argument("--team", default="", help=h("team"))
    s.add_argument("--affiliation", default="", help=h("affiliation"))

    s = command("app", cmd_app)
    s.add_argument("workspace", metavar=mv("workspace"), help=h("workspace"))
    from spbe_toolkit.render.app_server import (
        CULL_IDLE,
        MAX_KERNELS,
        PREHEAT,
        idle_seconds,
        ip_address,
        kernel_count,
        port_number,
        preheat_count,
    )

    s.add_argument("--port", type=_checked(port_number), default=8866, metavar="N", help=h("port"))
    s.add_argument("--ip", type=_checked(ip_address), default="127.0.0.1", metavar="IP", help=h("ip"))
    s.add_argument("--max-kernels", type=_checked(kernel_count), default=MAX_KERNELS, metavar="N",
                   help=h("max_kernels"))  # fmt: skip
    s.add_argument("--idle-timeout", type=_checked(idle_seconds), default=CULL_IDLE, metavar="N",
                   help=h("idle_timeout"))  # fmt: skip
    s.add_argument("--preheat", type=_checked(preheat_count), default=PREHEAT, metavar="N", help=h("preheat"))

    s = command("demo", cmd_demo)
    s.add_argument("--out", default="spbe-demo-output", metavar=mv("folder"), help=h("demo_out"))
    return p


def _language_from(argv: list[str]) -> str | None:
    """``--lang`` wherever it stands (help must be built in the chosen language)."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if a.startswith("--lang=") and a.split("=", 1)[1] in LANGS:
            return a.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    original = argparse._
    argparse._ = _argparse_text  # argparse looks its texts up through this name at run time
    try:
        with use_language(_language_from(argv)):
            return _run(argv)
    finally:
        argparse._ = original


def _run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SpbeError as exc:
        first, _, rest = str(exc).partition("\n")
        print(tr("cli.error", None, text=first), file=sys.stderr)
        if rest:
            print(rest, file=sys.stderr)
        return EXIT_FAILED
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(tr("cli.error", None, text=tr("cli.os_error", None, path=exc.filename or "", kind=type(exc).__name__)),
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(tr("cli.interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
