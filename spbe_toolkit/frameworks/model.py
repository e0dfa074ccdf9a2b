"""The Framework model: loading a framework file and refusing a broken one.

A framework file is TOML (standard library ``tomllib``) with the hierarchy (domains,
aspects, indicators with string codes), weights in percent of the index, the level range,
level names per indicator kind, predicate bands and provenance notes. See
``spbe2020.toml`` beside this module for the full shape.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks.criteria import GENERAL, WORDINGS, criteria_problems, lookup, parse_criteria
from spbe_toolkit.i18n import Msg, check_lang, number, tr
from spbe_toolkit.paths import MAX_TEXT_BYTES, TextTooLarge, read_text_bounded

_BUILTIN_PACKAGE = "spbe_toolkit.frameworks"
_WEIGHT_TOLERANCE = 1e-6
_MAX_LEVEL = 10  # a maturity scale longer than this is a typing error, not a framework
# Scales tried to turn weights into exact integers (weights of 59/2020 are multiples of 0.05).
_UNIT_SCALES = (1, 2, 4, 5, 10, 20, 25, 40, 50, 100, 200, 1000, 10000)


@dataclass(frozen=True)
class Band:
    """A predicate band: ``lower <= value < upper`` (the top band includes its upper bound)."""

    predicate: str
    lower: float
    upper: float


@dataclass(frozen=True)
class ExternalIndex:
    """A national index that feeds indicators (Pemdi: SDI → 5 and 18, …), with the conversion
    of its raw value to the framework's value scale (piecewise linear through ``points``)."""

    code: str
    name: str
    name_en: str
    agency: str
    agency_en: str
    indicators: tuple[str, ...]
    raw_min: float
    raw_max: float
    points: tuple[tuple[float, float], ...]  # (raw value, framework value), raw increasing
    examples: tuple[tuple[float, float], ...] = ()  # observed conversions the points must reproduce
    status: str = "unconfirmed"
    source: str = ""

    def convert(self, raw: float, decimals: int = 2) -> float:
        """The framework value of a raw index value, rounded half-up to ``decimals``."""
        xs, ys = zip(*self.points)
        value = float(np.interp(float(raw), xs, ys))
        f = 10**decimals
        return math.floor(value * f + 0.5 + 1e-9) / f

    def conversion_text(self) -> str:
        """The conversion as stored with every imported value: index code and points
        (linear between them), e.g. ``"sdi: 0 → 1; 100 → 5"``."""
        pts = "; ".join(f"{x:g} → {y:g}" for x, y in self.points)
        return f"{self.code}: {pts}"

    def label(self, lang: str | None = None) -> str:
        """The index's name in the language asked."""
        return self.name if check_lang(lang) == "id" else self.name_en

    def agency_label(self, lang: str | None = None) -> str:
        return self.agency if check_lang(lang) == "id" else self.agency_en


