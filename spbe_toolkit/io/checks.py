"""Checks of what was read: one instance at a time (metadata, codes, levels, completeness),
and across files (the same instance submitted twice)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spbe_toolkit.frameworks import Framework, list_frameworks, load_framework
from spbe_toolkit.io.levels import LevelParser
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.readers.table import Unit, blank
from spbe_toolkit.io.templates import SHEETS
from spbe_toolkit.vocab import INSTANCE_TYPES, SELF_STAGE, TYPE_ALIASES, identity_name, norm_text


def guess_framework(codes: set[str], fw: Framework) -> str | None:
    """Another built-in framework whose indicator set the codes match (nearly) exactly, if any.

    Only a near-exact match counts (Jaccard ≥ 0.95 and better than ``fw``), so a file that
    merely misses a few indicators is reported as missing indicators, not as the wrong framework.
    """

    def fit(other: Framework) -> float:
        given = {other.subitem_parent.get(c, c) for c in codes}
        wanted = set(other.codes)
        return len(given & wanted) / max(len(given | wanted), 1)

    own = fit(fw)
    best, best_fit = None, 0.0
    for name in list_frameworks():
        if name == fw.name:
            continue
        f = fit(load_framework(name))
        if f > best_fit:
            best, best_fit = name, f
    return best if best_fit >= 0.95 and best_fit > own else None


def check_unit(unit: Unit, fw: Framework, parser: LevelParser, rep: Report) -> list[dict[str, Any]]:
    """Validate one instance; report problems; return its good rows."""
    file, sheet = unit.file, unit.sheet
    inst = unit.instance
    if blank(inst):
        rep.error("instance_missing", file, sheet=sheet, row=unit.meta_row)
        unit.instance = None
        return []
    if isinstance(inst, (dict, list, tuple, set)):
        rep.error("instance_not_text", file, sheet=sheet, row=unit.meta_row, kind=type(inst).__name__)
        unit.instance = None
        return []
    written = inst if isinstance(inst, str) else str(inst)
    inst = identity_name(written)
    if inst != written.strip():
        rep.warning("name_normalised", file, sheet=sheet, row=unit.meta_row, instance=inst, to=inst)
    elif inst != written:
        rep.warning("name_trimmed", file, sheet=sheet, row=unit.meta_row, instance=inst)
    unit.instance = inst
    unit.meta["name_as_written"] = written

    # metadata
    t = unit.meta.get("instance_type")
    if not blank(t):
        norm = norm_text(t).rstrip(".")
        if str(t).strip() in INSTANCE_TYPES:
            unit.meta["instance_type"] = str(t).strip()
        elif norm in TYPE_ALIASES:
            unit.meta["instance_type"] = TYPE_ALIASES[norm]
            rep.warning(
                "type_normalised", file, sheet=sheet, row=unit.meta_row, instance=inst, value=t, to=TYPE_ALIASES[norm]
            )
        else:
            rep.error(
                "type_unknown",
                file,
                sheet=sheet,
                row=unit.meta_row,
                instance=inst,
                value=t,
                choices=", ".join(INSTANCE_TYPES),
            )
            unit.meta["instance_type"] = None
    y = unit.meta.get("year")
    if "year" in unit.meta or unit.sheet in SHEETS["form"]:
        if blank(y):
            rep.warning("year_missing", file, sheet=sheet, row=unit.meta_row, instance=inst)
            unit.meta["year"] = None
        else:
            try:
                yi = int(float(str(y).strip()))
                if not 2000 <= yi <= 2100 or float(str(y).strip()) != yi:
                    raise ValueError
                unit.meta["year"] = yi
            except (ValueError, OverflowError):
                rep.error("year_invalid", file, sheet=sheet, row=unit.meta_row, instance=inst, value=str(y)[:40])
                unit.meta["year"] = None
    fwname = unit.meta.get("framework")
    if not blank(fwname) and str(fwname).strip() != fw.name:
        rep.error(
            "wrong_framework", file, sheet=sheet, row=unit.meta_row, instance=inst, found=fwname, expected=fw.name
        )
        return []

    valid = fw.entry_code_set
    codes = {r["indicator"] for r in unit.rows if r["indicator"]}
    if codes != valid:
        guess = guess_framework(codes, fw)
        if guess:
            rep.error(
                "wrong_framework", file, sheet=sheet, row=unit.meta_row, instance=inst,
                found=guess, expected=fw.name,
            )  # fmt: skip
            return []

    # codes written differently ("I7", "Indikator 7") are read as the framework's code: say so once per spelling
    renamed = {}
    for rec in unit.rows:
        raw = rec["raw_indicator"]
        if isinstance(raw, str) and rec["indicator"] and raw.strip() != rec["indicator"] and raw.strip() not in renamed:
            renamed[raw.strip()] = (rec["indicator"], rec["row"])
    for raw, (code, row) in renamed.items():
        rep.warning(
            "indicator_code_normalised", file, sheet=sheet, row=row, instance=inst, indicator=code, value=raw, to=code
        )

    good: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], list[int]] = {}
    for rec in unit.rows:
        code = rec["indicator"]
        row = rec["row"]
        if code not in valid:
            shown = rec["raw_indicator"] if not blank(rec["raw_indicator"]) else ""
            rep.error(
                "indicator_unknown",
                file,
                sheet=sheet,
                row=row,
                instance=inst,
                indicator=code or None,
                value=shown,
                fw=fw.name,
            )
            continue
        stage = SELF_STAGE if blank(rec["stage"]) else str(rec["stage"]).strip().lower()
        seen.setdefault((stage, code), []).append(row)
        level, notes = parser.parse(rec["level"], code)
        for severity, mcode, params in notes:
            rep.add(severity, mcode, file, sheet=sheet, row=row, instance=inst, indicator=code, **params)
        if level is None:
            continue
        good.append(
            {
                "instance": inst,
                "indicator": code,
                "level": level,
                "justification": None if blank(rec["justification"]) else str(rec["justification"]),
                "evidence": None if blank(rec["evidence"]) else str(rec["evidence"]),
                "stage": stage,
                "file": file,
                "sheet": sheet,
                "row": row,
            }
        )
    for (_stage, code), rows in seen.items():
        if len(rows) > 1:
            rep.error(
                "indicator_duplicate",
                file,
                sheet=sheet,
                row=rows[1],
                instance=inst,
                indicator=code,
                rows=", ".join(map(str, rows)),
            )
    # completeness per stage
    stages = {s for s, _ in seen} or {SELF_STAGE}
    for stage in sorted(stages):
        present = {c for s, c in seen if s == stage}
        for code, subs in fw.code_subitems:
            have_whole = code in present
            have_sub = [s for s in subs if s in present]
            if have_whole and have_sub:
                rep.error("subitem_conflict", file, sheet=sheet, instance=inst, indicator=code)
            elif not have_whole and not have_sub and not fw.is_external(code):
                # an indicator fed by a national index may be left out: it counts as its default until imported
                rep.error("indicator_missing", file, sheet=sheet, instance=inst, indicator=code)
    return good


def check_duplicates(units: list[Unit], rep: Report) -> None:
    """The same instance (same year, or a year missing, and a shared stage) in more than one place."""
    by_name: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        if unit.instance:
            by_name.setdefault(unit.instance.casefold(), []).append(i)
    for idx in by_name.values():
        if len(idx) < 2:
            continue
        stages = [
            {(r["stage"] or SELF_STAGE) if isinstance(r["stage"], str) else SELF_STAGE for r in units[i].rows}
            for i in idx
        ]
        for a, i in enumerate(idx):
            clash = [
                j
                for b, j in enumerate(idx)
                if j != i
                and (
                    units[i].meta.get("year") is None
                    or units[j].meta.get("year") is None
                    or units[i].meta.get("year") == units[j].meta.get("year")
                )
                and stages[a] & stages[b]
            ]
            if not clash:
                continue
            others = sorted(
                {Path(units[j].file).name + (f" ({units[j].sheet})" if units[j].sheet else "") for j in clash}
            )
            rep.error(
                "instance_duplicate",
                units[i].file,
                sheet=units[i].sheet,
                row=units[i].meta_row,
                instance=units[i].instance,
                year=units[i].meta.get("year") or "-",
                other=", ".join(others),
            )
