"""One reader per format; :func:`read_file` picks it and applies the checks every file gets
first (exists, supported, not empty, not above the size limit)."""

from __future__ import annotations

from pathlib import Path

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.readers.delimited import read_delimited
from spbe_toolkit.io.readers.jsonfile import read_json
from spbe_toolkit.io.readers.table import Unit
from spbe_toolkit.io.readers.xlsx import read_xls, read_xlsx

SUPPORTED = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".txt": "csv", ".json": "json"}


def read_file(path: Path, fw: Framework, rep: Report, *, engine: str, max_bytes: int) -> list[Unit]:
    """The instances in one file; every problem goes to ``rep`` (nothing raises)."""
    file = str(path)
    fmt = SUPPORTED.get(path.suffix.lower())
    if not path.is_file():
        rep.error("file_missing", file)
        return []
    if fmt is None:
        rep.error("file_type", file, ext=path.suffix or Msg("problem.no_extension"))
        return []
    size = path.stat().st_size
    if size == 0:
        rep.error("file_empty", file)
        return []
    if size > max_bytes:
        rep.error("file_too_large", file, size=f"{size / 2**20:.1f}", limit=f"{max_bytes / 2**20:.0f}")
        return []
    if fmt == "xlsx":
        return read_xlsx(path, fw, rep, engine)
    if fmt == "xls":
        return read_xls(path, fw, rep)
    if fmt == "csv":
        return read_delimited(path, fw, rep)
    return read_json(path, fw, rep)
