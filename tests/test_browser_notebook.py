"""Real browser: JupyterLab on localhost runs notebook 02 (the team round) in headless
Chromium; the overview, the panel and the harmonisation chart show, and nothing fails."""

from __future__ import annotations

import pytest

from tests.browser import notebook_in_lab

NOTEBOOK = "02_penyesuaian_level.ipynb"


@pytest.mark.browser
def test_team_round_notebook_runs_in_jupyterlab(tmp_path):
    from playwright.sync_api import expect

    with notebook_in_lab(NOTEBOOK, tmp_path, ready=".spbe-panel-header") as page:
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
        assert "Tersimpan" in content and "Membatalkan perubahan saya" in content  # saved, then undone
        assert "Penggabungan: 0 peristiwa ditambahkan" in content  # merging the same file twice adds nothing
        charts = page.locator(".jp-OutputArea-output img")
        assert charts.count() >= 1, "the harmonisation chart is not shown"
        charts.first.scroll_into_view_if_needed()
        box = charts.first.bounding_box()
        assert box and box["width"] > 500 and box["height"] > 200
        page.screenshot(path=str(tmp_path / "harmonisation.png"))
