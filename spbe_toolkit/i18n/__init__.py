"""One translation mechanism for everything a person reads.

Every user-facing text lives once in ``catalog.toml`` beside this module as
``key = ["Bahasa Indonesia", "English"]`` under a section (``problem``, ``memo``, ``widget``,
``cli``, ``error``, ``column``, ``value`` …). Code refers to texts by ``"section.key"``:

>>> tr("problem.file_missing", "en")
'File not found.'

The language of an output is chosen per call (``lang=``) or, when not given, by the
configured language: :func:`set_language`, :func:`use_language`, or the ``SPBE_LANG``
environment variable; Bahasa Indonesia by default. :class:`Msg` keeps a text unresolved so
that both languages stay available (exceptions carry ``.pesan`` and ``.message``).

Numbers, dates and times for people are formatted here too: decimal comma in Indonesian,
times in WIB (Asia/Jakarta) as "29 November 2026 10.27 WIB".
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

LANGS = ("id", "en")
WIB = ZoneInfo("Asia/Jakarta")
_state: dict[str, str] = {}


@lru_cache(maxsize=1)
def catalog() -> dict[str, tuple[str, str]]:
    """``"section.key"`` → (Indonesian, English), read once from ``catalog.toml``."""
    data = tomllib.loads((resources.files(__package__) / "catalog.toml").read_text(encoding="utf-8"))
    out: dict[str, tuple[str, str]] = {}

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key}.", value)
            else:
                out[prefix + key] = (value[0], value[1])

    walk("", data)
    return out


LANGUAGE_ERROR: list[type[Exception]] = [ValueError]
"""The exception an unknown language raises: :class:`spbe_toolkit.errors.ValidationError` once
``errors`` is imported (it registers itself here, so that this module imports nothing above it)."""


def check_lang(lang: str | None) -> str:
    """``lang`` itself when valid, the configured language when None; otherwise an error."""
    if lang is None:
        return get_language()
    if lang not in LANGS:
        raise LANGUAGE_ERROR[0](Msg("error.bad_lang", value=lang, choices=", ".join(LANGS)))
    return lang


def get_language() -> str:
    """The configured output language: set_language(), else ``SPBE_LANG``, else ``"id"``."""
    lang = _state.get("lang") or os.environ.get("SPBE_LANG", "id")
    return lang if lang in LANGS else "id"


def set_language(lang: str) -> None:
    """Choose the language of every output that is not given ``lang=`` (``"id"`` or ``"en"``)."""
    _state["lang"] = check_lang(lang)


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Within the block, outputs without ``lang=`` use ``lang`` (None: unchanged)."""
    before = _state.get("lang")
    if lang is not None:
        _state["lang"] = check_lang(lang)
    try:
        yield get_language()
    finally:
        if before is None:
            _state.pop("lang", None)
        else:
            _state["lang"] = before


def tr(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text ``key`` in ``lang`` (default: the configured language), ``{…}`` filled from ``params``."""
    pair = catalog()[key]
    text = pair[LANGS.index(check_lang(lang))]
    if not params:
        return text
    return text.format(**{k: _resolve(v, lang) for k, v in params.items()})


def has(key: str) -> bool:
    return key in catalog()


def _resolve(value: Any, lang: str | None) -> Any:
    return value.text(lang) if isinstance(value, (Msg, TimeText, Num, Pair)) else value


class Msg:
    """A text not yet put into a language: ``Msg("problem.level_empty")``; ``str()`` uses the
    configured language, :meth:`text` a chosen one. Parameters may themselves be ``Msg``."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        if key not in catalog():
            raise KeyError(f"no text {key!r} in the catalogue")
        self.key = key
        self.params = params

    def text(self, lang: str | None = None) -> str:
        return tr(self.key, lang, **self.params)

    @property
    def id(self) -> str:
        return self.text("id")

    @property
    def en(self) -> str:
        return self.text("en")

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.params!r})"


def labels(section: str, lang: str | None = None) -> Mapping[str, str]:
    """Every text of a section in one language, keyed without the section (for templates);
    read-only, gathered once per section and language."""
    return _labels(section, check_lang(lang))


@lru_cache(maxsize=64)
def _labels(section: str, lang: str) -> Mapping[str, str]:
    i = LANGS.index(lang)
    prefix = section + "."
    return MappingProxyType({k[len(prefix) :]: v[i] for k, v in catalog().items() if k.startswith(prefix)})


# --------------------------------------------------------------------------- numbers and times
def number(value: Any, lang: str | None = None, digits: int = 2, *, sign: bool = False) -> str:
    """A number as people read it: ``3,12`` in Indonesian, ``3.12`` in English; "—" for none."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if v != v:  # NaN
        return "—"
    s = f"{v:+,.{digits}f}" if sign else f"{v:,.{digits}f}"
    if check_lang(lang) == "id":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


_MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}  # fmt: skip


def _as_wib(value: Any) -> datetime | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        try:  # pandas Timestamp and friends
            value = value.to_pydatetime()
        except AttributeError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(WIB)


def date_text(value: Any = None, lang: str | None = None) -> str:
    """A date as in a government letter: "29 November 2026" (WIB); today when ``value`` is None."""
    d = _as_wib(value) if value is not None else datetime.now(WIB)
    if d is None:
        return str(value)
    return f"{d.day} {_MONTHS[check_lang(lang)][d.month - 1]} {d.year}"


def time_text(value: Any, lang: str | None = None) -> str:
    """A stored time (ISO text, UTC) as people read it: "29 November 2026 10.27 WIB"."""
    d = _as_wib(value)
    if d is None:
        return "" if value is None or (isinstance(value, float) and value != value) else str(value)
    lang = check_lang(lang)
    clock = f"{d.hour:02d}.{d.minute:02d}" if lang == "id" else f"{d.hour:02d}:{d.minute:02d}"
    return f"{date_text(d, lang)} {clock} WIB"


class TimeText:
    """A stored time that becomes text in the language of the message it is put in."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def text(self, lang: str | None = None) -> str:
        return time_text(self.value, lang)


class Pair:
    """A text already written in both languages (e.g. a problem's ``pesan`` and ``message``)."""

    __slots__ = ("en", "id")

    def __init__(self, id: str, en: str) -> None:  # noqa: A002 - the language code
        self.id, self.en = id, en

    def text(self, lang: str | None = None) -> str:
        return self.id if check_lang(lang) == "id" else self.en


class Num:
    """A number that becomes text in the language of the message it is put in (3,12 / 3.12)."""

    __slots__ = ("digits", "sign", "value")

    def __init__(self, value: Any, digits: int = 2, *, sign: bool = False) -> None:
        self.value, self.digits, self.sign = value, digits, sign

    def text(self, lang: str | None = None) -> str:
        return number(self.value, lang, self.digits, sign=self.sign)


def now_iso() -> str:
    """The current time as stored: ISO 8601 in UTC with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


__all__ = [
    "LANGS",
    "Msg",
    "Num",
    "Pair",
    "TimeText",
    "catalog",
    "check_lang",
    "date_text",
    "get_language",
    "labels",
    "now_iso",
    "number",
    "set_language",
    "time_text",
    "tr",
    "use_language",
]
