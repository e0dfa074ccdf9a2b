"""The evaluation's vocabulary, in one place: stages, instance types and their groups, the
column names a submission may use, indicator-code spelling and the predicate basis.

Codes here are the stable values stored in data and returned by the API (English or the
official Indonesian term); what a person reads for each is in the i18n catalogue
(``stage.*``, ``value.*``), never here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Literal

# --------------------------------------------------------------------------- stages
STAGES = ("mandiri", "dokumen", "interviu", "visitasi", "final")
"""Assessment stages in order: the self-assessment, then the evaluators' stages."""
SELF_STAGE = STAGES[0]
EVALUATOR_STAGES = STAGES[1:]
STAGE_RANK = {stage: i for i, stage in enumerate(EVALUATOR_STAGES)}  # their order: a later stage decides

# --------------------------------------------------------------------------- instance types
INSTANCE_TYPES = (
    "Kementerian",
    "LPNK",
    "LNS",
    "Instansi Lainnya",
    "Pemerintah Provinsi",
    "Pemerintah Kabupaten",
    "Pemerintah Kota",
)
"""The types an instance declares in a submission."""
PUBLISHED_TYPES = (INSTANCE_TYPES[0], "Lembaga", *INSTANCE_TYPES[1:])
"""Types as published tables use them ("Lembaga" pools agencies in the 2024 results)."""
CENTRAL_TYPES = frozenset({"Kementerian", "Lembaga", "LPNK", "LNS", "Instansi Lainnya"})
REGIONAL_TYPES = frozenset({"Pemerintah Provinsi", "Pemerintah Kabupaten", "Pemerintah Kota"})
GROUPS = ("Instansi Pusat", "Pemerintah Daerah")
# The 2024 report's Tabel 6–8 grouping (central categories other than Kementerian and LPNK pooled)
REPORT_GROUPS = (
    "Kementerian",
    "LPNK",
    "LNS dan Instansi Lainnya",
    "Pemerintah Provinsi",
    "Pemerintah Kabupaten",
    "Pemerintah Kota",
)
POOLED_REPORT_GROUP = REPORT_GROUPS[2]
# Target groups of the 2024 shares Baik-or-better (RPJMN): central, provinces, regencies/cities
TARGET_GROUPS = {
    "Instansi Pusat": CENTRAL_TYPES,
    "Pemerintah Provinsi": frozenset({"Pemerintah Provinsi"}),
    "Pemerintah Kabupaten/Kota": frozenset({"Pemerintah Kabupaten", "Pemerintah Kota"}),
}

TYPE_ALIASES = {
    "kementerian": "Kementerian",
    "lpnk": "LPNK",
    "lembaga pemerintah non kementerian": "LPNK",
    "lembaga pemerintah nonkementerian": "LPNK",
    "lns": "LNS",
    "lembaga non struktural": "LNS",
    "lembaga nonstruktural": "LNS",
    "instansi lainnya": "Instansi Lainnya",
    "lainnya": "Instansi Lainnya",
    "pemerintah provinsi": "Pemerintah Provinsi",
    "provinsi": "Pemerintah Provinsi",
    "pemprov": "Pemerintah Provinsi",
    "pemerintah kabupaten": "Pemerintah Kabupaten",
    "kabupaten": "Pemerintah Kabupaten",
    "pemkab": "Pemerintah Kabupaten",
    "kab": "Pemerintah Kabupaten",
    "pemerintah kota": "Pemerintah Kota",
    "kota": "Pemerintah Kota",
    "pemkot": "Pemerintah Kota",
}
"""Spellings of an instance type (normalised with :func:`norm_text`) → the type."""


# Which table of responsible units fits an instance type (frameworks/reference/coaching_units.toml)
UNIT_GROUPS = {
    "pusat": CENTRAL_TYPES,
    "provinsi": frozenset({"Pemerintah Provinsi"}),
    "kabkota": frozenset({"Pemerintah Kabupaten", "Pemerintah Kota"}),
}
GENERAL_UNIT_GROUP = "umum"


def unit_group_of_type(instance_type: Any) -> str:
    """ "pusat", "provinsi" or "kabkota" for an instance type; "umum" when it is unknown."""
    return next((g for g, types in UNIT_GROUPS.items() if instance_type in types), GENERAL_UNIT_GROUP)


def central_kind_of_type(instance_type: Any) -> str | None:
    """ "kementerian" for a ministry, "lembaga" for another central instance (LPNK, LNS, …),
    None otherwise: the units' names that differ between the two (Sekretariat Jenderal /
    Sekretariat Utama, Direktorat Jenderal / Deputi)."""
    if instance_type == "Kementerian":
        return "kementerian"
    return "lembaga" if instance_type in CENTRAL_TYPES else None


