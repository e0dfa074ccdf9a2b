"""Crosswalks between frameworks: where a capability assessed by one framework's indicator is
assessed in another (PermenPANRB 59/2020 → 8/2026), as data with a confidence and sources.

A crosswalk says *where* the same capability counts, never what level it will get: the two
frameworks define their levels differently, so levels do not convert one to one. Tables
carried across (:func:`carry_levels`) are an indication for coaching, labelled as such.
The sources and their authority are in ``reference/pemdi_sources.csv`` (:func:`crosswalk_sources`).
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks.model import load_framework
from spbe_toolkit.i18n import Msg, check_lang

CONFIDENCES = ("high", "medium", "low")
_FILES = {("spbe2020", "pemdi2026"): "crosswalk_spbe2020_pemdi2026.csv"}
COLUMNS = ["indicator", "name", "counterpart", "counterpart_name", "confidence", "basis", "sources"]


def _read_reference(name: str) -> list[dict]:
    text = resources.files("spbe_toolkit.frameworks").joinpath("reference", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@lru_cache(maxsize=4)
def _pairs(source: str, target: str) -> tuple[dict, ...]:
    """The rows of a crosswalk file, checked: every source indicator once, known target codes,
    a known confidence and at least one source per row."""
    name = _FILES.get((source, target))
    if name is None:
        raise ValidationError(Msg("error.crosswalk_unknown", source=source, target=target,
                                  known=", ".join(f"{a} → {b}" for a, b in _FILES)))  # fmt: skip
    src, tgt = load_framework(source), load_framework(target)
    rows = _read_reference(name)
    seen = [r[source] for r in rows]
    problems = [c for c in src.codes if seen.count(c) != 1] + [c for c in seen if c not in src.codes]
    for r in rows:
        targets = [t for t in r[target].split(";") if t]
        bad = [t for t in targets if t not in tgt.codes]
        if (
            bad
            or r["confidence"] not in CONFIDENCES
            or not r["sources"].strip()
            or not r["basis_id"]
            or not r["basis_en"]
        ):
            problems.append(r[source])
    if problems:
        raise ValidationError(Msg("error.crosswalk_rows", file=name, codes=", ".join(sorted(set(problems), key=str))))
    return tuple(rows)


def crosswalk(source: str = "spbe2020", target: str = "pemdi2026", *, lang: str | None = None) -> pd.DataFrame:
    """Where each indicator of ``source`` is assessed in ``target``: one row per pair (an
    indicator with no counterpart has one row with an empty target). Give the frameworks the
    other way round (``crosswalk("pemdi2026", "spbe2020")``) for the reverse view, where a
    ``pemdi2026`` indicator new in Pemdi has one row with an empty source.

    Columns: indicator and name (of ``source``), counterpart and counterpart_name (of
    ``target``), confidence (high / medium / low), basis (in ``lang``), sources (codes of
    :func:`crosswalk_sources`). Levels do not convert one to one; see :func:`carry_levels`.
    """
    lang = check_lang(lang)
    forward = (source, target) in _FILES
    a, b = (source, target) if forward else (target, source)
    rows = _pairs(a, b)
    fa, fb = load_framework(a), load_framework(b)
    pairs = []
    for r in rows:
        basis = r["basis_id"] if lang == "id" else r["basis_en"]
        targets = [t for t in r[b].split(";") if t] or [None]
        for t in targets:
            pairs.append((r[a], t, r["confidence"], basis, r["sources"]))
    out = pd.DataFrame(pairs, columns=["a", "b", "confidence", "basis", "sources"])
    if forward:
        table = out.rename(columns={"a": "indicator", "b": "counterpart"})
        src_fw, tgt_fw = fa, fb
    else:
        table = out.dropna(subset=["b"]).rename(columns={"b": "indicator", "a": "counterpart"})
        new = [c for c in fb.codes if c not in set(table["indicator"])]
        gap = pd.DataFrame({"indicator": new, "counterpart": None, "confidence": "low",
                            "basis": Msg("crosswalk.new_in_target").text(lang), "sources": "S13"})  # fmt: skip
        order = {c: i for i, c in enumerate(fb.codes)}
        table = pd.concat([table, gap], ignore_index=True).sort_values(
            "indicator", key=lambda s: s.map(order), kind="stable"
        )
        src_fw, tgt_fw = fb, fa
    table["name"] = table["indicator"].map(src_fw.entry_name)
    table["counterpart_name"] = table["counterpart"].map(lambda c: tgt_fw.entry_name(c) if isinstance(c, str) else None)
    return table[COLUMNS].reset_index(drop=True)


def crosswalk_sources(lang: str | None = None) -> pd.DataFrame:
    """The sources behind the crosswalk and the Pemdi framework data: code, authority
    (official / government / news / unofficial / project), reference, what it supports."""
    lang = check_lang(lang)
    rows = _read_reference("pemdi_sources.csv")
    return pd.DataFrame(
        [
            (r["code"], r["authority"], r["reference"], r["supports_id" if lang == "id" else "supports_en"])
            for r in rows
        ],
        columns=["code", "authority", "reference", "supports"],
    ).set_index("code")


def carry_levels(
    levels: pd.DataFrame, source: str = "spbe2020", target: str = "pemdi2026", *, lang: str | None = None
) -> pd.DataFrame:
    """A levels table of ``source`` (instance, indicator, level) seen through the crosswalk:
    one row per instance and ``target`` indicator with the source indicators assessed there,
    their levels, the lowest and the mean, and the lowest confidence of the links.

    This is an indication for coaching — where today's strengths and gaps will count — not a
    conversion: ``target`` defines its levels differently, and its indicators new in
    ``target`` have no row. ``.attrs["note"]`` says so in ``lang``.
    """
    lang = check_lang(lang)
    links = crosswalk(source, target, lang=lang).dropna(subset=["counterpart"])
    merged = levels[["instance", "indicator", "level"]].astype({"indicator": str}).merge(links, on="indicator")
    rank = {c: i for i, c in enumerate(CONFIDENCES)}
    order = {c: i for i, c in enumerate(load_framework(target).codes)}
    rows = []
    for (inst, code), part in merged.groupby(["instance", "counterpart"], sort=False):
        part = part.sort_values("indicator", key=lambda s: s.astype(int))
        rows.append((inst, code, part["counterpart_name"].iat[0], ", ".join(part["indicator"]),
                     ", ".join(str(int(v)) for v in part["level"]), int(part["level"].min()),
                     float(part["level"].mean()), max(part["confidence"], key=rank.get)))  # fmt: skip
    out = pd.DataFrame(rows, columns=["instance", "counterpart", "counterpart_name", "indicators", "levels",
                                      "lowest", "mean", "confidence"])  # fmt: skip
    out = out.sort_values(["instance", "counterpart"], key=lambda s: s.map(order) if s.name == "counterpart" else s)
    out.attrs["note"] = Msg("crosswalk.not_conversion", source=source, target=target).text(lang)
    return out.reset_index(drop=True)
