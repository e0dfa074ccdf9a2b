"""Safe writers for every file the toolkit writes for people (xlsx, csv, html, text).

* **Atomic**: everything is written to a temporary file in the destination folder, flushed
  to disk and renamed into place, so a killed process leaves the previous file intact.
* **No planted links**: a destination that is a symbolic link is refused.
* **No live formulas**: in xlsx every text cell is stored as text, never as a formula. In
  CSV, a text cell a spreadsheet would execute (starting with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return — the OWASP "CSV injection" rule) is prefixed with ``'``;
  ``raw=True`` writes cells unchanged for programs that read the CSV back.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import Msg

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block ends without error.

    Refuses a destination that is a symbolic link. On error the temporary file is removed and
    the previous file (if any) is untouched.
    """
    path = Path(path)
    if path.is_symlink():
        raise SpbeError(Msg("error.symlink_destination", path=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def neutralise(value):
    """A CSV cell a spreadsheet would run as a formula, made inert with a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _frame(df: pd.DataFrame, index: bool) -> pd.DataFrame:
    out = df.reset_index() if index else df
    return out.copy()


def write_csv(df: pd.DataFrame, path: str | Path, *, index: bool = False, raw: bool = False) -> Path:
    """Write ``df`` as UTF-8 CSV atomically; text cells neutralised unless ``raw``."""
    out = _frame(df, index)
    if not raw:
        for col in out.columns:
            if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
                out[col] = out[col].map(neutralise)
        out.columns = [neutralise(str(c)) for c in out.columns]
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\r\n")  # RFC 4180: fields holding CR or LF get quoted
    return write_text(path, buf.getvalue())


def _cell_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime().replace(tzinfo=None)
    if isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def sheet_title(name: str) -> str:
    """A valid, harmless worksheet name (at most 31 characters, no ``[]:*?/\\``)."""
    return (str(name).translate(_SHEET_NAME_BAD)[:31]) or "Sheet"


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    index: bool = False,
    images: Mapping[str, bytes] | None = None,
) -> Path:
    """Write one sheet per DataFrame (plus PNG ``images``, one sheet each) atomically.

    Text is stored as text: a cell reading ``=1+1`` shows those characters, never a formula.
    """
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image as XLImage

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(sheet_title(name))
        out = _frame(df, index)
        _append_row(ws, [str(c) for c in out.columns], bold=True)
        for row in out.itertuples(index=False, name=None):
            _append_row(ws, row)
        ws.freeze_panes = "A2"
    for name, png in (images or {}).items():
        ws = wb.create_sheet(sheet_title(name))
        ws.add_image(XLImage(io.BytesIO(png)), "A1")
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def _append_row(ws, values, *, bold: bool = False) -> None:
    from openpyxl.styles import Font

    r = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for c, v in enumerate(values, start=1):
        cell = ws.cell(row=r, column=c)
        v = _cell_value(v)
        if isinstance(v, str):
            cell.value = v
            cell.data_type = "s"  # never "f": text stays text
        else:
            cell.value = v
        if bold:
            cell.font = Font(bold=True)


def write_table(df: pd.DataFrame, path: str | Path, *, sheet: str = "Data", index: bool = False) -> Path:
    """``.xlsx`` (one sheet) or ``.csv`` by the file's suffix, safely and atomically."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_xlsx({sheet: df}, path, index=index)
    return write_csv(df, path, index=index)
