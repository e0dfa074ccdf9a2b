"""Exception hierarchy. Every error names the file, row, instance and indicator concerned.

Each error carries both languages: ``error.pesan`` (Bahasa Indonesia) and ``error.message``
(English); ``str(error)`` is in the configured language (:func:`spbe_toolkit.i18n.set_language`).
Raise with a catalogue text, ``SpbeError(Msg("error.no_workspace", path=p))``, so that
nothing a person reads exists in one language only.
"""

from __future__ import annotations

from collections.abc import Iterable

from spbe_toolkit import i18n
from spbe_toolkit.i18n import Msg, get_language, tr


def _text(value: Msg | str, lang: str) -> str:
    return value.text(lang) if isinstance(value, Msg) else str(value)


class SpbeError(Exception):
    """Base class of every error raised by spbe-toolkit."""

    def __init__(self, message: Msg | str = "", *, pesan: str | None = None) -> None:
        self.msg = message if isinstance(message, Msg) else None
        self.message = _text(message, "en")
        self.pesan = pesan if pesan is not None else _text(message, "id")
        super().__init__(self.message)

    def text(self, lang: str | None = None) -> str:
        """The full error text in ``lang`` (default: the configured language)."""
        return self.pesan if (lang or get_language()) == "id" else self.message

    def __str__(self) -> str:
        return self.text()


class ValidationError(SpbeError, ValueError):
    """A framework file or a levels table breaks a rule.

    ``problems`` holds one line per offending item in the configured language (and
    ``problem_msgs`` the same lines with both languages), so callers can show them all at
    once instead of fixing one per run.
    """

    def __init__(self, message: Msg | str, problems: Iterable[Msg | str] = (), *, pesan: str | None = None) -> None:
        self.problem_msgs = list(problems)
        self.problems = [str(p) for p in self.problem_msgs]
        super().__init__(message, pesan=pesan)
        self.message = self._with_problems(self.message, "en")
        self.pesan = self._with_problems(self.pesan, "id")

    def _with_problems(self, head: str, lang: str) -> str:
        if not self.problem_msgs:
            return head
        shown = self.problem_msgs[:50]
        text = head + "\n" + "\n".join(f"  - {_text(p, lang)}" for p in shown)
        if len(self.problem_msgs) > len(shown):
            text += "\n  " + tr("error.and_more", lang, n=len(self.problem_msgs) - len(shown))
        return text


class SubmissionError(SpbeError):
    """Raised by ``read_submissions(strict=True)``; carries the full problems table."""

    def __init__(self, message: Msg | str, problems=None, *, pesan: str | None = None) -> None:  # problems: DataFrame
        self.problems = problems
        super().__init__(message, pesan=pesan)


class ConflictError(SpbeError):
    """Someone else changed the value an evaluator was editing in the meantime."""


i18n.LANGUAGE_ERROR[0] = ValidationError  # an unknown language is a ValidationError (i18n cannot import us)
