"""Real browser: JupyterLab on localhost runs notebook 02 in headless Chromium; the panel renders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import chromium_page, jupyterlab, require_browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "02_penyesuaian_level.ipynb"


@pytest.mark.browser
def test_adjustment_panel_renders_in_jupyterlab(tmp_path):
    require_browser()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    with jupyterlab(tmp_path) as (base, token), chromium_page() as page:
        page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        # JupyterLab may ask which kernel to start: take the offered Python 3 kernel
        try:
            page.locator(".jp-Dialog button:has-text('Select')").click(timeout=8_000)
        except Exception:
            pass  # no dialog: the kernel started by itself
        # wait for the kernel, then Run > Run All Cells, as a person would
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click("li.lm-Menu-item:has-text('Run All Cells')")
        try:
            page.wait_for_selector(".spbe-header", timeout=120_000)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-Cell .jp-InputArea-prompt').length > 0 && "
            "[...document.querySelectorAll('.jp-InputArea-prompt')].every(p => !p.textContent.includes('*'))",
            timeout=120_000,
        )
        page.locator(".spbe-header").first.scroll_into_view_if_needed()
        headers = page.locator(".jp-OutputArea .jupyter-widget-Collapse-header")
        assert headers.count() >= 4  # the panel's domain sections (the overview has none)
        headers.nth(0).click()
        page.screenshot(path=str(tmp_path / "panel.png"), full_page=False)
        header = page.locator(".spbe-header").first.inner_text()
        assert "Mandiri" in header and "Terkini" in header and "Indeks" in header
        selects = page.locator(".widget-dropdown select").count()
        assert selects >= 47, f"expected the 47 level selectors of the panel, found {selects}"
        assert page.locator(".widget-dropdown option:has-text('Rintisan')").count() >= 1
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).all_inner_texts()
        assert not any("Traceback" in e or "Error" in e for e in errors), errors
        assert "Tersimpan" in page.content()
        # the instance picker is searched by typing; the keys never reach JupyterLab's shortcuts
        cells_before = page.locator(".jp-Notebook .jp-Cell").count()
        search = page.locator(".jp-OutputArea input[list]").first  # the picker: a text box with suggestions
        search.scroll_into_view_if_needed()
        search.click()
        search.fill("")
        page.keyboard.type("abmuarA", delay=20)  # letters that are notebook shortcuts in command mode
        page.wait_for_timeout(500)
        assert page.locator(".jp-Notebook .jp-Cell").count() == cells_before, "typing in the picker inserted cells"
        suggestions = page.locator(".jp-OutputArea datalist option").count()
        assert suggestions >= 44, f"the picker suggests {suggestions} instances"
