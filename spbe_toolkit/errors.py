"""Exception hierarchy. Every error names the file, row, instance and indicator concerned."""

from __future__ import annotations

from collections.abc import Iterable


class SpbeError(Exception):
    """Base class of every error raised by spbe-toolkit.

    ``str(error)`` is English; ``error.pesan`` is the Indonesian text shown to users in
    widgets and memos (it falls back to the English text where none was given).
    """

    def __init__(self, message: str = "", *, pesan: str | None = None) -> None:
        super().__init__(message)
        self.pesan = pesan or message


class ValidationError(SpbeError, ValueError):
    """A framework file or a levels table breaks a rule.

    ``problems`` holds one human-readable line per offending item, so callers can show
    them all at once instead of fixing one per run.
    """

    def __init__(self, message: str, problems: Iterable[str] = (), *, pesan: str | None = None) -> None:
        self.problems = list(problems)
        text = message
        if self.problems:
            shown = self.problems[:50]
            text += "\n" + "\n".join(f"  - {p}" for p in shown)
            if len(self.problems) > len(shown):
                text += f"\n  … and {len(self.problems) - len(shown)} more"
        super().__init__(text, pesan=pesan)


class SubmissionError(SpbeError):
    """Raised by ``read_submissions(strict=True)``; carries the full problems table."""

    def __init__(self, message: str, problems=None, *, pesan: str | None = None) -> None:  # problems: DataFrame
        self.problems = problems
        super().__init__(message, pesan=pesan)


class ConflictError(SpbeError):
    """Someone else changed the value an evaluator was editing in the meantime."""
