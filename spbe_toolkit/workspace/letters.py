"""Letter numbers: the round keeps the counter of the letters its memos are sent as.

A number is given once (schema 11, table ``letters``: unique, append-only, in both stores): per
*series* (a team's code and year, e.g. ``"TAE-UI/2025"``) the counter only goes up, and the same
letter asked again — the same instance with the same data (the memo's input fingerprint) — keeps
the number it was given. A letter whose data changed is a new letter with a new number; the
old number stays recorded against the old content, never handed to another letter.

Numbers are given by the team lead (on a server round the database refuses anyone else: the
table has no grant for evaluators).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.i18n import Msg

LETTER_VIEW_COLUMNS = ["instance", "number", "seq", "series", "issued_at", "new"]


def letters(ws) -> pd.DataFrame:
    """Every letter number given in this round, oldest first: ``id, series, seq, number,
    instance, content_hash, issued_by, issued_at``."""
    return ws.store.letters()


def number_letters(
    ws,
    requests: Mapping[str, str],
    *,
    series: str,
    number: Callable[[int], str],
    issued_by: str | None = None,
) -> pd.DataFrame:
    """Give each instance of ``requests`` (instance → its memo's input fingerprint) a letter
    number in ``series``, in one transaction, and return ``instance, number, seq, series,
    issued_at, new`` in the order asked.

    ``number(seq)`` writes the counter's value as the letter number (e.g. ``"007/TAE-UI/VII/2025"``);
    it must give different texts for different values (the database refuses a number given
    before, whatever its series). An instance whose letter with the same fingerprint already has
    a number in ``series`` keeps it (``new`` False).
    """
    series = (series or "").strip()
    if not series:
        raise ValidationError(Msg("error.letter_series_empty"))
    me = ws.whoami()
    if me is not None and not me["lead"]:
        raise ValidationError(Msg("error.lead_only", role=me["role"]))
    known = ws.store.instance_names()
    unknown = [n for n in requests if n not in known]
    if unknown:
        raise SpbeError(Msg("error.instance_not_in_workspace", instance=", ".join(map(repr, unknown[:5]))))
    who = (me["name"] if me else None) or (issued_by or "").strip() or (me["role"] if me else "")
    if not who:
        raise ValidationError(Msg("error.letter_issuer_missing"))
    now = ws.clock()
    out = []
    with ws.store.transaction():  # the round's write lock: the counter read and moved by one writer
        every = ws.store.letters()
        taken = set(every["number"])
        given = every[every["series"] == series]
        known = {(r.instance, r.content_hash): r for r in given.itertuples(index=False)}
        top = ws.store.letter_top(series)
        for instance, digest in requests.items():
            old = known.get((instance, digest))
            if old is not None:
                out.append((instance, old.number, int(old.seq), series, old.issued_at, False))
                continue
            top += 1
            text = str(number(top)).strip()
            if not text:
                raise ValidationError(Msg("error.letter_number_empty", seq=top))
            if text in taken:  # the pattern does not tell the counter's values apart, or another series wrote it
                raise ValidationError(Msg("error.letter_number_taken", number=text, series=series))
            taken.add(text)
            ws.store.add_letter(series, top, text, instance, digest, who, now)
            out.append((instance, text, top, series, now, True))
    return pd.DataFrame(out, columns=LETTER_VIEW_COLUMNS)
