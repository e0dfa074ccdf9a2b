"""Submissions (Excel template, long or wide CSV/XLSX, JSON) → tidy levels + a problems report.

The loader is forgiving but honest: it accepts what a person plausibly meant and reports
every change it makes as a warning; anything it cannot read with certainty is an error.
An instance (one file, or one instance inside a national export) with an error is not
loaded, while every other instance is. Nothing is ever evaluated: formulas contribute their
cached value only, and names are kept as data. Accepted level cells: see
:mod:`spbe_toolkit.io.levels`.

The work, in order (each step in a module of its own): find the files
(:func:`expand_paths`), read each with the reader for its format
(:mod:`~spbe_toolkit.io.readers`), check each instance (:func:`~spbe_toolkit.io.checks.check_unit`)
and the batch (:func:`~spbe_toolkit.io.checks.check_duplicates`), then assemble the tables.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spbe_toolkit.errors import SubmissionError
from spbe_toolkit.frameworks import Framework, load_framework
from spbe_toolkit.i18n import Msg, Pair, check_lang, tr
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.checks import check_duplicates, check_unit
from spbe_toolkit.io.levels import LevelParser
from spbe_toolkit.io.limits import DEFAULT_LIMITS, ReadLimits
from spbe_toolkit.io.problems import PROBLEM_COLUMNS, Report
from spbe_toolkit.io.readers import SUPPORTED, read_file
from spbe_toolkit.io.readers.table import Unit
from spbe_toolkit.io.writers import write_table

LEVEL_COLUMNS = ["instance", "indicator", "level", "justification", "evidence", "stage", "file", "sheet", "row"]
INSTANCE_COLUMNS = ["instance", "instance_type", "province", "year", "contact", "framework", "file", "sheet",
                    "status", "errors", "warnings", "loaded", "name_as_written"]  # fmt: skip
ENGINES = ("calamine", "openpyxl")


# --------------------------------------------------------------------------- result
@dataclass
class Submissions:
    """What :func:`read_submissions` returns.

    * ``levels`` — tidy table of every loaded instance: instance, indicator, level (int),
      justification, evidence, stage, file, sheet, row;
    * ``instances`` — one row per instance found: metadata, file, status (``ok`` /
      ``warnings`` / ``errors``), counts, and ``loaded`` (False when errors kept it out);
    * ``problems`` — one row per problem: file, sheet, row, instance, indicator, severity,
      code, pesan (Indonesian), message (English);
    * ``files`` — one row per file: format, instances, errors, warnings, status.
    """

    framework: Framework
    levels: pd.DataFrame
    instances: pd.DataFrame
    problems: pd.DataFrame
    files: pd.DataFrame

    @property
    def ok(self) -> bool:
        return not (self.problems["severity"] == "error").any()

    def score(self, predicate_basis: str = "exact") -> pd.DataFrame:
        """Scores of the loaded (error-free) instances, one row per instance and stage."""
        from spbe_toolkit.scoring import score

        return score(self.levels, self.framework, predicate_basis=predicate_basis)

    def problem_table(self, lang: str | None = None) -> pd.DataFrame:
        """The problems as an evaluator reads them: file name only, one language throughout."""
        lang = check_lang(lang)
        p = self.problems.assign(file=self.problems["file"].map(lambda f: Path(f).name))
        p = p[["file", "sheet", "row", "instance", "indicator", "severity", "pesan" if lang == "id" else "message"]]
        return people_table(p.rename(columns={"pesan": "message"}), lang)

    def file_table(self, lang: str | None = None) -> pd.DataFrame:
        """The per-file summary as an evaluator reads it: file name, format, instances, status, counts."""
        f = self.files.assign(file=self.files["file"].map(lambda x: Path(x).name))
        return people_table(f[["file", "format", "n_instances", "status", "errors", "warnings"]], lang)

    def instance_table(self, lang: str | None = None) -> pd.DataFrame:
        """One row per instance found, as an evaluator reads it (type, province, status, loaded)."""
        cols = ["instance", "instance_type", "province", "year", "status", "errors", "warnings", "loaded"]
        return people_table(self.instances[cols], lang)

    def write_problems(self, path: str | Path, lang: str | None = None) -> Path:
        """Write the problems for people (one language, file names only) to ``.csv`` or ``.xlsx``,
        safely: text never becomes a formula, and the file is replaced atomically."""
        return write_table(self.problem_table(lang), path, sheet=tr("cli.problems_sheet", lang))

    def counts(self) -> dict[str, int]:
        """files, instances, loaded, errors, warnings."""
        sev = self.problems["severity"]
        return {"files": len(self.files), "instances": len(self.instances),
                "loaded": int(self.instances["loaded"].sum()) if len(self.instances) else 0,
                "errors": int((sev == "error").sum()), "warnings": int((sev == "warning").sum())}  # fmt: skip

    def __repr__(self) -> str:
        return "<" + tr("cli.submissions_repr", None, fw=self.framework.name, **self.counts()) + ">"


# --------------------------------------------------------------------------- paths
def expand_paths(paths: str | Path | Iterable[str | Path], *, unreadable: set[Path] | None = None) -> list[Path]:
    """Files, folders (recursively: supported extensions only) and glob patterns → sorted files.

    Folders that cannot be listed are returned too and added to ``unreadable`` (so that the
    caller reports them instead of skipping them silently).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        s = str(p)
        if any(ch in s for ch in "*?[") and not Path(s).exists():
            out.extend(Path(m) for m in sorted(glob.glob(s, recursive=True)) if Path(m).is_file())
            continue
        path = Path(p)
        if path.is_dir():
            found: list[Path] = []
            blocked: list[Path] = []
            for folder, dirs, names in os.walk(path, onerror=lambda exc, b=blocked: b.append(Path(exc.filename))):
                dirs.sort()
                found.extend(
                    Path(folder) / n
                    for n in names
                    if Path(n).suffix.lower() in SUPPORTED and not n.startswith(("~$", "."))
                )
            out.extend(sorted(found))
            out.extend(blocked)
            if unreadable is not None:
                unreadable.update(blocked)
        else:
            out.append(path)
    seen: set[Path] = set()
    unique = []
    for f in out:
        try:
            key = f.resolve()
        except (OSError, RuntimeError):  # a symbolic link loop: reported when the file is read
            key = f.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


