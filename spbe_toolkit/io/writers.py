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


def _plain_number(v: float, decimal_mark: str) -> str:
    """A float as people write it: no binary noise (−0.07699999999999996 → −0.077), the
    language's decimal mark."""
    text = repr(round(v, 10))
    text = text[:-2] if text.endswith(".0") else text
    return text.replace(".", decimal_mark) if decimal_mark != "." else text


def write_csv(df: pd.DataFrame, path: str | Path, *, index: bool = False, raw: bool = False,
              decimal_mark: str = ".") -> Path:  # fmt: skip
    """Write ``df`` as UTF-8 CSV atomically; text cells neutralised unless ``raw``.

    ``decimal_mark=","`` (Indonesian) writes decimals as ``2,45`` with ``;`` between fields, as
    a spreadsheet set to that language reads them; floats never carry binary noise."""
    out = _frame(df, index)
    if not raw:
        for col in out.columns:
            if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
                out[col] = out[col].map(neutralise)
        out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype) or out[col].dtype == object:
            out[col] = out[col].map(lambda v: _plain_number(v, decimal_mark) if _is_float(v) else v)
    buf = io.StringIO()
    sep = ";" if decimal_mark == "," else ","
    out.to_csv(buf, index=False, lineterminator="\r\n", sep=sep)  # RFC 4180: fields holding CR or LF get quoted
    return write_text(path, buf.getvalue())


def _is_float(v) -> bool:
    return isinstance(v, (float, np.floating)) and not isinstance(v, bool) and np.isfinite(v)


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


NUMBER_FORMATS = {"int": "0", "float": "0.000"}  # three decimals shown; the stored value is exact
_MIN_WIDTH, _MAX_WIDTH, _WIDTH_SAMPLE = 8, 60, 500


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    index: bool = False,
    images: Mapping[str, bytes] | None = None,
    title_rows: Mapping[str, list[str]] | None = None,
) -> Path:
    """Write one sheet per DataFrame (plus PNG ``images``, one sheet each) atomically, as a
    workbook to send on: a bold header row that is frozen and filtered, columns as wide as
    their content (8–60), numbers as numbers (whole ones as ``0``, others shown with three
    decimals), in time linear in the number of cells (XlsxWriter, which writes rows as they
    come). ``title_rows``: lines of text written above a sheet's table (e.g. the instance and
    date of a list).

    Text is stored as text: a cell reading ``=1+1`` shows those characters, never a formula
    (longer text than a cell holds, 32,767 characters, is cut there).
    """
    import xlsxwriter

    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})  # fmt: skip
        bold = wb.add_format({"bold": True})
        formats = {kind: wb.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
        used: set[str] = set()
        for name, df in sheets.items():
            ws = wb.add_worksheet(_unique_title(name, used))
            out = _frame(df, index)
            top = 0
            for line in (title_rows or {}).get(name, []):
                ws.write_string(top, 0, _cut(line), bold)
                top += 1
            if top:
                top += 1  # an empty row between the title lines and the table
            widths = [len(str(c)) for c in out.columns]
            for c, label in enumerate(out.columns):
                ws.write_string(top, c, _cut(str(label)), bold)
            kinds = [_kind(out[col]) for col in out.columns]
            for r, row in enumerate(out.itertuples(index=False, name=None), start=top + 1):
                sample = r - top <= _WIDTH_SAMPLE
                for c, v in enumerate(row):
                    v = _cell_value(v)
                    if v is None:
                        continue
                    if isinstance(v, str):
                        ws.write_string(r, c, _cut(v))
                        shown = len(v)
                    elif isinstance(v, bool):
                        ws.write_boolean(r, c, v)
                        shown = 5
                    elif isinstance(v, (int, float)):
                        whole = kinds[c] == "int" or (isinstance(v, int) and kinds[c] != "float")
                        if isinstance(v, float) and not np.isfinite(v):
                            ws.write_string(r, c, str(v))
                        else:
                            ws.write_number(r, c, v, formats["int" if whole else "float"])
                        shown = len(str(v)) if whole else len(f"{v:.3f}")
                    else:
                        ws.write_string(r, c, _cut(str(v)))
                        shown = len(str(v))
                    if sample and shown > widths[c]:
                        widths[c] = shown
            for c, width in enumerate(widths):
                ws.set_column(c, c, min(_MAX_WIDTH, max(_MIN_WIDTH, width + 2)))
            if len(out.columns):
                ws.freeze_panes(top + 1, 0)
                ws.autofilter(top, 0, top + max(len(out), 1), len(out.columns) - 1)
        for name, png in (images or {}).items():
            ws = wb.add_worksheet(_unique_title(name, used))
            ws.insert_image(0, 0, f"{sheet_title(name)}.png", {"image_data": io.BytesIO(png)})
        wb.close()
    return Path(path)


_CELL_LIMIT = 32_767  # the most characters an xlsx cell holds


def _cut(text: str) -> str:
    return text if len(text) <= _CELL_LIMIT else text[:_CELL_LIMIT]


def _unique_title(name: str, used: set[str]) -> str:
    """A valid sheet name not yet used in this workbook (Excel compares them case-blind)."""
    title, n = sheet_title(name), 1
    while title.lower() in used:
        n += 1
        suffix = f" ({n})"
        title = sheet_title(name)[: 31 - len(suffix)] + suffix
    used.add(title.lower())
    return title


def _kind(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column.dtype):
        return "other"
    if pd.api.types.is_integer_dtype(column.dtype):
        return "int"
    if pd.api.types.is_float_dtype(column.dtype):
        return "float"
    return "other"


def write_table(df: pd.DataFrame, path: str | Path, *, sheet: str = "Data", index: bool = False) -> Path:
    """``.xlsx`` (one sheet) or ``.csv`` by the file's suffix, safely and atomically."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_xlsx({sheet: df}, path, index=index)
    return write_csv(df, path, index=index)
