"""Levels → aspect / domain / index / predicate, vectorised over many instances and stages.

Values: whole levels (59/2020, 5/2018) or decimals where the framework says so (Pemdi 8/2026:
1,00–5,00 with two decimals). A decimal value × 10^decimals is a whole number, so the same
integer arithmetic decides band edges exactly. Indicators fed by another national index
(``fw.external``) count as ``fw.external_default`` until given and are listed in the output's
``provisional`` column.

Exactness: levels are integers and the built-in weights are multiples of 0.05 %, so every
weighted sum is computed on integers (weights × :attr:`Framework.weight_scale`; sub-item
means × the least common multiple of their counts) and divided once. A float division of
two integers is correctly rounded, so an instance whose index is exactly 2.6 gets the float
``2.6`` and lands in "Baik", while 2.5995 stays "Cukup". Nothing is rounded here: rounding
to 2 decimals is a presentation choice, and ``predicate_basis="rounded"`` applies the
bands to the index rounded half-up to 2 decimals, as some published years did.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks import Framework, load_framework
from spbe_toolkit.i18n import Msg
from spbe_toolkit.vocab import PredicateBasis, check_basis, normalise_code

_EPS = 1e-9  # floating noise allowed when checking that a value is an integer / on a grid


def round_half_up(values, decimals: int = 2):
    """Round half away from zero on the decimal value, as published tables (and Excel) do.

    ``round_half_up(2.595)`` is 2.60 even though the float 2.595 is stored as 2.59499….
    """
    arr = np.asarray(values, dtype=float)
    f = 10.0**decimals
    out = np.sign(arr) * np.floor(np.abs(arr) * f + 0.5 + _EPS) / f
    return float(out) if np.ndim(out) == 0 else out


def predicate(values, fw: Framework | str, basis: PredicateBasis = "exact"):
    """Predicate(s) for index value(s): a str for a scalar, an ordered categorical Series otherwise.

    Lower band bounds are inclusive and the top band includes the maximum level (5.0 is
    "Memuaskan"). ``basis="rounded"`` applies the bands to the value rounded half-up to 2
    decimals. NaN gives NaN (scalar: ``None``). Values outside the level range raise
    :class:`ValidationError`.
    """
    fw = load_framework(fw)
    check_basis(basis)
    scalar = np.ndim(values) == 0
    if isinstance(values, pd.Series):
        index = values.index
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        index = None
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    if basis == "rounded":
        arr = round_half_up(arr)
        arr = np.atleast_1d(arr)
    bad = ~np.isnan(arr) & ((arr < fw.level_min) | (arr > fw.level_max))
    if bad.any():
        shown = [f"{v:g}" for v in arr[bad][:20]]
        raise ValidationError(
            Msg("score.index_out_of_range", lo=fw.level_min, hi=fw.level_max, fw=fw.name, values=", ".join(shown))
        )
    lowers = np.array([b.lower for b in fw.bands])
    pos = np.searchsorted(lowers, arr, side="right") - 1
    pos = np.where(np.isnan(arr), -1, np.clip(pos, 0, len(lowers) - 1))
    cat = pd.Categorical.from_codes(pos, categories=fw.predicates, ordered=True)
    if scalar:
        return None if pos[0] < 0 else fw.predicates[pos[0]]
    return pd.Series(cat, index=index, name="predicate")


# --------------------------------------------------------------------------- levels table
def _column_map(fw: Framework) -> tuple[list[str], dict[str, int]]:
    """Extended columns: indicator codes, then sub-item codes."""
    cols = fw.codes + list(fw.subitem_parent)
    return cols, {c: i for i, c in enumerate(cols)}


def show_value(value) -> str:
    """A cell value as people read it in an error message: 3, 2.5, 'tiga', "(kosong)"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return str(Msg("value.empty_cell"))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


class LevelMatrix:
    """Levels scattered into an (instance[-stage]) × indicator matrix, validated.

    ``values`` holds NaN where an indicator is missing; sub-items are already
    aggregated into their indicator by mean. ``keys`` is the row index (instance or
    (instance, stage)).
    """

    def __init__(self, values: np.ndarray, keys: pd.Index, fw: Framework, lcm: int, provisional=None) -> None:
        self.values = values
        self.keys = keys
        self.fw = fw
        self.lcm = lcm  # values × lcm are integers
        # True where an externally fed indicator counts its default value until imported
        self.provisional = provisional


