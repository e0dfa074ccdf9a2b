"""Coaching memos: one self-contained HTML file per instance (inline CSS, inline SVG chart,
no external requests), rendered with Jinja2 (autoescaping on), in bulk across processes.

A memo holds only its own instance's levels and notes plus aggregates (peer means per
instance type, national target). Everything printed from outside is escaped; files are
written only inside the chosen folder, under names derived safely from the instance.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import WIB, Msg, check_lang, date_text, labels, number, tr
from spbe_toolkit.io.writers import write_text
from spbe_toolkit.render.memo.context import RoundData, input_hash, memo_context
from spbe_toolkit.render.memo.letter import LetterProfile, load_letter_profile
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.snapshot import RoundSnapshot

_ENV = Environment(
    loader=PackageLoader("spbe_toolkit.render.memo", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=False,
)


def safe_filename(instance: str) -> str:
    """A file name for an instance's memo: ASCII slug + short hash (no traversal, no collisions)."""
    ascii_ = unicodedata.normalize("NFKD", str(instance)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60].strip("-") or "instansi"
    digest = hashlib.sha256(str(instance).encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}.html"


def render_memo(
    ws: Workspace | RoundSnapshot,
    instance: str,
    lang: str | None = None,
    *,
    round_data: RoundData | None = None,
    **options,
) -> str:
    """One instance's coaching memo as a self-contained HTML string, from a workspace or a
    snapshot of one (:meth:`Workspace.snapshot`).

    ``lang``: ``"id"`` or ``"en"`` (default: the configured language, Indonesian unless set). ``options`` are those of :func:`memo_context`:
    ``previous`` (instance → index of the previous round, shown as the change since then),
    ``national_target``, ``generated_at`` (fixes the printed date, for byte-identical
    output), ``units`` (overrides the responsible units) and ``max_raise``.
    """
    rd = round_data or RoundData.build(ws)
    return _ENV.get_template("memo.html.j2").render(**memo_context(rd, instance, lang, **options))


# --------------------------------------------------------------------------- batch
_WORKER: dict = {}


def _init_worker(snapshot: RoundSnapshot) -> None:
    """A worker gets the round's frozen snapshot (no database connection of its own)."""
    _WORKER["rd"] = RoundData.build(snapshot)


def _render_chunk(names: list[str], out_dir: str, lang: str, opts: dict) -> list[dict]:
    rd = _WORKER["rd"]
    return [_render_one(rd, name, Path(out_dir), lang, opts) for name in names]


def _render_one(rd: RoundData, name: str, out_dir: Path, lang: str, opts: dict) -> dict:
    numbers = opts.get("letter_numbers") or {}
    opts = {k: v for k, v in opts.items() if k != "letter_numbers"}
    ctx = memo_context(rd, name, lang, letter_number=numbers.get(name), **opts)
    html = _ENV.get_template("memo.html.j2").render(**ctx)
    target = (out_dir / safe_filename(name)).resolve()
    if target.parent != out_dir.resolve():  # never write outside the chosen folder
        raise SpbeError(Msg("error.outside_folder", path=str(target), folder=str(out_dir)))
    write_text(target, html)
    fin = rd.final_scores.loc[name]
    recs = [{**r, "letter": numbers[name]} for r in ctx["recommendation_rows"]] if name in numbers else []
    return {"instance": name, "file": target.name, "index": float(fin["index"]), "predicate": fin["predicate"],
            "instance_type": rd.instances.at[name, "instance_type"], "recommendations": recs}  # fmt: skip


