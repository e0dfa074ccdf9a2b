"""The memo as an official letter: the team's letter profile, the head each instance is addressed
to, the copies (tembusan) by the instance's kind, and the letter number.

A **letter profile** is a TOML file a team writes once (see ``data/samples/profil_surat_sintetis.toml``)::

    [letterhead]            # kop surat
    team = "Tim Asesor Eksternal Evaluasi SPBE"
    institution = "Universitas …"
    address = "Jl. …"
    contact = "Telepon … · Surel …"
    logo = "logo.png"       # optional: PNG or JPEG beside the profile, embedded in every letter

    [letter]
    number = "{nomor:03d}/{kode_tim}/{bulan}/{tahun}"   # the counter, the team code, the month (Roman), the year
    team_code = "TAE-UI"
    classification = "Biasa"                             # Sifat
    attachment = "1 (satu) berkas"                       # Lampiran
    subject = ""                                         # Hal (default: the memo's subject)
    place = "Depok"
    deadline = "14 Juli 2025"                            # evidence completion / appeal deadline
    decree = ""                                          # the official result decree, when issued
    appeal = ""                                          # the appeal route (default: the catalogue's)

    [signer]
    name = "…"
    id_kind = "NIDN"        # NIP or NIDN
    id = "…"
    position = "Ketua Tim Asesor"
    contact = "…"

    [copies]                # tembusan: lines added to every letter, and any kind's list replaced
    always = ["Deputi Bidang Kelembagaan dan Tata Laksana, Kementerian PANRB"]
    pemda = ["Inspektur {wilayah}"]     # {instance}: the name; {wilayah}: without "Pemerintah"

Every key is checked: an unknown one (a typo) is refused naming the file and key, as is a value
of the wrong kind, a number pattern without ``{nomor}`` or with a field it does not know, a logo
that is missing, too large or not a PNG/JPEG image.
"""

from __future__ import annotations

import base64
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.paths import TextTooLarge, read_text_bounded

LOGO_MAX_BYTES = 512 * 1024
PROFILE_MAX_BYTES = 256 * 1024
_LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
NUMBER_FIELDS = ("nomor", "kode_tim", "bulan", "tahun")
DEFAULT_NUMBER = "{nomor:03d}/{kode_tim}/{bulan}/{tahun}"
COPY_KINDS = ("kementerian", "lembaga", "komisi", "pemda", "lainnya")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {  # section → key → the TOML type it takes
    "letterhead": {"team": str, "institution": str, "address": str, "contact": str, "logo": str},
    "letter": {
        "number": str,
        "team_code": str,
        "classification": str,
        "attachment": str,
        "subject": str,
        "place": str,
        "deadline": str,
        "decree": str,
        "appeal": str,
    },  # fmt: skip
    "signer": {"name": str, "id_kind": str, "id": str, "position": str, "contact": str},
    "copies": {k: list for k in ("always", *COPY_KINDS)},
}
SIGNER_ID_KINDS = ("NIP", "NIDN", "NIDK", "NUPTK")


@dataclass(frozen=True)
class LetterProfile:
    """A team's letter settings (see the module doc); build with :func:`load_letter_profile`."""

    team: str
    team_code: str
    institution: str = ""
    address: str = ""
    contact: str = ""
    logo: str = ""  # a data: URI (embedded), or ""
    number: str = DEFAULT_NUMBER
    classification: str = "Biasa"
    attachment: str = ""
    subject: str = ""
    place: str = ""
    deadline: str = ""
    decree: str = ""
    appeal: str = ""
    signer_name: str = ""
    signer_id_kind: str = "NIP"
    signer_id: str = ""
    signer_position: str = ""
    signer_contact: str = ""
    copies_always: tuple[str, ...] = ()
    copies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    def series(self, year: int | None) -> str:
        """The counter's series: one per team code and year (numbering starts again each year)."""
        return f"{self.team_code}/{year or '-'}"

    def number_text(self, seq: int, year: int | None, month: int) -> str:
        """The letter number of counter value ``seq`` (e.g. ``"007/TAE-UI/VII/2025"``)."""
        return self.number.format(nomor=int(seq), kode_tim=self.team_code, bulan=_ROMAN[int(month) - 1],
                                  tahun=year or "")  # fmt: skip


def _bad(path: str, key: str, detail: str) -> ValidationError:
    return ValidationError(Msg("error.letter_profile", path=path, key=key, detail=detail))


