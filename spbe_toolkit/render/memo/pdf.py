"""Memos as A4 PDF files, printed by Chromium through Playwright (the engine the browser tests
use), one browser for the whole batch: page numbers and the memo's title on every page, the
memo's own print styles, nothing fetched (JavaScript off, every request but the memo file
itself refused). Beside each PDF, a zip to send: the PDF and the HTML memo it was printed from.

Chromium was chosen after measuring it beside WeasyPrint on the same memos (see
docs/benchmarks.md). When Playwright or a Chromium binary is missing, a clear
:class:`~spbe_toolkit.errors.SpbeError` says what to install; the HTML memos are written anyway.
"""

from __future__ import annotations

import html
import os
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import Msg, tr
from spbe_toolkit.io.writers import atomic_path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}  # the memo's @page, room for the footer


def find_chromium() -> str | None:
    """The Chromium binary to print with: ``SPBE_CHROMIUM`` if set, else a usual place, else None."""
    given = os.environ.get("SPBE_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


def _engine():
    """Playwright's sync API and the Chromium binary, or a clear error naming what is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise SpbeError(Msg("error.pdf_no_playwright")) from exc
    binary = find_chromium()
    if binary is None:
        raise SpbeError(Msg("error.pdf_no_chromium", where=os.environ.get("SPBE_CHROMIUM") or CHROMIUM_CANDIDATES[0]))
    return sync_playwright, binary


def footer(title: str, lang: str | None, number: str | None = None) -> str:
    """The footer Chromium prints on every page: the letter number (when the memo is a numbered
    letter), the memo's title and "page X of Y"."""
    page = tr("memo.pdf_page", lang)
    left = html.escape(title)
    if number:
        left = f"{html.escape(tr('memo.pdf_number', lang, number=number))} · {left}"
    return (
        '<div style="font-size:7.5pt;color:#555;width:100%;padding:0 15mm;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>{left}</span>"
        f'<span>{html.escape(page)} <span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )


def pdf_options(title: str, lang: str | None, number: str | None = None) -> dict:
    """What every memo is printed with (``page.pdf`` keywords): A4, backgrounds, the footer."""
    return {"format": "A4", "print_background": True, "display_header_footer": True, "header_template": "<div></div>",
            "footer_template": footer(title, lang, number), "margin": MARGINS}  # fmt: skip


def write_pdfs(memos: Sequence[tuple[Path, str] | tuple[Path, str, str | None]], lang: str | None, *,
               progress: bool = True) -> list[Path]:  # fmt: skip
    """Print each ``(html_path, title[, letter number])`` to ``html_path`` with ``.pdf`` (A4; the
    number, the title and the page on every page) and pack the two into ``.zip``; returns the
    PDF paths. Each file appears whole or not at all."""
    sync_playwright, binary = _engine()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(memos), desc=tr("memo.pdf_progress", lang), unit=tr("memo.progress_unit", lang))
    out: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=binary, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(java_script_enabled=False, offline=True)
            page = context.new_page()
            allowed: dict[str, str] = {}
            page.route("**/*", lambda route: route.continue_() if route.request.url in allowed else route.abort())
            for source, title, *rest in memos:
                uri = source.resolve().as_uri()
                allowed.clear()
                allowed[uri] = ""
                page.goto(uri, wait_until="load")
                target = source.with_suffix(".pdf")
                with atomic_path(target) as tmp:
                    page.pdf(path=str(tmp), **pdf_options(title, lang, rest[0] if rest else None))
                with atomic_path(source.with_suffix(".zip")) as tmp:
                    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                        zf.write(target, target.name)
                        zf.write(source, source.name)
                out.append(target)
                if bar is not None:
                    bar.update(1)
        finally:
            browser.close()
            if bar is not None:
                bar.close()
    return out
