"""Real browser: the evaluator app (Voilà, no code cells) on a PostgreSQL round, used by two
evaluators at once from two browser contexts. Both adjust the same instance; the one who
saves second on the same indicator gets the conflict message naming the first; every
change acknowledged on screen is in the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths, synthetic_assignments
from spbe_toolkit.workspace import Workspace
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, require_browser

TARGET = "Kementerian Urusan Contoh (Sintetis)"


def _start_app(url: str, tmp_path: Path):
    port = free_port()
    home = tmp_path / "home"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}  # fmt: skip
    log = (tmp_path / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "spbe_toolkit.cli", "app", url, "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base, timeout=2) as r:
                if r.status == 200:
                    return proc, base, log
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the app did not start:\n" + (tmp_path / "app.log").read_text()[-3000:])
        time.sleep(0.5)


def _sign_in(page, base: str, name: str, timings: dict, key: str, *, all_instances: bool = False):
    start = time.perf_counter()
    page.goto(base, wait_until="domcontentloaded")
    page.wait_for_selector("input[placeholder='nama evaluator']", timeout=90_000)
    timings[f"{key}_first_paint_s"] = time.perf_counter() - start
    page.fill("input[placeholder='nama evaluator']", name)
    page.click("button:has-text('Mulai')")
    page.wait_for_selector(".spbe-overview", timeout=30_000)
    if all_instances:  # "Instansi saya" is on for an evaluator with assignments: look at every instance
        page.locator(
            "label:has-text('Instansi saya') input[type=checkbox], .widget-checkbox:has-text('Instansi saya') input"
        ).first.uncheck()
    search = page.locator("input[list]").first
    search.click()
    page.keyboard.type("urusan contoh", delay=20)
    page.wait_for_selector(f"text=1 instansi cocok: {TARGET}", timeout=10_000)
    page.click("button:has-text('Buka panel')")
    page.wait_for_selector(f".spbe-panel-header:has-text('{TARGET}')", timeout=30_000)
    page.locator(".jupyter-widget-Collapse-header").first.click()
    selects = page.locator(".jupyter-widget-Collapse-contents .widget-dropdown select")
    selects.first.wait_for(timeout=30_000)
    return selects


def _change(page, selects, n: int, note: str, timings: dict | None = None) -> None:
    page.locator(".jupyter-widget-Collapse-contents textarea").nth(n).fill(note)
    current = selects.nth(n).evaluate("s => s.selectedIndex")
    count = "() => (document.body.innerText.match(/Tersimpan|⚠/g) || []).length"
    before = page.evaluate(count)
    start = time.perf_counter()
    selects.nth(n).select_option(index=current - 1 if current > 0 else current + 1)
    page.wait_for_function(f"n => ({count})() > n", arg=before, timeout=20_000)
    if timings is not None:
        timings["change_to_saved_s"] = time.perf_counter() - start


@pytest.mark.browser
def test_two_evaluators_in_the_app_on_one_postgresql_round(tmp_path, pg_server):
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    url = pg_server.new_database()
    folder, _ = sample_paths("spbe2020")
    ws = Workspace.create(url, framework="spbe2020", year=2024)
    ws.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:3], "spbe2020", progress=False))
    ws.import_assignments(synthetic_assignments(ws.instances().index), assigned_by="Ketua Tim")
    ws.close()
    proc, base, log = _start_app(url, tmp_path)
    timings: dict[str, float] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            ani = browser.new_context(viewport={"width": 1300, "height": 950}).new_page()
            budi = browser.new_context(viewport={"width": 1300, "height": 950}).new_page()
            ani_selects = _sign_in(ani, base, "Ani", timings, "app")
            budi_selects = _sign_in(budi, base, "Budi", timings, "app_second", all_instances=True)
            # both see the same level of indicator 1; Ani saves first
            _change(ani, ani_selects, 0, "Kebijakan belum ditetapkan (Ani).", timings)
            expect(ani.locator(".jupyter-widget-Collapse-contents").first).to_contain_text("Tersimpan")
            # Budi, who still sees the old level, is told who changed it, and nothing of his is saved
            _change(budi, budi_selects, 0, "Dokumen belum lengkap (Budi).")
            expect(budi.locator(".jupyter-widget-Collapse-contents").first).to_contain_text("⚠")
            expect(budi.locator(".jupyter-widget-Collapse-contents").first).to_contain_text("Ani")
            # Budi goes on with another indicator: saved
            budi.locator(".jupyter-widget-Collapse-contents textarea").nth(1).fill(
                "Peta rencana belum ditetapkan (Budi)."
            )
            current = budi_selects.nth(1).evaluate("s => s.selectedIndex")
            budi_selects.nth(1).select_option(index=current - 1 if current > 0 else current + 1)
            budi.wait_for_function(
                "() => (document.body.innerText.match(/Tersimpan/g) || []).length >= 1", timeout=20_000
            )
            budi.screenshot(path=str(tmp_path / "budi.png"))
            ani.screenshot(path=str(tmp_path / "ani.png"))
            assert "print(" not in ani.content() and "evaluator_app()" not in ani.content()  # no code shown
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    ws = Workspace.open(url)
    h = ws.history(TARGET)
    ws.close()
    assert h["evaluator"].tolist() == ["Ani", "Budi"]
    assert h["indicator"].tolist() == ["1", "2"] and h["note"].iat[0].endswith("(Ani).")
    (tmp_path / "timings.json").write_text(json.dumps(timings, indent=1))
    print("app timings:", json.dumps({k: round(v, 3) for k, v in timings.items()}))