def check_number_pattern(pattern: str, where: str = "") -> str:
    """``pattern`` when it is a number pattern this toolkit can fill: only the fields
    :data:`NUMBER_FIELDS` (no attribute or item access, no conversion), ``{nomor}`` present,
    a width for ``{nomor}`` only (``{nomor:03d}``)."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise _bad(where, "letter.number", str(exc)) from exc
    seen = set()
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in NUMBER_FIELDS or conversion:
            raise _bad(where, "letter.number", "{" + (name or "") + "}")
        if spec and (name != "nomor" or not (spec.endswith("d") and spec[:-1].isdigit() and len(spec) <= 4)):
            raise _bad(where, "letter.number", "{" + name + ":" + spec + "}")
        seen.add(name)
    if "nomor" not in seen:
        raise _bad(where, "letter.number", "{nomor}")
    return pattern


def _logo(value: str, base: Path | None, where: str) -> str:
    if not value:
        return ""
    path = Path(value)
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        size = path.stat().st_size if path.is_file() else None
        data = path.read_bytes() if size is not None and size <= LOGO_MAX_BYTES else None  # sized before it is read
    except OSError:
        size = data = None
    if size is None:
        raise _bad(where, "letterhead.logo", str(path))
    if data is None or len(data) > LOGO_MAX_BYTES:
        raise _bad(where, "letterhead.logo", f"{path} > {LOGO_MAX_BYTES // 1024} KB")
    mime = next((m for magic, m in _LOGO_TYPES if data.startswith(magic)), None)
    if mime is None:  # an SVG could carry script; anything else is not an image a letter shows
        raise _bad(where, "letterhead.logo", f"{path}: PNG/JPEG")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def load_letter_profile(source: str | Path | Mapping[str, Any] | LetterProfile) -> LetterProfile:
    """A :class:`LetterProfile` from a TOML file (or an already parsed mapping), every key checked."""
    if isinstance(source, LetterProfile):
        return source
    base: Path | None = None
    if isinstance(source, Mapping):
        data, where = dict(source), "<profile>"
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise ValidationError(Msg("error.letter_profile_missing", path=where))
        try:
            data = tomllib.loads(read_text_bounded(path, PROFILE_MAX_BYTES))
        except TextTooLarge as exc:
            raise _bad(where, "—", f"> {PROFILE_MAX_BYTES // 1024} KB") from exc
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise _bad(where, "—", str(exc)) from exc
        base = path.parent
    for section, value in data.items():
        if section not in _KEYS:
            raise ValidationError(Msg("error.letter_profile_unknown", path=where, key=section, known=", ".join(_KEYS)))
        if not isinstance(value, dict):
            raise ValidationError(Msg("error.letter_profile_section", path=where, key=section))
        for key, item in value.items():
            kind = _KEYS[section].get(key)
            if kind is None:
                raise ValidationError(Msg("error.letter_profile_unknown", path=where, key=f"{section}.{key}",
                                          known=", ".join(_KEYS[section])))  # fmt: skip
            if not isinstance(item, kind) or (kind is list and not all(isinstance(x, str) for x in item)):
                raise ValidationError(Msg("error.letter_profile_type_" + ("list" if kind is list else "text"),
                                          path=where, key=f"{section}.{key}"))  # fmt: skip
    head, letter, signer, copies = (data.get(k, {}) for k in ("letterhead", "letter", "signer", "copies"))
    team = head.get("team", "").strip()
    code = letter.get("team_code", "").strip()
    if not team:
        raise _bad(where, "letterhead.team", "—")
    if not code or "/" in code:
        raise _bad(where, "letter.team_code", code or "—")
    id_kind = signer.get("id_kind", "NIP").strip().upper()
    if id_kind not in SIGNER_ID_KINDS:
        raise _bad(where, "signer.id_kind", f"{id_kind} ({', '.join(SIGNER_ID_KINDS)})")
    text = {k: v.strip() for k, v in letter.items() if isinstance(v, str)}
    return LetterProfile(
        team=team, team_code=code, institution=head.get("institution", "").strip(),
        address=head.get("address", "").strip(), contact=head.get("contact", "").strip(),
        logo=_logo(head.get("logo", "").strip(), base, where),
        number=check_number_pattern(text.get("number") or DEFAULT_NUMBER, where),
        classification=text.get("classification") or "Biasa", attachment=text.get("attachment", ""),
        subject=text.get("subject", ""), place=text.get("place", ""), deadline=text.get("deadline", ""),
        decree=text.get("decree", ""), appeal=text.get("appeal", ""),
        signer_name=signer.get("name", "").strip(), signer_id_kind=id_kind, signer_id=signer.get("id", "").strip(),
        signer_position=signer.get("position", "").strip(), signer_contact=signer.get("contact", "").strip(),
        copies_always=tuple(copies.get("always", ())),
        copies={k: tuple(v) for k, v in copies.items() if k != "always"}, source=where,
    )  # fmt: skip


# --------------------------------------------------------------------------- heads and copies
@lru_cache(maxsize=1)
def _heads() -> tuple[tuple[tuple[str, tuple[str, ...]], ...], dict[str, tuple[str, ...]]]:
    """``instance_heads.toml``: (name beginnings, longest first) and entries by type; an entry is
    (title, English title, kind for the copies, how the addressee is written)."""
    ref = resources.files("spbe_toolkit.frameworks") / "reference" / "instance_heads.toml"
    data = tomllib.loads(ref.read_text(encoding="utf-8"))
    begins = sorted(((k.casefold(), tuple(v)) for k, v in data["begins"].items()), key=lambda kv: -len(kv[0]))
    return tuple(begins), {k: tuple(v) for k, v in data["by_type"].items()}


def _head_entry(instance: str, instance_type: str | None) -> tuple[tuple[str, ...] | None, str]:
    """The entry of an instance (by how its name begins, else by its type) and the rest of its
    name after the matched beginning ("" when matched by type)."""
    begins, by_type = _heads()
    plain = " ".join(str(instance).split())
    name = plain.casefold()
    for start, entry in begins:
        if name == start or name.startswith(start + " ") or (start.endswith(".") and name.startswith(start)):
            return entry, plain[len(start) :].strip()
    return by_type.get(instance_type or ""), ""


def head_of(instance: str, instance_type: str | None, lang: str) -> str | None:
    """The title of an instance's head, as a letter addresses it ("Ketua" for a commission,
    "Jaksa Agung", "Bupati" …): by how its name begins, else by its type; None when neither
    says."""
    entry, _rest = _head_entry(instance, instance_type)
    return None if entry is None else entry[0 if lang == "id" else 1]


def addressee_of(instance: str, instance_type: str | None, lang: str) -> str | None:
    """The letter's addressee, as the head's office is named: "Bupati Bogor" (Kabupaten Bogor),
    "Menteri Keuangan" (Kementerian Keuangan), "Ketua Komisi Pemilihan Umum", "Jaksa Agung";
    in English "The Regent of Kabupaten Bogor". None when the head is not known."""
    entry, rest = _head_entry(instance, instance_type)
    if entry is None:
        return None
    plain = " ".join(str(instance).split())
    form = entry[3] if len(entry) > 3 else "{head} {name}"
    if lang != "id":
        return entry[1] if form == "{head}" else f"{entry[1]} of {plain}"
    if "{rest}" in form and not rest:
        form = "{head} {name}"
    return form.replace("{head}", entry[0]).replace("{rest}", rest).replace("{name}", plain)


def kind_of_instance(instance: str, instance_type: str | None) -> str:
    """The instance's kind for a letter's copies (:data:`COPY_KINDS`), from the same data as its head."""
    entry, _rest = _head_entry(instance, instance_type)
    return entry[2] if entry is not None and len(entry) > 2 else "lainnya"


@lru_cache(maxsize=1)
def _default_copies() -> dict[str, dict[str, list[str]]]:
    ref = resources.files("spbe_toolkit.frameworks") / "reference" / "letter_copies.toml"
    return tomllib.loads(ref.read_text(encoding="utf-8"))


def copies_for(instance: str, instance_type: str | None, lang: str, profile: LetterProfile | None = None) -> list[str]:
    """The letter's tembusan: the profile's lines for every letter, then the instance kind's
    list (the profile's, else the default of ``letter_copies.toml`` in ``lang``)."""
    kind = kind_of_instance(instance, instance_type)
    lines = profile.copies.get(kind) if profile is not None else None
    if lines is None:
        lines = _default_copies()[kind]["id" if lang == "id" else "en"]
    always = profile.copies_always if profile is not None else ()
    plain = " ".join(str(instance).split())
    region = plain[len("Pemerintah ") :] if plain.casefold().startswith("pemerintah ") else plain
    # no format(): the text is the team's, only these two words are filled in
    return [line.replace("{instance}", plain).replace("{wilayah}", region) for line in (*always, *lines)]
