"""Delimited text readers (CSV with ``,`` ``;`` tab or ``|``) and text decoding."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.readers.table import HEADER_SEARCH_ROWS, Unit, find_header, read_table


def decode_text(path: Path, rep: Report) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        rep.warning("encoding", str(path))
        return data.decode("cp1252", errors="replace")


def read_delimited(path: Path, fw: Framework, rep: Report) -> list[Unit]:
    text = decode_text(path, rep)
    if not text.strip():
        rep.error("file_empty", str(path))
        return []
    sample = text[:8192]
    try:  # the sniffer's own regular expressions are slow on long lines: give it the first lines only
        dialect = csv.Sniffer().sniff("\n".join(sample.splitlines()[:50])[:8192], delimiters=",;\t|")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows: list[list[str]] = []
    try:
        for r in reader:
            rows.append(list(r))
    except csv.Error as exc:
        code = "csv_field_too_large" if "field larger" in str(exc) else "csv_unreadable"
        rep.error(code, str(path), row=reader.line_num, line=reader.line_num, limit=csv.field_size_limit())
        return []
    header = find_header(rows, fw)
    if header is None:
        rep.error("no_header", str(path), n=HEADER_SEARCH_ROWS)
        return []
    if header[0] > 0:
        rep.warning("header_row", str(path), row=header[0] + 1, found=header[0] + 1)
    if "instance" not in header[1]:
        rep.error("no_header", str(path), n=HEADER_SEARCH_ROWS)
        return []
    return read_table(str(path), None, rows, header, rep)