def level_matrix(levels: pd.DataFrame, fw: Framework | str, *, allow_missing: bool = False) -> LevelMatrix:
    """Validate a tidy levels table and scatter it into a matrix (see :class:`LevelMatrix`).

    Raises :class:`ValidationError` listing every offending (instance, indicator, value):
    unknown indicators, duplicate rows, empty / non-numeric / non-integer / out-of-range
    levels, an indicator given both whole and as sub-items, and — unless
    ``allow_missing`` — missing indicators.
    """
    fw = load_framework(fw)
    if not isinstance(levels, pd.DataFrame):
        raise ValidationError(Msg("score.not_a_table"))
    missing_cols = [c for c in ("instance", "indicator", "level") if c not in levels.columns]
    if missing_cols:
        raise ValidationError(
            Msg("score.missing_columns", missing=", ".join(missing_cols), have=", ".join(map(str, levels.columns)))
        )
    has_stage = "stage" in levels.columns
    n = len(levels)
    problems: list[str] = []

    inst_raw = levels["instance"]
    inst_codes, inst_uniques = pd.factorize(inst_raw, sort=False)
    if has_stage:
        stage_codes, stage_uniques = pd.factorize(levels["stage"], sort=False)
        combo = inst_codes.astype(np.int64) * (len(stage_uniques) + 1) + stage_codes
        row_codes, combo_uniques = pd.factorize(combo, sort=False)
        ninst = len(stage_uniques) + 1
        keys = pd.MultiIndex.from_arrays(
            [
                inst_uniques.take(combo_uniques // ninst),
                stage_uniques.take(combo_uniques % ninst),
            ],
            names=["instance", "stage"],
        )
        bad_key = (inst_codes < 0) | (stage_codes < 0)
    else:
        row_codes = inst_codes
        keys = pd.Index(inst_uniques, name="instance")
        bad_key = inst_codes < 0

    cols, colpos = _column_map(fw)
    ind_codes, ind_uniques = pd.factorize(levels["indicator"], sort=False)
    lookup = np.array([colpos.get(normalise_code(u), -1) for u in ind_uniques] + [-1], dtype=np.int64)
    col = lookup[ind_codes]  # code -1 (NaN indicator) picks the trailing -1

    lv = levels["level"]
    if pd.api.types.is_numeric_dtype(lv.dtype) and not pd.api.types.is_bool_dtype(lv.dtype):
        arr = lv.to_numpy(dtype=float, na_value=np.nan)
        not_numeric = np.zeros(n, dtype=bool)
    else:
        text = lv
        if fw.decimals:  # a value written with a decimal comma ("1,26") is the number it says
            text = lv.where(~lv.astype(str).str.fullmatch(r"\s*\d+,\d+\s*"), lv.astype(str).str.replace(",", "."))
        conv = pd.to_numeric(text, errors="coerce")
        arr = conv.to_numpy(dtype=float, na_value=np.nan)
        not_numeric = conv.isna().to_numpy() & lv.notna().to_numpy()

    def where(i: int) -> Msg:
        ind = levels["indicator"].iat[i]
        stage = Msg("score.at_stage", stage=repr(levels["stage"].iat[i])) if has_stage else ""
        return Msg("score.where_row", row=i + 1, instance=repr(inst_raw.iat[i]), stage=stage,
                   indicator=repr(normalise_code(ind) or ind))  # fmt: skip

    unknown = col < 0
    empty = np.isnan(arr) & ~not_numeric
    finite = ~np.isnan(arr)
    step = fw.value_scale  # values × step are whole numbers: whole levels (1), or two decimals (100)
    nonint = finite & (np.abs(arr * step - np.round(arr * step)) > _EPS * step)
    out_of_range = finite & ~nonint & ((arr < fw.level_min - _EPS) | (arr > fw.level_max + _EPS))
    for mask, text in (
        (bad_key, Msg("score.no_instance")),
        (unknown, Msg("score.unknown_indicator", fw=fw.name)),
        (not_numeric, Msg("score.not_number")),
        (empty, Msg("score.empty")),
        (nonint, Msg("score.not_whole") if step == 1 else Msg("score.too_many_decimals", d=fw.decimals)),
        (out_of_range, Msg("score.out_of_range", lo=fw.level_min, hi=fw.level_max)),
    ):
        if mask.any():
            for i in np.flatnonzero(mask):
                problems.append(Msg("score.row_problem", where=where(i), value=show_value(lv.iat[i]), problem=text))

    ok = ~(bad_key | unknown)
    ncols = len(cols)
    nrows = len(keys)
    flat = row_codes[ok].astype(np.int64) * ncols + col[ok]
    counts = np.bincount(flat, minlength=nrows * ncols)
    if (counts > 1).any():
        dup_rows = np.flatnonzero(ok)[counts[flat] > 1]
        seen: dict[int, list[int]] = {}
        for i, f in zip(dup_rows, flat[counts[flat] > 1]):
            seen.setdefault(int(f), []).append(int(i) + 1)
        for f, rows in seen.items():
            key = keys[f // ncols]
            problems.append(
                Msg("score.duplicate", rows=", ".join(map(str, rows)), instance=repr(key),
                    indicator=repr(cols[f % ncols]), n=len(rows))
            )  # fmt: skip

    mat = np.full((nrows, ncols), np.nan)
    mat.ravel()[flat] = arr[ok]
    provisional = None
    if fw.external:
        # an externally fed indicator not given counts as the framework's default until imported
        ext_cols = np.array([colpos[c] for c in fw.external_by_indicator], dtype=np.int64)
        provisional = np.zeros((nrows, ncols), dtype=bool)
        absent = counts.reshape(nrows, ncols)[:, ext_cols] == 0
        provisional[:, ext_cols] = absent
        sub = mat[:, ext_cols]
        sub[absent] = fw.external_default
        mat[:, ext_cols] = sub
        if "provisional" in levels.columns:
            given = levels["provisional"].fillna(False).astype(bool).to_numpy()
            mark = ok & given
            provisional.ravel()[flat[mark[ok]]] = True
        provisional = provisional[:, : len(fw.codes)]

    # sub-items: mean into the parent indicator
    lcm = 1
    n_ind = len(fw.codes)
    for j, subs in enumerate(fw.indicators["subitems"]):
        if not subs:
            continue
        sub_idx = [colpos[s] for s in subs]
        sub_vals = mat[:, sub_idx]
        has_sub = ~np.isnan(sub_vals).all(axis=1)
        both = has_sub & ~np.isnan(mat[:, j])
        for r in np.flatnonzero(both):
            problems.append(
                Msg(
                    "score.whole_and_subitems",
                    instance=repr(keys[r]),
                    indicator=repr(fw.codes[j]),
                    subs=", ".join(subs),
                )
            )
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(np.where(has_sub[:, None], sub_vals, 0.0), axis=1)
        mat[has_sub, j] = mean[has_sub]
        lcm = math.lcm(lcm, *range(1, len(subs) + 1))
    values = mat[:, :n_ind]
    lcm *= step

    if not allow_missing:
        miss_r, miss_c = np.nonzero(np.isnan(values))
        # rows whose only problem is a bad level are already reported; report truly absent ones
        for r, c in zip(miss_r, miss_c):
            if counts[r * ncols + c] == 0 and not any(
                counts[r * ncols + colpos[s]] for s in fw.indicators["subitems"].iat[c]
            ):
                problems.append(Msg("score.missing", instance=repr(keys[r]), indicator=repr(fw.codes[c])))

    if problems:
        raise ValidationError(Msg("score.table_does_not_fit", fw=fw.name, n=len(problems)), problems)
    return LevelMatrix(values, keys, fw, lcm, provisional)


def _exact_scores(values: np.ndarray, fw: Framework, lcm: int) -> pd.DataFrame:
    """Index, domain and aspect values from a level matrix with integer arithmetic."""
    codes = fw.codes
    units = fw.weight_units  # exact integers (or raw floats when the framework is off-grid)
    groups: list[tuple[str, np.ndarray]] = [("index", np.ones(len(codes), dtype=bool))]
    dom = fw.indicators["domain"].to_numpy()
    asp = fw.indicators["aspect"].to_numpy()
    groups += [(d, dom == d) for d in fw.domain_codes]
    groups += [(a, asp == a) for a in fw.aspect_codes]
    weights_matrix = np.stack([np.where(m, units, 0.0) for _, m in groups], axis=1)

    present = ~np.isnan(values)
    scaled = np.where(present, np.round(values * lcm), 0.0)
    numer = scaled @ weights_matrix
    if present.all():
        denom = np.broadcast_to(weights_matrix.sum(axis=0) * lcm, numer.shape)
    else:
        denom = (present.astype(float) @ weights_matrix) * lcm
    with np.errstate(invalid="ignore", divide="ignore"):
        out = numer / denom
    # the index is only defined over a complete set of indicators
    full = weights_matrix.sum(axis=0) * lcm
    out[:, 0] = np.where(np.isclose(denom[:, 0], full[0]), numer[:, 0] / full[0], np.nan)
    return pd.DataFrame(out, columns=[g for g, _ in groups])


def score(
    levels: pd.DataFrame,
    fw: Framework | str,
    predicate_basis: PredicateBasis = "exact",
    *,
    allow_missing: bool = False,
) -> pd.DataFrame:
    """Score a tidy levels table.

    ``levels`` has columns ``instance``, ``indicator``, ``level`` and optionally ``stage``
    (sub-item codes such as ``"35a"`` are averaged into their indicator). Returns one row
    per instance (per instance and stage), indexed by ``instance`` (and ``stage``), with
    columns ``index``, ``predicate``, ``D1``…, ``A1``… holding exact (unrounded) values.

    With ``allow_missing=True`` missing indicators are tolerated: aspect and domain values
    are weighted means over the answered indicators, ``index`` and ``predicate`` are NaN
    for incomplete instances and a ``missing`` column counts the absent indicators.
    """
    fw = load_framework(fw)
    check_basis(predicate_basis)
    lm = level_matrix(levels, fw, allow_missing=allow_missing)
    out = _exact_scores(lm.values, fw, lm.lcm)
    out.index = lm.keys
    pred = predicate(out["index"], fw, basis=predicate_basis)
    out.insert(1, "predicate", pred)
    if allow_missing:
        out["missing"] = np.isnan(lm.values).sum(axis=1)
    if lm.provisional is not None:
        out["provisional"] = provisional_codes(lm.provisional, fw.codes)
    return out


def provisional_codes(mask: np.ndarray, codes: list[str]) -> list[str]:
    """Per row, the indicator codes counted provisionally ("5, 6, 7, 18"; "" for none)."""
    rows, cols = np.nonzero(mask)
    out = [""] * mask.shape[0]
    if len(rows):
        parts: dict[int, list[str]] = {}
        for r, c in zip(rows, cols):
            parts.setdefault(int(r), []).append(codes[c])
        for r, p in parts.items():
            out[r] = ", ".join(p)
    return out


def _decimal_scale(values: np.ndarray, max_decimals: int = 6) -> int:
    """Smallest power of ten turning every finite value into an integer (0 if none does)."""
    finite = values[~np.isnan(values)]
    for d in range(max_decimals + 1):
        s = finite * 10.0**d
        if np.all(np.abs(s - np.round(s)) <= 1e-6):
            return 10**d
    return 0


def score_from_domains(
    table: pd.DataFrame,
    fw: Framework | str,
    predicate_basis: PredicateBasis = "exact",
    *,
    allow_missing: bool = False,
) -> pd.DataFrame:
    """Index and predicate from domain values (columns ``D1``…``Dn``), e.g. published tables.

    Published domain values carry 2 decimals; the sum is done on integers so band edges are
    exact. Rows with a missing domain raise :class:`ValidationError` (naming the row and
    instance) unless ``allow_missing``, which gives NaN index and predicate for them.
    Domain values below the lowest level (official 59/2020 results hold some: an indicator
    not filled counts as 0) are scored as published and flagged in ``below_level_range``;
    values below 0 or above the top level are refused.
    Returns a DataFrame aligned with ``table`` (same index): ``index``, ``predicate``,
    ``below_level_range``.
    """
    fw = load_framework(fw)
    check_basis(predicate_basis)
    if not fw.has_domains:
        raise ValidationError(Msg("score.no_domains", fw=fw.name))
    need = fw.domain_codes
    absent = [c for c in need if c not in table.columns]
    if absent:
        raise ValidationError(Msg("score.missing_domains", missing=", ".join(absent), fw=fw.name))
    vals = table[need].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    problems = []
    label = table["instance"] if "instance" in table.columns else pd.Series(table.index, index=table.index)
    for r, c in zip(*np.nonzero(np.isnan(vals))):
        if not allow_missing:
            problems.append(Msg("score.domain_missing", row=r + 1, instance=repr(label.iat[r]), domain=need[c]))
    # Official results hold domain values below the lowest level (an indicator not filled or
    # not evidenced counts as 0): they are scored and flagged. Beyond 0 … level_max is an error.
    bad = ~np.isnan(vals) & ((vals < min(0, fw.level_min)) | (vals > fw.level_max))
    for r, c in zip(*np.nonzero(bad)):
        problems.append(
            Msg(
                "score.domain_out_of_range",
                row=r + 1,
                instance=repr(label.iat[r]),
                domain=need[c],
                value=f"{vals[r, c]:g}",
            )
        )
    if problems:
        raise ValidationError(Msg("score.domains_cannot_score"), problems)
    w = fw.domain_weights.to_numpy(dtype=float)
    k = fw.weight_scale
    scale = _decimal_scale(vals)
    if k and scale:
        numer = np.round(np.nan_to_num(vals) * scale) @ np.round(w * k)
        index = numer / (100.0 * k * scale)
    else:
        index = np.nan_to_num(vals) @ w / 100.0
    index = np.where(np.isnan(vals).any(axis=1), np.nan, index)
    below = (vals < fw.level_min).any(axis=1)
    out = pd.DataFrame({"index": index}, index=table.index)
    # an index below the lowest level lies in the lowest band, as the published predicates show
    out["predicate"] = predicate(out["index"].clip(lower=fw.level_min), fw, basis=predicate_basis)
    out["below_level_range"] = below
    return out
