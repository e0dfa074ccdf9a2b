"""JSON submissions: ``{"instance": …, "levels": […]}``, a list of those, or records."""

from __future__ import annotations

import json
from pathlib import Path

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.readers.delimited import decode_text
from spbe_toolkit.io.readers.table import Unit, blank, find_header, read_table
from spbe_toolkit.vocab import INSTANCE_META, normalise_code


def read_json(path: Path, fw: Framework, rep: Report) -> list[Unit]:
    file = str(path)
    text = decode_text(path, rep)
    if not text.strip():
        rep.error("file_empty", file)
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        rep.error("bad_json", file, line=exc.lineno, col=exc.colno)
        return []
    except ValueError:  # e.g. a number of thousands of digits (Python refuses to convert it)
        rep.error("json_number_too_long", file)
        return []
    except RecursionError:
        rep.error("json_too_deep", file)
        return []
    if isinstance(data, dict) and "submissions" in data:
        data = data["submissions"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        rep.error("json_shape", file)
        return []
    if not data:
        rep.error("json_empty", file)
        return []
    units = []
    if data and all(isinstance(d, dict) and "indicator" in d for d in data):  # records (long)
        rows = [["instance", "indicator", "level", "justification", "evidence", "stage"]]
        rows += [[d.get(k) for k in rows[0]] for d in data]
        header = find_header(rows, fw)
        return read_table(file, None, rows, header, rep)
    for i, sub in enumerate(data):
        if not isinstance(sub, dict):
            rep.error("json_item", file, n=i + 1)
            continue
        inst = sub.get("instance")
        meta = {}
        if isinstance(inst, dict):
            meta = {k: inst.get(k) for k in INSTANCE_META if k in inst}
            inst = inst.get("name", inst.get("instance"))
        for k in INSTANCE_META:
            if k in sub and k not in meta:
                meta[k] = sub[k]
        unit = Unit(file=file, sheet=None, instance=inst, meta=meta, meta_row=None)
        levels = sub.get("levels", [])
        if isinstance(levels, dict):
            levels = [{"indicator": k, "level": v} for k, v in levels.items()]
        if not isinstance(levels, list):
            rep.error("json_levels_shape", file, n=i + 1)
            continue
        for j, rec in enumerate(levels):
            if not isinstance(rec, dict):
                rec = {"indicator": None, "level": rec}
            ind = rec.get("indicator")
            unit.rows.append(
                {
                    "indicator": "" if blank(ind) else normalise_code(ind),
                    "raw_indicator": ind,
                    "level": rec.get("level"),
                    "justification": rec.get("justification"),
                    "evidence": rec.get("evidence"),
                    "stage": rec.get("stage"),
                    "row": j + 1,
                    "col": None,
                }
            )
        units.append(unit)
    return units
