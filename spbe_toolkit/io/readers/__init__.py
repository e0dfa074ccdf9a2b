"""One reader per format; :func:`read_file` picks it and applies the checks every file gets
first (can be opened, supported, not empty, within the size limit). Whatever goes wrong
with one file becomes a problem row for that file: a batch never stops at a bad file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.limits import DEFAULT_LIMITS, ReadLimits
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.readers.delimited import read_delimited
from spbe_toolkit.io.readers.jsonfile import read_json
from spbe_toolkit.io.readers.table import Unit
from spbe_toolkit.io.readers.xlsx import read_xls, read_xlsx

SUPPORTED = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".txt": "csv", ".json": "json"}
_OS_PROBLEMS = {errno.ELOOP: "file_loop", errno.EACCES: "file_permission", errno.EPERM: "file_permission",
                errno.ENOENT: "file_missing"}  # fmt: skip


def read_file(
    path: Path, fw: Framework, rep: Report, *, engine: str, limits: ReadLimits = DEFAULT_LIMITS
) -> list[Unit]:
    """The instances in one file; every problem goes to ``rep`` (nothing raises)."""
    file = str(path)
    fmt = SUPPORTED.get(path.suffix.lower())
    try:
        info = os.stat(path)
    except OSError as exc:
        rep.error(_OS_PROBLEMS.get(exc.errno, "file_unreadable"), file, kind=type(exc).__name__)
        return []
    if not stat.S_ISREG(info.st_mode):
        rep.error("file_not_regular", file)
        return []
    if fmt is None:
        rep.error("file_type", file, ext=path.suffix or Msg("problem.no_extension"))
        return []
    if info.st_size == 0:
        rep.error("file_empty", file)
        return []
    if info.st_size > limits.max_bytes:
        rep.error("file_too_large", file, size=f"{info.st_size / 2**20:.1f}", limit=f"{limits.max_bytes / 2**20:.0f}")
        return []
    try:
        if fmt == "xlsx":
            return read_xlsx(path, fw, rep, engine, limits)
        if fmt == "xls":
            return read_xls(path, fw, rep)
        if fmt == "csv":
            return read_delimited(path, fw, rep)
        return read_json(path, fw, rep)
    except OSError as exc:
        rep.error(_OS_PROBLEMS.get(exc.errno, "file_unreadable"), file, kind=type(exc).__name__)
    except (MemoryError, RecursionError) as exc:
        rep.error("file_too_complex", file, kind=type(exc).__name__)
    except Exception as exc:  # a reader's own defect must not stop the batch: report it for this file
        rep.error("file_unexpected", file, kind=type(exc).__name__)
    return []
