"""The problems report of a submission batch: one row per problem, both languages kept."""

from __future__ import annotations

from typing import Any

from spbe_toolkit.i18n import tr

PROBLEM_COLUMNS = ["file", "sheet", "row", "instance", "indicator", "severity", "code", "pesan", "message"]


class Report:
    """Collects problems while files are read and checked (``code`` is a ``problem.*`` text)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(
        self, severity: str, code: str, file: str, *, sheet=None, row=None, instance=None, indicator=None, **params
    ) -> None:
        params = {"sheet": sheet, "instance": instance, "indicator": indicator, **params}
        self.items.append(
            {
                "file": file,
                "sheet": sheet,
                "row": row,
                "instance": instance,
                "indicator": indicator,
                "severity": severity,
                "code": code,
                "pesan": tr(f"problem.{code}", "id", **params),
                "message": tr(f"problem.{code}", "en", **params),
            }
        )

    def error(self, code: str, file: str, **kw) -> None:
        self.add("error", code, file, **kw)

    def warning(self, code: str, file: str, **kw) -> None:
        self.add("warning", code, file, **kw)