# --------------------------------------------------------------------------- entry point
def read_submissions(
    paths: str | Path | Iterable[str | Path],
    fw: Framework | str,
    strict: bool = False,
    *,
    engine: str = "calamine",
    max_bytes: int | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    progress: bool | None = None,
) -> Submissions:
    """Read submissions from files, folders (recursively) or glob patterns.

    Formats: the toolkit's Excel template; a long table (instance, indicator, level
    [, justification, evidence, stage]) as CSV or XLSX; a wide table (one row per instance,
    one column per indicator) as CSV or XLSX; JSON (``{"instance": …, "levels": […]}``, a
    list of those, or records). Headers may be Indonesian or English and need not be in row 1.

    An instance with any error is reported and left out of ``levels``; every other instance
    loads. ``strict=True`` raises :class:`SubmissionError` carrying the problems table when
    there is any error. ``engine`` is ``"calamine"`` (fast, default) or ``"openpyxl"``.
    Every file is checked against ``limits`` (:class:`~spbe_toolkit.io.limits.ReadLimits`:
    size on disk, inflated size, sheets, rows, cells, strings) before it is read; a file that
    breaks one is reported, unread. ``max_bytes`` is a shortcut for ``limits.max_bytes``.
    """
    fw = load_framework(fw)
    if engine not in ENGINES:
        raise SubmissionError(Msg("error.bad_engine", value=repr(engine), choices=", ".join(ENGINES)))
    if max_bytes is not None:
        limits = limits.scaled(max_bytes=max_bytes)
    unreadable: set[Path] = set()
    files = expand_paths(paths, unreadable=unreadable)
    rep = Report()
    units, file_rows = _read_files(files, fw, rep, engine=engine, limits=limits, progress=progress,
                                   unreadable=unreadable)  # fmt: skip
    parser = LevelParser(fw)
    good = [check_unit(unit, fw, parser, rep) for unit in units]
    check_duplicates(units, rep)
    result = _assemble(fw, units, good, file_rows, rep)
    if strict and not result.ok:
        _raise_first_error(result.problems)
    return result