@dataclass(frozen=True, eq=False)
class Framework:
    """A validated evaluation framework. Build it with :func:`load_framework`."""

    name: str
    title: str
    regulation: str
    level_min: int
    level_max: int
    bands: tuple[Band, ...]
    kinds: dict[str, dict[str, Any]]
    domains: pd.DataFrame
    aspects: pd.DataFrame
    indicators: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    first_year: int | None = None
    last_year: int | None = None
    source: str = ""
    governs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # policy indicator → indicators it governs
    criteria: dict = field(default_factory=dict)  # (indicator, level) → texts; see frameworks.criteria
    criteria_text: str = ""  # the criteria CSV as read (workspaces keep it with the framework)
    system: str = "SPBE"  # what the evaluated system is called in texts: SPBE, or Pemdi from 8/2026
    coordination_indicator: str | None = None  # whose first responsible unit coordinates the evaluation
    decimals: int = 0  # indicator values: whole levels (0), or values with this many decimals (Pemdi: 2)
    external: dict[str, ExternalIndex] = field(default_factory=dict)  # index code → the index
    external_default: float | None = None  # value of an externally fed indicator until imported

    # ----------------------------------------------------------------- values
    @property
    def value_scale(self) -> int:
        """10 ** decimals: an indicator value × this is a whole number."""
        return 10**self.decimals

    @cached_property
    def external_by_indicator(self) -> dict[str, ExternalIndex]:
        """Indicator code → the national index that feeds it."""
        return {c: ext for ext in self.external.values() for c in ext.indicators}

    def is_external(self, indicator: str) -> bool:
        return str(indicator) in self.external_by_indicator

    @property
    def value_dtype(self) -> str:
        """The dtype of a column of values: ``int64`` for whole levels, ``float64`` with decimals."""
        return "float64" if self.decimals else "int64"

    def as_value(self, value) -> int | float:
        """A stored or typed value as this framework holds it: an int for whole levels, a float
        rounded to the framework's decimals otherwise (2 → 2.0; 1.2600000001 → 1.26)."""
        if not self.decimals:
            return int(value)
        return round(float(value), self.decimals)

    def on_scale(self, value) -> bool:
        """A finite number with at most the framework's decimals (whole for 59/2020), not a bool."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return False
        if not math.isfinite(value):
            return False
        scaled = float(value) * self.value_scale
        return abs(scaled - round(scaled)) <= 1e-6

    def level_of(self, value: float) -> int:
        """The level of a value: its whole part (1,26 → 1; 5,00 → 5)."""
        return int(math.floor(float(value) + 1e-9))

    def format_value(self, value, lang: str | None = None) -> str:
        """A value as people read it: ``3`` for whole levels, ``1,26`` / ``1.26`` with decimals."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if not self.decimals:
            return str(int(round(float(value))))
        return number(value, lang, self.decimals)

    def value_label(self, indicator: str, value, lang: str | None = None) -> str:
        """``"1,26 (Rintisan)"`` — a value with the name of its level; ``"3 — Terdefinisi"`` for
        whole levels (as :meth:`level_label`)."""
        if not self.decimals:
            return self.level_label(indicator, int(round(float(value))), lang)
        name = self.level_names(indicator).get(self.level_of(value), "")
        shown = self.format_value(value, lang)
        return f"{shown} ({name})" if name else shown

    def index_level_label(self, value, lang: str | None = None) -> str:
        """``"Tingkat 1 · Rintisan"``: the level an index value stands at, with its name (the
        names of the first indicator kind; Pemdi has one)."""
        lv = self.level_of(value)
        names = self.level_names(self.codes[0])
        text = tr("value.level_n", lang, n=lv)
        return f"{text} · {names[lv]}" if names.get(lv) else text

    # ----------------------------------------------------------------- structure
    @property
    def codes(self) -> list[str]:
        """Indicator codes in framework order."""
        return self.indicators["indicator"].tolist()

    @cached_property
    def entry_code_set(self) -> frozenset[str]:
        """Every code a submission may carry: the indicators and their sub-items (read once per
        framework: readers check it for every cell)."""
        return frozenset(self.codes) | frozenset(self.subitem_parent)

    @cached_property
    def indicator_frame(self) -> pd.DataFrame:
        """The indicators table indexed by code, built once (read it; do not modify it)."""
        return self.indicators.set_index("indicator")

    @cached_property
    def code_subitems(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(indicator code, its sub-item codes) in framework order."""
        return tuple((c, tuple(subs)) for c, subs in zip(self.codes, self.indicators["subitems"]))

    @property
    def has_domains(self) -> bool:
        return len(self.domains) > 0

    @property
    def domain_codes(self) -> list[str]:
        return self.domains["code"].tolist()

    @property
    def aspect_codes(self) -> list[str]:
        return self.aspects["code"].tolist()

    @property
    def levels(self) -> range:
        """The allowed integer levels, e.g. ``range(1, 6)``."""
        return range(self.level_min, self.level_max + 1)

    @property
    def predicates(self) -> list[str]:
        """Predicate names from the lowest band to the highest."""
        return [b.predicate for b in self.bands]

    @cached_property
    def entry_codes(self) -> list[str]:
        """Codes as they are entered: each indicator, or its sub-items in its place (…, 34, 35a, 35b, 35c)."""
        out: list[str] = []
        for code, subs in zip(self.indicators["indicator"], self.indicators["subitems"]):
            out.extend(subs or (code,))
        return out

    @cached_property
    def subitem_parent(self) -> dict[str, str]:
        """Map of sub-item code (e.g. ``"35a"``) to its indicator (``"35"``)."""
        out: dict[str, str] = {}
        for code, subs in zip(self.indicators["indicator"], self.indicators["subitems"]):
            for s in subs:
                out[s] = code
        return out

    @cached_property
    def weight_scale(self) -> int:
        """Smallest integer k such that every weight × k is a whole number (exact sums)."""
        w = self.indicators["weight"].to_numpy(dtype=float)
        for k in _UNIT_SCALES:
            if np.allclose(w * k, np.round(w * k), rtol=0, atol=1e-9):
                return k
        return 0  # weights are not on a decimal grid: arithmetic falls back to floats

    @cached_property
    def weight_units(self) -> np.ndarray:
        """Indicator weights × :attr:`weight_scale` as exact integers (float64 array)."""
        w = self.indicators["weight"].to_numpy(dtype=float)
        k = self.weight_scale
        return np.round(w * k) if k else w

    @property
    def aspect_weights(self) -> pd.Series:
        """Aspect weight (percent of the index) by aspect code."""
        return self.aspects.set_index("code")["weight"]

    @property
    def domain_weights(self) -> pd.Series:
        """Domain weight (percent of the index) by domain code; empty without domains."""
        return self.domains.set_index("code")["weight"]

    @cached_property
    def _kinds_by_code(self) -> dict[str, str]:
        kinds = dict(zip(self.indicators["indicator"], self.indicators["kind"]))
        kinds.update({s: kinds[p] for s, p in self.subitem_parent.items()})
        return kinds

    def kind_of(self, indicator: str) -> str:
        """The kind of an indicator (or sub-item), e.g. ``"proses"`` or ``"layanan"``."""
        return self._kinds_by_code[str(indicator)]

    @cached_property
    def _names_by_code(self) -> dict[str, str]:
        return dict(zip(self.indicators["indicator"], self.indicators["name"]))

    def entry_name(self, code: str) -> str:
        """How an indicator is named for people: its name, and for a sub-item the name
        followed by the sub-item code ("Layanan publik … (35a)")."""
        code = str(code)
        base = self.subitem_parent.get(code, code)
        return self._names_by_code[base] + (f" ({code})" if code != base else "")

    def level_names(self, indicator: str) -> dict[int, str]:
        """Level → name for one indicator, e.g. ``{1: "Rintisan", …}``."""
        kind = self.kinds[self.kind_of(indicator)]
        return {int(k): v for k, v in kind["level_names"].items()}

    def level_label(self, indicator: str, level: int, lang: str | None = None) -> str:
        """``"3 — Terdefinisi"`` for widgets and memos; ``"Tingkat 3"`` where the framework
        has no official name for the level."""
        name = self.level_names(indicator).get(int(level), "")
        return f"{int(level)} — {name}" if name else tr("value.level_n", lang, n=int(level))

    @property
    def has_criteria(self) -> bool:
        return bool(self.criteria)

    def criterion(self, indicator: str, level: int, wording: str = "regulation") -> str | None:
        """The criterion of ``level`` for ``indicator`` in the regulation's wording (default) or
        the evaluation guide's (``wording="guide"``); None where the sources are silent."""
        if wording not in WORDINGS:
            raise ValidationError(Msg("framework.bad_wording", value=repr(wording), choices=", ".join(WORDINGS)))
        cell = self.criteria.get((self.subitem_parent.get(str(indicator), str(indicator)), str(int(level))))
        return cell[wording] if cell else None

    def evidence(self, indicator: str, level: int) -> str | None:
        """The documents expected as evidence of ``level`` (Kriteria Bukti Dukung), or None."""
        cell = self.criteria.get((self.subitem_parent.get(str(indicator), str(indicator)), str(int(level))))
        return cell["evidence"] if cell else None

    def evidence_note(self, indicator: str) -> str | None:
        """The indicator's general note on evidence, or None."""
        cell = self.criteria.get((self.subitem_parent.get(str(indicator), str(indicator)), GENERAL))
        return cell["evidence"] if cell else None

    def summary(self) -> dict[str, Any]:
        """Counts and weights in one dict (used by ``spbe frameworks``)."""
        return {
            "name": self.name,
            "regulation": self.regulation,
            "domains": len(self.domains),
            "aspects": len(self.aspects),
            "indicators": len(self.indicators),
            "levels": f"{self.level_min}–{self.level_max}",
            "bands": " / ".join(f"{b.predicate} ≥ {b.lower:g}" for b in reversed(self.bands)),
            "domain_weights": ", ".join(f"{c} {w:g}" for c, w in self.domain_weights.items()),
            "aspect_weights": ", ".join(f"{c} {w:g}" for c, w in self.aspect_weights.items()),
        }

    def external_table(self, lang: str | None = None) -> pd.DataFrame:
        """The national indices feeding indicators, for people: index_code, index_name,
        indicators, agency, conversion (its points, linear between them), status, source."""
        rows = []
        for ext in self.external.values():
            points = "; ".join(f"{number(x, lang, 2)} → {number(y, lang, 2)}" for x, y in ext.points)
            rows.append({"index_code": ext.code, "index_name": ext.label(lang), "indicators": ", ".join(ext.indicators),
                         "agency": ext.agency_label(lang), "conversion": tr("value.conversion_linear", lang, points=points),
                         "status": tr(f"value.conversion_status.{ext.status}", lang), "source": ext.source})  # fmt: skip
        return pd.DataFrame(rows, columns=["index_code", "index_name", "indicators", "agency", "conversion", "status",
                                           "source"])  # fmt: skip

    def title_in(self, lang: str | None = None) -> str:
        """The framework's human title in ``lang`` (the catalogue's ``framework_title.<name>``;
        a framework the catalogue does not know keeps the title its definition gives)."""
        try:
            return tr(f"framework_title.{self.name}", lang)
        except KeyError:
            return self.title or self.name

    def __repr__(self) -> str:
        values = tr("value.scale_decimal", None, d=self.decimals) if self.decimals else ""
        return "<" + tr("value.framework_repr", None, name=self.name, d=len(self.domains), a=len(self.aspects),
                        i=len(self.indicators), lo=self.level_min, hi=self.level_max, values=values) + ">"  # fmt: skip


# --------------------------------------------------------------------------- loading
def list_frameworks() -> list[str]:
    """Names of the frameworks shipped with the package, sorted."""
    files = resources.files(_BUILTIN_PACKAGE).iterdir()
    return sorted(f.name[: -len(".toml")] for f in files if f.name.endswith(".toml"))


_CACHE: dict[str, Framework] = {}


def framework_table(verbose: bool = False) -> pd.DataFrame:
    """One row per built-in framework: regulation, counts, level range, bands, weights."""
    df = pd.DataFrame([load_framework(n).summary() for n in list_frameworks()]).set_index("name")
    cols = ["domains", "aspects", "indicators", "levels", "bands", "domain_weights"]
    return df[["regulation", *cols, "aspect_weights"]] if verbose else df[cols]


def framework_of_round(meta) -> Framework:
    """The framework a round was created with, from its stored settings (``framework_toml``,
    its source and criteria text)."""
    source = meta.get("framework_source", "")
    builtin = source.removesuffix(" (built-in)")
    return framework_from_text(
        meta["framework_toml"], source, criteria_text=meta.get("framework_criteria"),
        base=framework_base(builtin) if source.endswith("(built-in)") else None,
    )  # fmt: skip


def framework_base(name_or_path: str | Path):
    """The folder a framework file's companions (criteria) are read from."""
    if isinstance(name_or_path, str) and name_or_path in list_frameworks():
        return resources.files(_BUILTIN_PACKAGE)
    return Path(name_or_path).parent


def resolve_framework(name_or_path: str | Path) -> tuple[str, str]:
    """(TOML text, source label) of a built-in framework name or a framework file: the one
    place a framework is looked up (workspaces store the text they were created with)."""
    if isinstance(name_or_path, str) and name_or_path in list_frameworks():
        ref = resources.files(_BUILTIN_PACKAGE) / f"{name_or_path}.toml"
        return ref.read_text(encoding="utf-8"), f"{name_or_path} (built-in)"
    path = Path(name_or_path)
    if not path.is_file():
        raise ValidationError(
            Msg("framework.unknown", value=repr(str(name_or_path)), names=", ".join(list_frameworks()))
        )
    try:
        return read_text_bounded(path), str(path)
    except TextTooLarge as exc:
        raise ValidationError(Msg("framework.too_large", source=str(path), limit=MAX_TEXT_BYTES)) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(Msg("framework.not_utf8", source=str(path))) from exc
    except OSError as exc:
        raise ValidationError(Msg("framework.unreadable", source=str(path), kind=type(exc).__name__)) from exc


def framework_from_text(text: str, source: str, *, base=None, criteria_text: str | None = None) -> Framework:
    """Parse and validate framework TOML text (``source`` names it in messages).

    The criteria file the framework names is read from ``base`` (a folder), unless its text
    is given as ``criteria_text`` (as a workspace stores it).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(Msg("framework.not_toml", source=source, detail=str(exc))) from exc
    except RecursionError as exc:
        raise ValidationError(Msg("framework.too_deep", source=source)) from exc
    if criteria_text is None and isinstance(data.get("criteria"), str):
        criteria_text = _read_criteria(data["criteria"], base, source)
    return _build(data, source, criteria_text or "")


def _read_criteria(name: str, base, source: str) -> str:
    """The criteria file beside the framework file; for a copy of a built-in framework edited
    elsewhere, the built-in criteria file of the same name."""
    if (
        Path(name).is_absolute()
        or ".." in Path(name).parts
        or Path(name).name != name.replace("\\", "/").split("/")[-1]
    ):
        raise ValidationError(Msg("framework.criteria_name", source=source, file=name))
    for folder in (base, resources.files(_BUILTIN_PACKAGE)):
        if folder is None:
            continue
        try:
            return read_text_bounded(folder / name)
        except TextTooLarge as exc:
            raise ValidationError(Msg("framework.too_large", source=f"{source}: {name}", limit=MAX_TEXT_BYTES)) from exc
        except (OSError, UnicodeDecodeError):
            continue
    raise ValidationError(Msg("framework.criteria_unavailable", source=source, file=name))


def load_framework(name_or_path: str | Path | Framework) -> Framework:
    """Load a built-in framework by name (``"spbe2020"``) or a framework file by path.

    The file is validated; a broken one raises :class:`ValidationError` listing every
    problem (weights not summing to 100, duplicate or missing codes, bands that overlap,
    leave gaps or do not cover the level range, references to unknown aspects or domains).
    """
    if isinstance(name_or_path, Framework):
        return name_or_path
    key = str(name_or_path)
    if key not in _CACHE:
        _CACHE[key] = framework_from_text(*resolve_framework(name_or_path), base=framework_base(name_or_path))
    return _CACHE[key]


def _is_number(value: Any) -> bool:
    """A real number as TOML gives it: int or float, finite, not a boolean."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shape_problems(data: dict[str, Any]) -> list[Msg]:
    """The top-level shape: required keys present, each table list a list of tables."""
    problems = []
    for key in ("name", "level_min", "level_max", "bands", "aspects", "indicators"):
        if key not in data:
            problems.append(Msg("framework.missing_key", key=repr(key)))
    for key in ("domains", "aspects", "indicators", "bands"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            problems.append(Msg("framework.not_tables", key=repr(key)))
    if "name" in data and not isinstance(data["name"], str):
        problems.append(Msg("framework.name_not_text", value=repr(data["name"])))
    kinds = data.get("kinds", {})
    if not isinstance(kinds, dict) or not all(isinstance(k, dict) for k in kinds.values()):
        problems.append(Msg("framework.not_tables", key="'kinds'"))
    else:
        for kname, kind in kinds.items():
            if not isinstance(kind.get("level_names", {}), dict) or not isinstance(
                kind.get("level_descriptions", {}), dict
            ):
                problems.append(Msg("framework.kind_shape", kind=repr(kname)))
    for i, ind in enumerate(data.get("indicators", []) if isinstance(data.get("indicators"), list) else []):
        if (
            isinstance(ind, dict)
            and "subitems" in ind
            and not (isinstance(ind["subitems"], list) and all(isinstance(x, (str, int)) for x in ind["subitems"]))
        ):
            problems.append(Msg("framework.subitems_shape", code=repr(ind.get("code", i + 1))))
    return problems


def _build(data: dict[str, Any], source: str, criteria_text: str = "") -> Framework:
    problems: list[Msg] = _shape_problems(data)
    if problems:
        raise ValidationError(Msg("framework.incomplete", source=source), problems)

    lmin, lmax = data["level_min"], data["level_max"]
    if not (_is_whole(lmin) and _is_whole(lmax) and 0 <= lmin < lmax <= _MAX_LEVEL):
        problems.append(Msg("framework.level_range", lo=repr(lmin), hi=repr(lmax), top=_MAX_LEVEL))

    # ---- hierarchy
    domains = pd.DataFrame(data.get("domains", []), columns=["code", "name"])
    aspects_raw = data["aspects"]
    aspects = pd.DataFrame(aspects_raw)
    for col in ("code", "name", "domain"):
        if col not in aspects:
            aspects[col] = None
    aspects = aspects[["code", "name", "domain"]]
    inds = pd.DataFrame(data["indicators"])
    for col, default in (
        ("code", None),
        ("name", ""),
        ("aspect", None),
        ("weight", np.nan),
        ("kind", None),
        ("subitems", None),
    ):
        if col not in inds:
            inds[col] = default

    for c in inds["code"]:
        if c is not None and not isinstance(c, str) and not _is_whole(c):
            problems.append(Msg("framework.code_not_text", part=Msg("framework.part_indicator"), code=repr(c)))
    # 1 and "1" are one code: compare codes as text
    inds["code"] = inds["code"].map(lambda c: str(c).strip() if isinstance(c, (str, int)) else c)
    for label, table in (("domain", domains), ("aspect", aspects), ("indicator", inds)):
        codes = table["code"]
        for i, c in enumerate(codes):
            if c is None or (isinstance(c, float) and math.isnan(c)) or str(c).strip() == "":
                problems.append(Msg("framework.no_code", part=Msg(f"framework.part_{label}"), n=i + 1))
        dup = codes[codes.duplicated() & codes.notna()]
        for c in dup.unique():
            problems.append(Msg("framework.duplicate_code", part=Msg(f"framework.part_{label}"), code=repr(c)))
        if label != "indicator":
            for c in codes:
                if c is not None and not isinstance(c, str):
                    problems.append(Msg("framework.code_not_text", part=Msg(f"framework.part_{label}"), code=repr(c)))

    domain_set = set(domains["code"])
    for code, dom in zip(aspects["code"], aspects["domain"]):
        if len(domains) and (dom is None or dom not in domain_set):
            problems.append(Msg("framework.unknown_domain", code=repr(code), domain=repr(dom)))
        if not len(domains) and dom is not None and not (isinstance(dom, float) and math.isnan(dom)):
            problems.append(Msg("framework.domain_without_domains", code=repr(code), domain=repr(dom)))
    aspect_set = set(aspects["code"])
    for code, asp in zip(inds["code"], inds["aspect"]):
        if asp not in aspect_set:
            problems.append(Msg("framework.unknown_aspect", code=repr(code), aspect=repr(asp)))
    used_aspects = set(inds["aspect"])
    for code in aspects["code"]:
        if code not in used_aspects:
            problems.append(Msg("framework.empty_aspect", code=repr(code)))
    if len(domains):
        used_domains = set(aspects["domain"])
        for code in domains["code"]:
            if code not in used_domains:
                problems.append(Msg("framework.empty_domain", code=repr(code)))

    # ---- weights
    weights = pd.Series([float(w) if _is_number(w) else np.nan for w in inds["weight"]], index=inds.index)
    for code, w, raw in zip(inds["code"], weights, inds["weight"]):
        if pd.isna(w):
            problems.append(Msg("framework.weight_not_number", code=repr(code), value=repr(raw)))
        elif w <= 0:
            problems.append(Msg("framework.weight_not_positive", code=repr(code), value=f"{w:g}"))
    total = float(weights.sum())
    if abs(total - 100.0) > _WEIGHT_TOLERANCE:
        problems.append(Msg("framework.weight_sum", total=f"{total:.10g}"))

    # ---- kinds and level names
    kinds = data.get("kinds", {})
    for code, kind in zip(inds["code"], inds["kind"]):
        if kinds and kind not in kinds:
            problems.append(Msg("framework.unknown_kind", code=repr(code), kind=repr(kind), known=", ".join(kinds)))
    for kname, kind in kinds.items():
        names = kind.get("level_names", {})
        bad = [k for k in names if not str(k).lstrip("-").isdigit() or not lmin <= int(k) <= lmax]
        if bad:
            problems.append(
                Msg("framework.kind_levels", kind=repr(kname), lo=lmin, hi=lmax, levels=", ".join(map(str, bad)))
            )
    if not kinds:
        kinds = {"umum": {"label": "Tingkat", "label_en": "Level", "level_names": {}, "level_descriptions": {}}}
        inds["kind"] = "umum"

    # ---- sub-items
    subitems = []
    all_codes = set(inds["code"])
    seen_sub: set[str] = set()
    for code, subs in zip(inds["code"], inds["subitems"]):
        if subs is None or (isinstance(subs, float) and math.isnan(subs)):
            subitems.append(())
            continue
        subs = tuple(str(s) for s in subs)
        for s in subs:
            if s in all_codes or s in seen_sub:
                problems.append(Msg("framework.subitem_not_unique", sub=repr(s), code=repr(code)))
            seen_sub.add(s)
        subitems.append(subs)
    inds["subitems"] = subitems

    # ---- bands
    bands: list[Band] = []
    for i, b in enumerate(data["bands"]):
        pred, lower, upper = b.get("predicate"), b.get("lower"), b.get("upper")
        if isinstance(pred, str) and pred.strip() and _is_number(lower) and _is_number(upper):
            bands.append(Band(pred, float(lower), float(upper)))
        else:  # missing, not a number, NaN, infinite or a boolean: the band is unusable
            problems.append(Msg("framework.band_fields", n=i + 1, value=repr(b)[:200]))
    bands.sort(key=lambda b: b.lower)
    for b in bands:
        if b.lower >= b.upper:
            problems.append(
                Msg("framework.band_empty", name=repr(b.predicate), lower=f"{b.lower:g}", upper=f"{b.upper:g}")
            )
    for lo, hi in zip(bands, bands[1:]):
        if hi.lower != lo.upper:  # neighbouring bands overlap or leave a gap
            key = "framework.band_overlap" if hi.lower < lo.upper else "framework.band_gap"
            problems.append(Msg(key, a=repr(lo.predicate), b=repr(hi.predicate), lower=f"{hi.lower:g}",
                                upper=f"{lo.upper:g}"))  # fmt: skip
    if bands and _is_whole(lmin) and _is_whole(lmax):
        if bands[0].lower > lmin:
            problems.append(Msg("framework.band_start", lower=f"{bands[0].lower:g}", level=lmin))
        if bands[-1].upper < lmax:
            problems.append(Msg("framework.band_end", upper=f"{bands[-1].upper:g}", level=lmax))
    names = [b.predicate for b in bands]
    if len(set(names)) != len(names):
        problems.append(Msg("framework.band_names_repeat"))

    governs: dict[str, tuple[str, ...]] = {}
    raw_governs = data.get("governs", {})
    if not isinstance(raw_governs, dict):
        problems.append(Msg("framework.not_tables", key="'governs'"))
        raw_governs = {}
    known_codes = set(inds["code"])
    for policy, governed in raw_governs.items():
        listed = [str(g) for g in governed] if isinstance(governed, list) else None
        if listed is None or policy not in known_codes or not set(listed) <= known_codes:
            problems.append(Msg("framework.governs_unknown", policy=repr(policy)))
            continue
        governs[policy] = tuple(listed)

    criteria_df = None
    if criteria_text:
        criteria_df, shape = parse_criteria(criteria_text, source)
        problems.extend(shape)
        if not shape and _is_whole(lmin) and _is_whole(lmax) and 0 <= lmin < lmax <= _MAX_LEVEL:
            problems.extend(criteria_problems(criteria_df, list(inds["code"]), range(lmin, lmax + 1)))

    decimals, external, external_default = _value_scale(data, set(inds["code"]), lmin, lmax, problems)
    coordination = data.get("coordination_indicator")
    if coordination is not None and str(coordination) not in set(inds["code"]):
        problems.append(Msg("framework.coordination_unknown", code=repr(coordination)))

    if problems:
        raise ValidationError(Msg("framework.invalid", source=source), problems)

    inds = inds.assign(weight=weights.astype(float))
    aspect_domain = dict(zip(aspects["code"], aspects["domain"]))
    indicators = pd.DataFrame(
        {
            "indicator": inds["code"].astype(str),
            "name": inds["name"].astype(str),
            "aspect": inds["aspect"].astype(str),
            "domain": [aspect_domain.get(a) if len(domains) else None for a in inds["aspect"]],
            "weight": inds["weight"],
            "kind": inds["kind"].astype(str),
            "subitems": inds["subitems"],
        }
    )
    # group weights summed on a 1e-9 grid so 10 × 1.3 shows as 13, not 13.000000000000002
    aspects = aspects.assign(weight=aspects["code"].map(indicators.groupby("aspect")["weight"].sum()).round(9))
    if len(domains):
        domains = domains.assign(weight=domains["code"].map(indicators.groupby("domain")["weight"].sum()).round(9))
    else:
        domains = domains.assign(weight=pd.Series(dtype=float))
    return Framework(
        name=str(data["name"]),
        title=str(data.get("title", data["name"])),
        regulation=str(data.get("regulation", "")),
        system=str(data.get("system", "SPBE")),
        level_min=int(lmin),
        level_max=int(lmax),
        bands=tuple(bands),
        kinds=kinds,
        domains=domains.reset_index(drop=True),
        aspects=aspects.reset_index(drop=True),
        indicators=indicators.reset_index(drop=True),
        provenance=dict(data.get("provenance", {})),
        first_year=data.get("first_year"),
        last_year=data.get("last_year"),
        source=source,
        governs=governs,
        criteria=lookup(criteria_df) if criteria_df is not None else {},
        criteria_text=criteria_text,
        coordination_indicator=None if coordination is None else str(coordination),
        decimals=decimals,
        external=external,
        external_default=external_default,
    )


_MAX_DECIMALS = 4


def _value_scale(data: dict[str, Any], codes: set[str], lmin, lmax, problems: list[Msg]):
    """The value scale (``[scale] decimals``) and the national indices feeding indicators
    (``[[external]]``), validated: each names known indicators once, its conversion points
    rise, stay on the level range and reproduce its observed examples."""
    scale = data.get("scale", {})
    if not isinstance(scale, dict):
        problems.append(Msg("framework.not_tables", key="'scale'"))
        scale = {}
    decimals = scale.get("decimals", 0)
    if not _is_whole(decimals) or not 0 <= decimals <= _MAX_DECIMALS:
        problems.append(Msg("framework.scale_decimals", value=repr(decimals), top=_MAX_DECIMALS))
        decimals = 0
    raw_ext = data.get("external", [])
    if not isinstance(raw_ext, list) or not all(isinstance(x, dict) for x in raw_ext):
        problems.append(Msg("framework.not_tables", key="'external'"))
        raw_ext = []
    default = scale.get("external_default")
    if raw_ext and not (_is_number(default) and _is_whole(lmin) and _is_whole(lmax) and lmin <= default <= lmax):
        problems.append(Msg("framework.external_default", value=repr(default)))
        default = None
    external: dict[str, ExternalIndex] = {}
    fed: set[str] = set()
    for i, ext in enumerate(raw_ext):
        code = ext.get("code")
        label = repr(code if isinstance(code, str) else i + 1)
        try:
            inds = tuple(str(c) for c in ext["indicators"])
            points = tuple((float(x), float(y)) for x, y in ext["points"])
            examples = tuple((float(x), float(y)) for x, y in ext.get("examples", []))
            raw_min, raw_max = float(ext["raw_range"][0]), float(ext["raw_range"][1])
            texts = [str(ext[k]) for k in ("name", "name_en", "agency", "agency_en")]
        except (KeyError, TypeError, ValueError, IndexError):
            problems.append(Msg("framework.external_shape", code=label))
            continue
        if not isinstance(code, str) or not code or code in external:
            problems.append(Msg("framework.external_shape", code=label))
            continue
        bad = [c for c in inds if c not in codes or c in fed]
        if bad or not inds:
            problems.append(Msg("framework.external_indicators", code=label, indicators=", ".join(bad) or "-"))
        fed.update(inds)
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        if (
            len(points) < 2
            or any(b <= a for a, b in zip(xs, xs[1:]))
            or any(b < a for a, b in zip(ys, ys[1:]))
            or not all(math.isfinite(v) for v in xs + ys)
            or (_is_whole(lmin) and _is_whole(lmax) and not all(lmin <= y <= lmax for y in ys))
            or xs[0] > raw_min
            or xs[-1] < raw_max
        ):
            problems.append(Msg("framework.external_points", code=label))
            continue
        index = ExternalIndex(code, *texts, indicators=inds, raw_min=raw_min, raw_max=raw_max, points=points,
                              examples=examples, status=str(ext.get("status", "unconfirmed")),
                              source=str(ext.get("source", "")))  # fmt: skip
        for raw, want in examples:
            got = index.convert(raw, decimals or 2)
            if abs(got - want) > 0.5 / 10 ** (decimals or 2):
                problems.append(Msg("framework.external_example", code=label, raw=f"{raw:g}", want=f"{want:g}",
                                    got=f"{got:g}"))  # fmt: skip
        external[code] = index
    return int(decimals), external, (float(default) if raw_ext and default is not None else None)
