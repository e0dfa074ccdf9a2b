"""Real browser: JupyterLab on localhost runs notebook 02 (the team round) in headless
Chromium; the overview, the panel and the harmonisation chart show, and nothing fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import chromium_page, jupyterlab, open_and_run_all, require_browser, stderr_tracebacks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "02_penyesuaian_level.ipynb"


@pytest.mark.browser
def test_team_round_notebook_runs_in_jupyterlab(tmp_path):
    require_browser()
    from playwright.sync_api import expect

    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    with jupyterlab(tmp_path) as (base, token), chromium_page() as page:
        open_and_run_all(page, base, token, NOTEBOOK, ready=".spbe-panel-header", tmp_path=tmp_path)
        assert not stderr_tracebacks(page)
        # JupyterLab skips painting cells out of view: scroll to what is read
        header = page.locator(".spbe-panel-header").first
        header.scroll_into_view_if_needed()
        for word in ("Mandiri", "Terkini", "Indeks"):
            expect(header).to_contain_text(word, timeout=10_000)
        overview = page.locator(".spbe-overview").first
        overview.scroll_into_view_if_needed()
        for word in ("Tahap tercapai", "Kementerian Urusan Contoh"):
            expect(overview).to_contain_text(word, timeout=10_000)
        content = page.content()
        assert "Tersimpan" in content and "Dikembalikan dari tingkat" in content
        assert "MergeReport added=0" in content  # merging the same file twice adds nothing
        charts = page.locator(".jp-OutputArea-output img")
        assert charts.count() >= 1, "the harmonisation chart is not shown"
        charts.first.scroll_into_view_if_needed()
        box = charts.first.bounding_box()
        assert box and box["width"] > 500 and box["height"] > 200
        page.screenshot(path=str(tmp_path / "harmonisation.png"))