def _read_files(
    files: list[Path], fw: Framework, rep: Report, *, engine: str, limits: ReadLimits, progress: bool | None,
    unreadable: set[Path],
) -> tuple[list[Unit], list[dict[str, Any]]]:  # fmt: skip
    """Every file through its reader (with a progress bar above 5 files): units and a row per file."""
    iterator: Iterable[Path] = files
    if progress is None:
        progress = len(files) > 5
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(files, desc=str(Msg("cli.reading_files")), unit=str(Msg("cli.unit_file")))
    units: list[Unit] = []
    file_rows = []
    for path in iterator:
        if path in unreadable:
            rep.error("folder_unreadable", str(path))
            continue
        file_units = read_file(path, fw, rep, engine=engine, limits=limits)
        units.extend(file_units)
        file_rows.append(
            {"file": str(path), "format": SUPPORTED.get(path.suffix.lower()), "n_instances": len(file_units)}
        )
    return units, file_rows


def _assemble(
    fw: Framework, units: list[Unit], good_by_unit: list[list[dict[str, Any]]], file_rows: list[dict], rep: Report
) -> Submissions:
    problems = pd.DataFrame(rep.items, columns=PROBLEM_COLUMNS)
    problems["row"] = problems["row"].astype("Int64")
    err_keys = set(
        zip(
            problems.loc[problems["severity"] == "error", "file"],
            problems.loc[problems["severity"] == "error", "instance"],
        )
    )
    inst_rows = []
    level_rows: list[dict[str, Any]] = []
    # problem counts per (file, instance, severity), counted once rather than per instance
    per_unit = problems.dropna(subset=["instance"]).groupby(["file", "instance", "severity"]).size().to_dict()
    for unit, good in zip(units, good_by_unit):
        has_error = (unit.file, unit.instance) in err_keys or unit.instance is None
        n_err = int(per_unit.get((unit.file, unit.instance, "error"), 0))
        n_warn = int(per_unit.get((unit.file, unit.instance, "warning"), 0))
        inst_rows.append(
            {
                "instance": unit.instance,
                **{k: unit.meta.get(k) for k in ("instance_type", "province", "year", "contact", "name_as_written")},
                "framework": fw.name,
                "file": unit.file,
                "sheet": unit.sheet,
                "status": "errors" if has_error else ("warnings" if n_warn else "ok"),
                "errors": n_err,
                "warnings": n_warn,
                "loaded": not has_error,
            }
        )
        if not has_error and good:
            level_rows.extend(good)
    # one table built column by column (not a frame per instance, concatenated)
    levels = pd.DataFrame({c: [r[c] for r in level_rows] for c in LEVEL_COLUMNS}, columns=LEVEL_COLUMNS)
    levels["level"] = levels["level"].astype(fw.value_dtype)
    levels["row"] = levels["row"].astype("Int64")
    instances = pd.DataFrame(inst_rows, columns=INSTANCE_COLUMNS)
    instances["year"] = instances["year"].astype("Int64")

    counts = problems.groupby(["file", "severity"]).size().unstack(fill_value=0)
    files_df = pd.DataFrame(file_rows, columns=["file", "format", "n_instances"])
    files_df["errors"] = files_df["file"].map(counts["error"] if "error" in counts else {}).fillna(0).astype(int)
    files_df["warnings"] = files_df["file"].map(counts["warning"] if "warning" in counts else {}).fillna(0).astype(int)
    files_df["status"] = np.where(
        files_df["errors"] > 0, "errors", np.where(files_df["warnings"] > 0, "warnings", "ok")
    )

    return Submissions(framework=fw, levels=levels, instances=instances, problems=problems, files=files_df)


def _raise_first_error(problems: pd.DataFrame) -> None:
    errors = problems[problems["severity"] == "error"]
    first = errors.iloc[0]
    row = int(first["row"]) if pd.notna(first["row"]) else None
    where = Path(first["file"]).name + (f", {row}" if row is not None else "")
    raise SubmissionError(
        Msg("error.submission_errors", n=len(errors), where=where, first=Pair(first["pesan"], first["message"])),
        problems,
    )
