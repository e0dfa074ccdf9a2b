"""Reading budgets: what one submission file may cost before anything is read.

Every limit is checked from the file's own structure (the zip directory and a streaming
pass over the sheet XML) before a spreadsheet engine allocates anything, so a hostile file
costs bounded memory and time and becomes a problem row naming the limit it broke. Each
limit can be raised by a team that really needs more: ``read_submissions(limits=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    """Limits per submission file (defaults fit a national export with room to spare)."""

    max_bytes: int = 20 * 2**20
    """Size of the file on disk."""
    max_inflated_bytes: int = 100 * 2**20
    """Sum of the uncompressed sizes of an xlsx file's parts (a "zip bomb" inflates far beyond this)."""
    max_sheets: int = 100
    max_rows: int = 100_000
    """Highest row number used in a sheet."""
    max_cells: int = 1_000_000
    """Cells with content in one file."""
    max_dense_cells: int = 2_000_000
    """Rows × columns of a sheet's used range that a spreadsheet engine may allocate; a sheet
    above it (a few cells far apart) is read cell by cell instead."""
    max_strings: int = 1_000_000
    """Entries in the shared-strings table."""
    max_string_chars: int = 32_767
    """Characters of one text (Excel's own limit for a cell)."""

    def scaled(self, **changes: int) -> ReadLimits:
        """A copy with some limits changed."""
        from dataclasses import replace

        return replace(self, **changes)


DEFAULT_LIMITS = ReadLimits()


class LimitExceeded(Exception):
    """A file broke a reading limit: ``what`` names it (``limit_<what>`` in the catalogue)."""

    def __init__(self, what: str, *, sheet: str | None = None, **params) -> None:
        super().__init__(what)
        self.what = what
        self.sheet = sheet
        self.params = params
