"""Real browser: JupyterLab runs notebook 05 (the Pemdi round as assessed) in headless Chromium;
the panel shows values with decimals and their level names, an assessor types a value with the
keyboard and saves it with Enter, the finding editor and the memo show — and the file agrees."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest

from tests.browser import notebook_in_lab

NOTEBOOK = "05_putaran_pemdi.ipynb"


@pytest.mark.browser
def test_pemdi_notebook_runs_and_the_panel_takes_a_typed_decimal_value(tmp_path):
    from playwright.sync_api import expect

    with notebook_in_lab(NOTEBOOK, tmp_path, ready=".spbe-panel-header") as page:
        header = page.locator(".spbe-panel-header").first
        header.scroll_into_view_if_needed()
        expect(header).to_contain_text("Tingkat", timeout=10_000)
        expect(header).to_contain_text("Rintisan", timeout=10_000)
        # the first section is open: its first value box takes a typed value, saved on Enter
        box = page.locator(".widget-inline-hbox input[type='number']").first
        box.scroll_into_view_if_needed()
        row = box.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
        note = row.locator("textarea").first
        note.click()
        page.keyboard.type("Nilai diketik asesor di peramban (sintetis)")
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("2.45")  # an <input type=number>: the browser's own decimal point
        page.keyboard.press("Enter")
        expect(row).to_contain_text("Tersimpan", timeout=15_000)
        expect(row).to_contain_text("Terkelola", timeout=10_000)
        expect(row).to_contain_text("Simpan temuan", timeout=10_000)
        expect(row).to_contain_text("Catatan asesor", timeout=10_000)
        page.screenshot(path=str(tmp_path / "pemdi_panel.png"))
        row.locator("textarea").nth(1).scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "pemdi_findings.png"))
        content = page.content()
        assert "sementara — menunggu nilai" in content or "Dinilai dari Indeks" in content
        memo = page.frame_locator("iframe").first
        expect(memo.locator("body")).to_contain_text(
            "Nilai, Verifikasi, Catatan dan Rekomendasi Asesor", timeout=20_000
        )
    # the notebook's round lives in a fresh temporary folder: the value typed is in its file
    saved = []
    for path in Path(tempfile.gettempdir()).glob("pemdi-*/putaran_pemdi_2026.sqlite"):
        conn = sqlite3.connect(path)
        saved += conn.execute(
            "SELECT level FROM events WHERE note = 'Nilai diketik asesor di peramban (sintetis)'"
        ).fetchall()
        conn.close()
    assert (2.45,) in saved
