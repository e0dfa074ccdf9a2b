"""Helpers for the real-browser tests: Debian's Chromium driven by Python Playwright.

Tests using them skip with a clear message when Chromium or Playwright is absent
(``.ci/run`` installs Chromium, so CI runs them). No browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SPBE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def require_browser():
    """Skip the calling test unless Chromium and Playwright are both available."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser test skipped: {CHROMIUM} not found (install Debian's 'chromium' package; .ci/run does)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("browser test skipped: the 'playwright' Python package is not installed (make test installs it)")


@contextlib.contextmanager
def chromium_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            yield context.new_page()
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path):
    """Start JupyterLab on localhost serving ``root``; yields (base_url, token)."""
    port = free_port()
    token = secrets.token_hex(16)
    home = root / ".jupyter-home"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
        "--allow-root", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    log = (root / "jupyterlab.log").open("w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" + (root / "jupyterlab.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def open_and_run_all(page, base: str, token: str, notebook: str, *, ready: str, tmp_path: Path) -> None:
    """Open ``notebook`` in JupyterLab, start its kernel, Run > Run All Cells as a person would,
    and wait until ``ready`` (a CSS selector) shows and no cell is still running."""
    page.goto(f"{base}/lab/tree/{notebook}?token={token}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # JupyterLab may ask which kernel to start: take the offered Python 3 kernel
    try:
        page.locator(".jp-Dialog button:has-text('Select')").click(timeout=8_000)
    except Exception:
        pass  # no dialog: the kernel started by itself
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    try:
        page.wait_for_selector(ready, timeout=120_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-Cell .jp-InputArea-prompt').length > 0 && "
            "[...document.querySelectorAll('.jp-InputArea-prompt')].every(p => !p.textContent.includes('*'))",
            timeout=180_000,
        )
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"))
        raise


def stderr_tracebacks(page) -> list[str]:
    """Error outputs shown in the notebook (there should be none)."""
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    return [e for e in errors if "Traceback" in e or "Error" in e]


NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@contextlib.contextmanager
def notebook_in_lab(notebook: str, tmp_path: Path, *, ready: str):
    """A copy of ``notebooks/<notebook>`` opened in JupyterLab and run (Run All Cells) in
    Chromium, with no traceback shown; yields the page."""
    require_browser()
    shutil.copy(NOTEBOOKS / notebook, tmp_path / notebook)
    with jupyterlab(tmp_path) as (base, token), chromium_page() as page:
        open_and_run_all(page, base, token, notebook, ready=ready, tmp_path=tmp_path)
        assert not stderr_tracebacks(page)
        yield page