def render_memos(
    ws: Workspace | RoundSnapshot,
    out_dir: str | Path,
    instances: Iterable[str] | None = None,
    lang: str | None = None,
    workers: int | None = None,
    *,
    generated_at: str | None = None,
    progress: bool = True,
    pdf: bool = False,
    letter: str | Path | LetterProfile | None = None,
    **options,
) -> list[Path]:
    """Render one memo file per instance into ``out_dir`` plus an ``index.html``; returns the memo paths.

    ``pdf=True``: also print each memo as an A4 PDF beside it (same name, ``.pdf``; page
    numbers and the memo's title on every page) and a ``.zip`` with both, through Chromium
    (:mod:`~spbe_toolkit.render.memo.pdf`); a clear error when it is not available.

    ``letter``: the team's letter profile (a TOML path or a
    :class:`~spbe_toolkit.render.memo.letter.LetterProfile`): every memo becomes a numbered
    letter — letterhead, Nomor / Sifat / Lampiran / Hal, signer, tembusan — its number given by
    the round (:meth:`Workspace.number_letters`, series = the team code and year; the same
    letter rendered again keeps its number). Needs the workspace itself (a snapshot cannot
    keep the counter) and the team lead on a server round. Without it the letters are drafts.
    The numbered letters' recommendations (the first phase's steps) are kept by the round
    (:meth:`Workspace.record_recommendations`) for the next round to follow up.

    ``workers``: processes to use (default: all cores; 1 renders in this process). The
    output is deterministic: the same workspace and ``generated_at`` give the same bytes.
    ``options`` are those of :func:`~spbe_toolkit.render.memo.context.memo_context`
    (``previous``, ``national_target``, ``units``, ``max_raise``), the same for every memo.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    snap = ws if isinstance(ws, RoundSnapshot) else ws.snapshot()  # the round read once, for every memo
    names = list(snap.instances.index) if instances is None else list(instances)
    known = set(snap.instances.index)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SpbeError(Msg("error.instance_not_in_workspace", instance=", ".join(map(repr, unknown[:5]))))
    files = [safe_filename(n) for n in names]
    if len(set(files)) != len(files):
        raise SpbeError(Msg("error.memo_name_clash"))
    lang = check_lang(lang)
    generated_at = generated_at or date_text(None, lang)
    opts = {**options, "generated_at": generated_at}
    shared = None
    if letter is not None:
        opts["letter"] = profile = load_letter_profile(letter)
        if not isinstance(ws, Workspace):
            raise SpbeError(Msg("error.letter_needs_workspace"))
        shared = RoundData.build(snap)  # read once: for the letters' fingerprints and (one worker) the memos
        opts["letter_numbers"] = _letter_numbers(ws, shared, names, profile)
    workers = workers or os.cpu_count() or 1
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(names), desc=tr("memo.progress", lang), unit=tr("memo.progress_unit", lang))
    results: list[dict] = []
    if workers <= 1 or len(names) < 4:
        rd = shared or RoundData.build(snap)
        for n in names:
            results.append(_render_one(rd, n, out, lang, opts))
            if bar is not None:
                bar.update(1)
    else:
        size = max(1, min(25, len(names) // (workers * 4) or 1))
        chunks = [names[i : i + size] for i in range(0, len(names), size)]
        # every worker receives the frozen snapshot: no worker reopens the round (file or server)
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(snap,)) as pool:
            futures = [pool.submit(_render_chunk, c, str(out), lang, opts) for c in chunks]
            for fut in as_completed(futures):
                part = fut.result()
                results.extend(part)
                if bar is not None:
                    bar.update(len(part))
    if bar is not None:
        bar.close()
    order = {n: i for i, n in enumerate(names)}
    results.sort(key=lambda r: order[r["instance"]])
    if letter is not None:  # the letters' recommendations, kept by the round for the next one to follow up
        ws.record_recommendations([rec for r in results for rec in r["recommendations"]])
    fw = snap.framework
    rows = [
        {
            **r,
            "index": number(r["index"], lang),
            "instance_type": r["instance_type"] if pd.notna(r["instance_type"]) else "—",
        }
        for r in results
    ]
    index_html = _ENV.get_template("index.html.j2").render(
        lang=lang,
        t=labels("memo", lang),
        rows=rows,
        fw_title=fw.title_in(lang),
        year=snap.year,
        generated_at=generated_at,
    )
    write_text(out / "index.html", index_html)
    paths = [out / r["file"] for r in results]
    if pdf:
        from spbe_toolkit.render.memo.pdf import write_pdfs

        title = tr("memo.title", lang)
        numbers = opts.get("letter_numbers") or {}
        write_pdfs([(p, tr("memo.pdf_title", lang, title=title, year=snap.year or "", instance=r["instance"]),
                     numbers.get(r["instance"])) for p, r in zip(paths, results)], lang, progress=progress)  # fmt: skip
    return paths


def _letter_numbers(ws: Workspace, rd: RoundData, names: list[str], profile: LetterProfile) -> dict[str, str]:
    """Each memo's letter number from the round's counter (one transaction for the batch), by
    the memo's input fingerprint: the same data keeps its number, changed data gets a new one."""
    snap = rd.snap
    digests = {n: input_hash(snap, n, rd.part("own_levels", n), rd.part("current_levels", n)) for n in names}
    month = datetime.now(WIB).month  # the month the letter is dated in (Jakarta time)
    given = ws.number_letters(digests, series=profile.series(snap.year), issued_by=profile.signer_name,
                              number=lambda seq: profile.number_text(seq, snap.year, month))  # fmt: skip
    return dict(zip(given["instance"], given["number"]))


class MemoView:
    """Shows a memo inside a notebook cell in a sandboxed iframe (its styles stay inside)."""

    def __init__(self, html: str, height: int = 700) -> None:
        self.html = html
        self.height = height

    def _repr_html_(self) -> str:
        import html as _html

        return (
            f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" sandbox="" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ccc"></iframe>'
        )


def show_memo(ws: Workspace, instance: str, lang: str | None = None, **kwargs) -> MemoView:
    """Render a memo and return an object that displays it in a notebook cell."""
    return MemoView(render_memo(ws, instance, lang, **kwargs))