def group_of_type(instance_type: Any) -> str | None:
    """ "Instansi Pusat" / "Pemerintah Daerah" for an instance type, None when unknown."""
    if instance_type in CENTRAL_TYPES:
        return GROUPS[0]
    if instance_type in REGIONAL_TYPES:
        return GROUPS[1]
    return None


def report_group_of_category(category: Any) -> str | None:
    """The 2024 report's group of a published category."""
    if not isinstance(category, str):
        return None
    return category if category in REPORT_GROUPS else POOLED_REPORT_GROUP


# --------------------------------------------------------------------------- column names
COLUMN_ALIASES: dict[str, frozenset[str]] = {
    "instance": frozenset({"instance", "instansi", "nama instansi", "instance name", "nama"}),
    "indicator": frozenset(
        {"indicator", "indikator", "kode indikator", "indicator code", "kode", "no indikator", "nomor indikator"}
    ),
    "level": frozenset({"level", "tingkat", "tingkat (level)", "nilai", "tingkat kematangan", "maturity level"}),
    "justification": frozenset(
        {"justification", "justifikasi", "penjelasan", "penjelasan / justifikasi", "keterangan"}
    ),
    "evidence": frozenset({"evidence", "bukti", "bukti dukung", "tautan bukti dukung", "evidence link", "tautan"}),
    "stage": frozenset({"stage", "tahap", "tahapan"}),
    "instance_type": frozenset({"instance_type", "instance type", "jenis", "jenis instansi", "type"}),
    "province": frozenset({"province", "provinsi"}),
    "year": frozenset({"year", "tahun", "tahun evaluasi"}),
    "contact": frozenset({"contact", "kontak", "narahubung", "narahubung (nama, surel)"}),
    "framework": frozenset({"framework", "kerangka", "kerangka evaluasi"}),
}
"""Column headings (normalised with :func:`norm_text`) a submission may use for each field."""
ASSIGNMENT_COLUMN_ALIASES: dict[str, frozenset[str]] = {  # the team lead's assignment sheet
    "instance": COLUMN_ALIASES["instance"],
    "evaluator": frozenset({"evaluator", "asesor", "penilai", "nama evaluator", "nama asesor", "assessor"}),
    "team": frozenset({"team", "tim", "nama tim", "team name", "kelompok"}),
    "affiliation": frozenset(
        {
            "affiliation",
            "afiliasi",
            "asal",
            "instansi asal",
            "asal instansi",
            "institusi",
            "institution",
            "home institution",
        }
    ),
}
PREVIOUS_COLUMN_ALIASES: dict[str, frozenset[str]] = {  # a published results table
    "instance": COLUMN_ALIASES["instance"],
    "index": frozenset({"index", "indeks", "nilai indeks", "indeks spbe", "index value", "nilai"}),
    "predicate": frozenset({"predicate", "predikat"}),
}
REVIEW_COLUMN_ALIASES: dict[str, frozenset[str]] = {
    "instance": COLUMN_ALIASES["instance"],
    "indicator": COLUMN_ALIASES["indicator"],
    "level": COLUMN_ALIASES["level"] | {"nilai asesor", "value"},
    "stage": COLUMN_ALIASES["stage"],
    "evaluator": frozenset({"evaluator", "asesor", "penilai", "nama evaluator", "nama asesor", "assessor"}),
    "note": frozenset({"note", "alasan", "alasan perubahan", "reason"}),
    "finding": frozenset({"catatan", "catatan asesor", "temuan", "finding", "findings"}),
    "recommendation": frozenset({"rekomendasi", "recommendation", "recommendations", "saran"}),
    "uploaded": frozenset({"unggah", "diunggah", "upload", "uploaded", "bukti diunggah", "evidence uploaded"}),
    "interviewed": frozenset(
        {"interviu", "interview", "interviewed", "dikonfirmasi interviu", "confirmed at interview"}
    ),
    "approved": frozenset({"disetujui", "approved", "persetujuan", "approval"}),
    "no_evidence": frozenset({"tanpa bukti", "tanpa_bukti", "no evidence", "no_evidence"}),
}
"""Column headings of an assessor's table (a team's spreadsheet or the national application's
export) for :meth:`Workspace.import_levels`."""
STAGE_ALIASES = {"akhir": "final", "hasil akhir": "final", "document": "dokumen", "interview": "interviu",
                 "visit": "visitasi", "site visit": "visitasi"}  # fmt: skip
