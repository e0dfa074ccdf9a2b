"""Matching instance names across sources ("Pemerintah Kab. X", "Kab. X", "Kabupaten X", "Pemkab X").

Names are reduced to a key (lower case, no punctuation, "pemerintah" dropped, and
kab./kabupaten/pemkab → kabupaten, kota/pemkot → kota, prov./provinsi/pemprov → provinsi,
kep. → kepulauan). Keys are then looked up in an alias table built from the bundled
instance registry (full names, acronyms such as "Pemkab Nisbar", and regional names) plus
any aliases the caller gives. Names that match nothing are reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

_PREFIXES = [
    (r"^(pemerintah\s+)?(kabupaten|kab|pemkab)\s+", "kabupaten "),
    (r"^(pemerintah\s+)?(kota|pemkot)\s+", "kota "),
    (r"^(pemerintah\s+)?(provinsi|prov|pemprov)\s+", "provinsi "),
    (r"^pemerintah\s+", ""),
]


def name_key(name: str) -> str:
    """The comparison key of an instance name ("Pemerintah Kab. Nias Barat" → "kabupaten nias barat")."""
    s = str(name).lower()
    s = re.sub(r"\(sintetis\)", " ", s)
    s = re.sub(r"\bkep\.\s*", "kepulauan ", s)
    s = re.sub(r"[^\w\s]", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    for pat, rep in _PREFIXES:
        new = re.sub(pat, rep, s)
        if new != s:
            s = new
            break
    return s


@lru_cache(maxsize=1)
def registry_aliases() -> dict[str, str]:
    """key → canonical name, from the bundled instance registry (K-Lembaga names are canonical)."""
    from spbe_toolkit.io.published import load_published

    reg = load_published("instance_registry")
    canonical: dict[str, str] = {}
    lembaga = reg[reg["sheet"] == "K-Lembaga"]
    for code, name in zip(lembaga["kode_instansi"], lembaga["nama_instansi"]):
        canonical.setdefault(code, name)
    out: dict[str, str] = {}
    for code, name, acr in zip(reg["kode_instansi"], reg["nama_instansi"], reg["singkatan_akronim"]):
        target = canonical.get(code, name)
        for alias in (name, acr):
            if isinstance(alias, str) and alias.strip():
                out.setdefault(name_key(alias), target)
    return out


@dataclass
class NameMatch:
    """Result of :func:`match_names`: one row per name, and the names left unmatched."""

    table: pd.DataFrame  # name, match, method (exact / key / alias), key

    @property
    def unmatched(self) -> pd.DataFrame:
        return self.table[self.table["match"].isna()]

    @property
    def mapping(self) -> dict[str, str]:
        t = self.table.dropna(subset=["match"])
        return dict(zip(t["name"], t["match"]))


def match_names(
    names: Iterable[str],
    reference: Iterable[str],
    aliases: Mapping[str, str] | None = None,
    *,
    use_registry: bool = True,
) -> NameMatch:
    """Match ``names`` to ``reference`` names: exactly, by key, or through an alias.

    ``aliases`` maps extra variants to a reference name (e.g. ``{"Kota Adm. X": "Kota X"}``).
    """
    ref = list(dict.fromkeys(reference))
    ref_set = set(ref)
    by_key: dict[str, str] = {}
    for r in ref:
        by_key.setdefault(name_key(r), r)
    alias_keys = {name_key(k): v for k, v in (aliases or {}).items()}
    registry = registry_aliases() if use_registry else {}
    rows = []
    for n in dict.fromkeys(names):
        k = name_key(n)
        if n in ref_set:
            rows.append((n, n, "exact", k))
        elif k in by_key:
            rows.append((n, by_key[k], "key", k))
        elif k in alias_keys and alias_keys[k] in ref_set:
            rows.append((n, alias_keys[k], "alias", k))
        elif k in registry and name_key(registry[k]) in by_key:
            rows.append((n, by_key[name_key(registry[k])], "registry", k))
        else:
            rows.append((n, None, None, k))
    return NameMatch(pd.DataFrame(rows, columns=["name", "match", "method", "key"]))


@dataclass
class RoundComparison:
    """Per-instance change between two rounds, with what could not be matched."""

    changes: pd.DataFrame
    unmatched_earlier: pd.DataFrame
    unmatched_later: pd.DataFrame


def compare_rounds(
    earlier: pd.DataFrame,
    later: pd.DataFrame,
    *,
    value: str = "index",
    aliases: Mapping[str, str] | None = None,
    labels: tuple[str, str] = ("earlier", "later"),
) -> RoundComparison:
    """Match instances of two result tables (column or index ``instance``) and report the change in ``value``."""
    a = earlier.reset_index() if "instance" not in earlier.columns else earlier
    b = later.reset_index() if "instance" not in later.columns else later
    m = match_names(a["instance"], b["instance"], aliases)
    mapping = m.mapping
    left = a.assign(_match=a["instance"].map(mapping)).dropna(subset=["_match"])
    cols = [value] + [c for c in ("predicate",) if c in a.columns and c in b.columns]
    merged = left[["instance", "_match", *cols]].merge(
        b[["instance", *cols]], left_on="_match", right_on="instance", suffixes=(f"_{labels[0]}", f"_{labels[1]}")
    )
    out = pd.DataFrame(
        {
            f"instance_{labels[0]}": merged[f"instance_{labels[0]}"],
            "instance": merged[f"instance_{labels[1]}"],
            f"{value}_{labels[0]}": merged[f"{value}_{labels[0]}"],
            f"{value}_{labels[1]}": merged[f"{value}_{labels[1]}"],
        }
    )
    out["change"] = out[f"{value}_{labels[1]}"] - out[f"{value}_{labels[0]}"]
    for c in cols[1:]:
        out[f"{c}_{labels[0]}"] = merged[f"{c}_{labels[0]}"].values
        out[f"{c}_{labels[1]}"] = merged[f"{c}_{labels[1]}"].values
    matched_b = set(out["instance"])
    unmatched_b = b[~b["instance"].isin(matched_b)][["instance"]]
    return RoundComparison(
        changes=out, unmatched_earlier=m.unmatched[["name", "key"]], unmatched_later=unmatched_b.reset_index(drop=True)
    )


@lru_cache(maxsize=1)
def _registry_entries() -> dict[str, tuple[str, ...]]:
    """name key → the keys of every way the registry writes that instance (names, acronyms, code)."""
    from spbe_toolkit.io.published import load_published

    reg = load_published("instance_registry")
    by_code: dict[str, set[str]] = {}
    for code, name, acr in zip(reg["kode_instansi"], reg["nama_instansi"], reg["singkatan_akronim"]):
        by_code.setdefault(str(code), {str(code)}).update(a for a in (name, acr) if isinstance(a, str) and a.strip())
    out: dict[str, tuple[str, ...]] = {}
    for spellings in by_code.values():
        keys = tuple(sorted({name_key(s) for s in spellings}))
        for k in keys:
            out.setdefault(k, keys)
    return out


_AFFILIATION_NOISE = (
    (r"\([^)]*\)", " "),  # "(Biro Umum)"
    (r"\bkementrian\b", "kementerian"),  # a common misspelling
    (r"\b(republik indonesia|ri)\s*$", " "),  # "Kementerian Keuangan RI"
)


def affiliation_key(name: str) -> str:
    """The key of an affiliation as people write it: the unit in brackets, a trailing "RI" /
    "Republik Indonesia" and the misspelling "Kementrian" do not matter."""
    s = str(name).lower()
    for pat, rep in _AFFILIATION_NOISE:
        s = re.sub(pat, rep, s)
    return name_key(s)


def same_institution(affiliation: str, instance: str) -> bool:
    """Whether an affiliation names ``instance`` — by its name, its registry acronym or code
    ("Kemenkeu", "3005"), or a variant :func:`affiliation_key` ignores."""
    if not isinstance(affiliation, str) or not affiliation.strip():
        return False
    a, b = affiliation_key(affiliation), name_key(instance)
    if not a:
        return False
    registry = _registry_entries()
    return bool({a, *registry.get(a, ())} & {b, *registry.get(b, ())})


def _initials(key: str) -> str:
    words = [w for w in key.split() if w not in {"dan", "atau", "and", "of"}]
    return "".join(w[0] for w in words if w)


def search_names(query: str, names: Iterable[str], aliases: Mapping[str, str] | None = None) -> list[str]:
    """The ``names`` a person typing ``query`` means, best first.

    A name is found by part of its name ("bogor", "kab bog"), by its registry acronym or code
    ("BPS", "Pemkab Bekasi", "4305"), by the initials of its words ("BSR" for "Badan Statistik
    Rekaan"), or through ``aliases`` (spelling → name). Case, punctuation and spaces inside an
    acronym do not matter. Ranking: exact name / acronym / code, then names starting with the
    query, then names containing every typed word as a word start, then any substring.
    """
    q = name_key(query)
    if not q:
        return list(dict.fromkeys(names))
    q_tight = q.replace(" ", "")
    q_words = q.split()
    registry = _registry_entries()
    extra: dict[str, list[str]] = {}
    for spelling, target in (aliases or {}).items():
        extra.setdefault(target, []).append(spelling)
    ranked: list[tuple[int, int, str]] = []
    for pos, name in enumerate(dict.fromkeys(names)):
        key = name_key(name)
        spellings = {key, *registry.get(key, ()), *(name_key(s) for s in extra.get(name, ()))}
        tight = {s.replace(" ", "") for s in spellings} | {_initials(key)}
        if q in spellings or q_tight in tight:
            rank = 0
        elif any(s.startswith(q) for s in spellings) or any(t.startswith(q_tight) for t in tight if len(q_tight) > 1):
            rank = 1
        elif any(all(any(w.startswith(qw) for w in s.split()) for qw in q_words) for s in spellings):
            rank = 2
        elif any(q in s for s in spellings) or any(q_tight in t for t in tight):
            rank = 3
        else:
            continue
        ranked.append((rank, pos, name))
    return [name for _rank, _pos, name in sorted(ranked)]
