"""Reading one level cell: what a person plausibly meant, with a warning for every change.

=====================  =========  =========================================
cell                    result     report
=====================  =========  =========================================
``3`` / ``3.0``         3          —
``"3"``                 3          —
``"3,0"`` / ``"3.0"``   3          warning ``level_text_decimal``
``"3 - Terdefinisi"``   3          warning ``level_with_name`` (name must fit)
``"tiga"``              3          warning ``level_word``
``"Terdefinisi"``       3          warning ``level_name_only``
``2.5`` / ``"2,5"``     —          error ``level_decimal``
empty                   —          error ``level_empty``
out of range            —          error ``level_range``
anything else           —          error ``level_not_number``
=====================  =========  =========================================

A framework with decimal values (``fw.decimals``, Pemdi: 2) takes ``1.26``, ``"1,26"`` and
``"1.26"`` as the number they are, without a warning; more decimals than the framework has is
the error ``level_decimals``. An empty cell of an indicator fed by another national index
(``fw.external``) is no problem: the round counts its default value until the index is imported.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.i18n import Num
from spbe_toolkit.io.readers.table import blank
from spbe_toolkit.vocab import norm_text

NUMBER_WORDS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5}


def _ascii_digits(text: str) -> str:
    """Digits of any script as ASCII digits (fullwidth "３" and Arabic-Indic "٣" → "3")."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def level_name_map(fw: Framework) -> dict[str, dict[str, int]]:
    """kind → {normalised level name → level}."""
    out = {}
    for kind, spec in fw.kinds.items():
        out[kind] = {norm_text(name): int(lv) for lv, name in spec.get("level_names", {}).items()}
    return out


class LevelParser:
    def __init__(self, fw: Framework) -> None:
        self.fw = fw
        self.names = level_name_map(fw)
        self.valid = set(fw.entry_codes)

    def parse(self, raw: Any, indicator: str) -> tuple[int | float | None, list[tuple[str, str, dict]]]:
        """→ (level or None, [(severity, code, params)]); a float for a framework with decimal values."""
        fw = self.fw
        lo, hi = fw.level_min, fw.level_max
        kind = type(raw)  # the common case first: a whole number in range, as calamine gives it (3.0)
        if (kind is float or kind is int) and not fw.decimals and lo <= raw <= hi and raw == int(raw):
            return int(raw), []
        notes: list[tuple[str, str, dict]] = []
        value: int | None = None
        if blank(raw):
            if fw.is_external(indicator):
                return None, []
            return None, [("error", "level_empty", {})]
        if isinstance(raw, bool):
            return None, [("error", "level_not_number", {"value": raw})]
        if fw.decimals:
            return self._parse_decimal(raw, indicator)
        if isinstance(raw, (int, np.integer)):
            value = int(raw)
        elif isinstance(raw, (float, np.floating)):
            if not float(raw).is_integer():
                return None, [("error", "level_decimal", {"value": f"{raw:g}"})]
            value = int(raw)
        else:
            written = str(raw).strip()
            shown = written if len(written) <= 40 else written[:40] + "…"
            s = _ascii_digits(written)
            names = self.names.get(fw.kind_of(indicator), {}) if indicator in self.valid else {}
            if s != written or s.startswith("+"):
                notes.append(("warning", "level_digits_normalised", {"value": shown, "to": s.lstrip("+")}))
            if m := re.fullmatch(r"[+-]?([0-9]+)", s):
                if len(m.group(1).lstrip("0")) > 6:  # thousands of digits: out of range, never converted
                    return None, [("error", "level_range", {"value": shown, "lo": lo, "hi": hi})]
                value = int(s)
            elif m := re.fullmatch(r"([0-9]+)[.,]([0-9]+)", s):
                if int(m.group(2)) != 0:
                    return None, [("error", "level_decimal", {"value": s})]
                value = int(m.group(1))
                notes.append(("warning", "level_text_decimal", {"value": s, "to": value}))
            elif m := re.fullmatch(r"([0-9]+)\s*[-–—:.)]\s*(.+)", s):
                num, name = int(m.group(1)), norm_text(m.group(2))
                if name in names and names[name] != num:
                    return None, [
                        (
                            "error",
                            "level_name_mismatch",
                            {"value": s, "num": num, "name": m.group(2).strip(), "name_level": names[name]},
                        )
                    ]
                if name not in names:
                    return None, [("error", "level_not_number", {"value": s})]
                value = num
                notes.append(("warning", "level_with_name", {"value": s, "to": value}))
            elif norm_text(s) in NUMBER_WORDS:
                value = NUMBER_WORDS[norm_text(s)]
                notes.append(("warning", "level_word", {"value": s, "to": value}))
            elif norm_text(s) in names:
                value = names[norm_text(s)]
                notes.append(("warning", "level_name_only", {"value": s, "to": value}))
            else:
                return None, [("error", "level_not_number", {"value": shown})]
        if not lo <= value <= hi:
            return None, [("error", "level_range", {"value": value, "lo": lo, "hi": hi})]
        return value, notes

    def _parse_decimal(self, raw: Any, indicator: str) -> tuple[float | None, list[tuple[str, str, dict]]]:
        """A value on a decimal scale: a number, or its text with a decimal comma or point."""
        fw = self.fw
        lo, hi, d = fw.level_min, fw.level_max, fw.decimals
        notes: list[tuple[str, str, dict]] = []
        if isinstance(raw, (int, np.integer, float, np.floating)):
            number = float(raw)
            if not np.isfinite(number):
                return None, [("error", "level_not_number", {"value": f"{number:g}"})]
            text = f"{number:g}"
            shown = Num(number, len(text.split(".")[1]) if "." in text and "e" not in text else 0)  # 5,01 / 5.01
        else:
            written = str(raw).strip()
            shown = written if len(written) <= 40 else written[:40] + "…"
            s = _ascii_digits(written)
            if s != written:
                notes.append(("warning", "level_digits_normalised", {"value": shown, "to": s}))
            m = re.fullmatch(r"([0-9]{1,6})(?:[.,]([0-9]+))?(?:\s*[-–—:.)]\s*(.+))?", s)
            if not m:
                names = self.names.get(fw.kind_of(indicator), {}) if indicator in self.valid else {}
                if norm_text(s) in names:  # a level name alone: the whole level it names
                    value = float(names[norm_text(s)])
                    return value, [("warning", "level_name_only", {"value": s, "to": fw.format_value(value)})]
                return None, [("error", "level_not_number", {"value": shown})]
            if m.group(2) and len(m.group(2).rstrip("0")) > d:
                return None, [("error", "level_decimals", {"value": shown, "d": d})]
            number = float(f"{m.group(1)}.{m.group(2) or 0}")
            if m.group(3) is not None:
                names = self.names.get(fw.kind_of(indicator), {}) if indicator in self.valid else {}
                name = norm_text(m.group(3))
                if name not in names:
                    return None, [("error", "level_not_number", {"value": shown})]
                if names[name] != fw.level_of(number):
                    return None, [("error", "level_name_mismatch", {"value": s, "num": m.group(1), "name": m.group(3).strip(),
                                                                     "name_level": names[name]})]  # fmt: skip
                notes.append(("warning", "level_with_name", {"value": s, "to": fw.format_value(number)}))
        scaled = number * 10**d
        if abs(scaled - round(scaled)) > 1e-6:
            return None, [("error", "level_decimals", {"value": shown, "d": d})]
        value = round(scaled) / 10**d
        if not lo <= value <= hi:  # the number in the language of the message: 0,99 / 0.99
            return None, [("error", "level_range", {"value": Num(value, d), "lo": lo, "hi": hi})]
        return value, notes