"""Other names of the evaluator stages in assessors' tables (the 2026 tools say "Akhir")."""
VERIFICATION_FLAGS = ("uploaded", "interviewed", "approved")
"""The three verification marks of an indicator: evidence uploaded, confirmed at the interview, approved."""
VERIFICATION_VALUES = ("ya", "tidak", "na")
FOLLOW_UP_STATUSES = ("selesai", "sebagian", "belum")
"""What became of a recommendation: done, partly, not yet (as the instance reports it, or as the
levels reached say)."""
"""Each mark is ya, tidak or na (na: the indicator is assessed from another national index)."""
_FLAG_ALIASES = {
    "ya": "ya", "y": "ya", "yes": "ya", "true": "ya", "1": "ya", "✓": "ya", "v": "ya", "ada": "ya",
    "tidak": "tidak", "t": "tidak", "no": "tidak", "false": "tidak", "0": "tidak", "–": "tidak", "-": "tidak",
    "belum": "tidak", "na": "na", "n/a": "na", "◆": "na", "tidak berlaku": "na", "not applicable": "na",
}  # fmt: skip


def verification_value(value: Any) -> str | None:
    """A verification mark as stored (ya / tidak / na); None for an empty cell; ValueError otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    text = norm_text(value)
    if text == "":
        return None
    if text in _FLAG_ALIASES:
        return _FLAG_ALIASES[text]
    raise ValueError(value)


ALIAS_TO_COLUMN = {alias: key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}
INSTANCE_META = ("instance_type", "province", "year", "contact", "framework")
OTHER_HEADINGS = frozenset({"indicator name", "nama indikator"})
"""Descriptive headings a submission table may carry that hold no data field."""
"""The fields of an instance block besides its name."""


_SPACES = re.compile(r"\s+")


def norm_text(text: Any) -> str:
    """Lower case with single spaces: how headings, labels and aliases are compared."""
    return _SPACES.sub(" ", str(text if text is not None else "")).strip().lower()


# --------------------------------------------------------------------------- data markers
SYNTHETIC_MARK = "(Sintetis)"
"""How a synthetic instance's name ends (samples, demos): memos of such instances say they are not real."""


def is_synthetic(instance: Any) -> bool:
    return isinstance(instance, str) and SYNTHETIC_MARK in instance


MISSING_MARK = "belum tersedia"
"""What a data file writes in a cell whose source is silent (criteria, evidence): explicitly missing."""


# --------------------------------------------------------------------------- names
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)  # zero-width, BOM, soft hyphen
_SPECIAL_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\r\n"), " ")  # no-break and other spaces


def identity_name(name: str) -> str:
    """The form of an instance name used for identity: Unicode NFC, no zero-width characters,
    ordinary single spaces, trimmed. "Kota\u00a0Bogor" and "Kota Bogor" are one instance."""
    s = unicodedata.normalize("NFC", str(name)).translate(_INVISIBLE).translate(_SPECIAL_SPACES)
    return re.sub(r" {2,}", " ", s).strip()


# --------------------------------------------------------------------------- indicator codes
_CODE_PREFIX = re.compile(r"(?i)(?:indikator|indicator|ind\.?|i)\s*0*(\d+[a-z]?)")
_WHOLE_DECIMAL = re.compile(r"\d+\.0+")


def normalise_code(value: Any) -> str:
    """An indicator code as text: 7, 7.0, "7", "7.0", "I7" and "Indikator 7" are "7"; "35a" stays;
    a missing value is "". The only place codes are respelled."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return str(int(value))
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        value = float(value)
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    s = str(value).strip()
    if s.isdigit() and s.isascii():  # "7" as most files write it (neither pattern below matches digits alone)
        return s
    if m := _CODE_PREFIX.fullmatch(s):
        return m.group(1).lower()
    if _WHOLE_DECIMAL.fullmatch(s):
        return s.split(".")[0]
    return s


# --------------------------------------------------------------------------- predicate basis
PredicateBasis = Literal["exact", "rounded"]
PREDICATE_BASES = ("exact", "rounded")


def check_basis(basis: Any) -> str:
    """``basis`` when it is a predicate basis; otherwise a :class:`ValidationError`."""
    if basis not in PREDICATE_BASES:
        from spbe_toolkit.errors import ValidationError
        from spbe_toolkit.i18n import Msg

        raise ValidationError(Msg("error.bad_basis", value=repr(basis)))
    return basis
