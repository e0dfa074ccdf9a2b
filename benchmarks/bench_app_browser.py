"""Benchmark: the evaluator app (``spbe app``) from the request to a usable page, in Chromium.

Builds the synthetic sample round in a temporary folder, starts ``spbe app`` on it (any extra
arguments after ``--`` go to ``spbe app``, e.g. ``-- --preheat 0`` for the app without a
preheated kernel), and then, per run, opens the tokened URL in a fresh browser page, types the
name "Ani" and Enter as soon as the first name box is there (typing itself is not counted:
``fill`` is instant), and times

* **first paint**: from ``page.goto`` to a name box on screen, seen by Playwright (since the
  page shell, the form painted before Voilà's scripts load);
* **overview on screen**: the first overview table visible — since the first view, the
  server's read-only overview of the whole round, before any name;
* **evaluator's overview**: an overview with "Evaluator: Ani" above it visible (the first
  view's rows for that evaluator, or the app's own);
* **live overview**: the app's own overview (Voilà's widgets, filters and search working)
  visible;
* **widgets live**: the app's own name box connected (the shell's hand-over time).

The middle three are taken in the page (a script added before the page's own looks once per
animation frame: the first frame in which the table is in the document and visible), in ms
from the navigation's start, so Playwright's polling, which waits for a busy main thread, is
not in them. Playwright's own view of "overview after Enter" is printed as well.

Between runs the page is closed (its kernel is shut down) and the script waits ``--gap``
seconds, so that a preheated pool has refilled, as it would between two evaluators arriving.
Compare two versions of the code by running it once per version (``PYTHONPATH=<other checkout>``)
or the same code with and without ``--preheat``.

Run:  .venv/bin/python benchmarks/bench_app_browser.py [--runs 5] [--gap 12] [-- --preheat 0]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402


def start_app(root: Path, extra: list[str]) -> tuple[subprocess.Popen, str, Path]:
    from spbe_toolkit.demo import workspace_from_samples

    path = root / "putaran.sqlite"
    workspace_from_samples(path).close()
    port = free_port()
    home = root / "home"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}  # fmt: skip
    log_path = root / "app.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "spbe_toolkit.cli", "app", str(path), "--port", str(port),
                                 *extra], stdout=log, stderr=subprocess.STDOUT, env=env)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)", log_path.read_text())
        if found:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/", timeout=2):
                    return proc, found.group(1), log_path  # the server answers (no kernel started): up
            except urllib.error.HTTPError:
                return proc, found.group(1), log_path
            except OSError:
                pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the app did not start:\n" + log_path.read_text()[-3000:])


def save_a_level(path: Path, run: int) -> None:
    """Another evaluator's save (a final level of indicator 1 of the first instance, 1 or 2)."""
    from spbe_toolkit.workspace import Workspace

    with Workspace.open(str(path)) as ws:
        target = ws.instances().index[0]
        ws.adjust(target, "1", 1 + run % 2, stage="final", evaluator="Ketua Tim", note=f"benchmark {run}")


WATCH = """(() => {
  const t = window.__spbeTimes = {};
  const visible = (el) => el.checkVisibility({visibilityProperty: true});
  const frame = () => {  // once per frame: what this frame paints
    const now = performance.now();
    if (t.overview === undefined && [...document.querySelectorAll(".spbe-overview")].some(visible)) { t.overview = now; }
    if (t.overview !== undefined && t.named === undefined) {
      const said = document.evaluate("//p[contains(., 'Evaluator: Ani')]", document, null,
                                     XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      for (let i = 0; i < said.snapshotLength; i++) { if (visible(said.snapshotItem(i))) { t.named = now; break; } }
    }
    const live = document.querySelector("#rendered_cells .spbe-overview");
    if (live && visible(live)) { t.live = now; return; }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gap", type=float, default=12.0, help="seconds between runs (a pool refills)")
    ap.add_argument(
        "--warm",
        action="store_true",
        help="one browser profile for every run (a returning evaluator: its cache holds Voilà's scripts)",
    )
    ap.add_argument(
        "--save-between",
        action="store_true",
        help="before each run another evaluator saves a level (the round has changed since the server last read it)",
    )
    ap.add_argument("app_args", nargs="*", help="arguments for spbe app (after --)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        proc, link, log_path = start_app(Path(tmp), args.app_args)
        paint, widgets, usable = [], [], []
        marks: dict[str, list[float]] = {"overview": [], "named": [], "live": []}
        try:
            time.sleep(args.gap)  # the pool, if any, fills as the app starts
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                shared = browser.new_context(viewport={"width": 1300, "height": 950}) if args.warm else None
                if shared is not None:  # the profile has seen the app once before the runs
                    first = shared.new_page()
                    first.goto(link)
                    first.locator("input[placeholder='nama evaluator']").last.wait_for(timeout=120_000)
                    first.close()
                    time.sleep(args.gap)
                for run in range(args.runs):
                    if args.save_between:
                        save_a_level(Path(tmp) / "putaran.sqlite", run)
                    context = shared or browser.new_context(viewport={"width": 1300, "height": 950})
                    page = context.new_page()
                    page.add_init_script(WATCH)
                    start = time.perf_counter()
                    page.goto(link, wait_until="commit")
                    box = page.locator("input[placeholder='nama evaluator']").first
                    box.wait_for(timeout=120_000)
                    paint.append(time.perf_counter() - start)
                    box.fill("Ani")
                    box.press("Enter")
                    page.wait_for_selector(".spbe-overview", timeout=120_000)
                    usable.append(time.perf_counter() - start)
                    page.wait_for_function("() => window.__spbeTimes.live", timeout=120_000)
                    page.wait_for_timeout(200)
                    times = page.evaluate("window.__spbeTimes")
                    for key in marks:
                        marks[key].append(times[key] / 1000)
                    # when the app's own box was live: the shell notes it; without a shell, the box is the app's
                    live_at = page.evaluate("window.spbeShell ? window.spbeShell.liveAt : null")
                    widgets.append(live_at / 1000 if live_at is not None else paint[-1])
                    page.close()
                    if shared is None:
                        context.close()
                    time.sleep(args.gap)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    for label, values in (("first paint (name box), Playwright", paint),
                          ("overview on screen (page)", marks["overview"]),
                          ("evaluator's overview (page)", marks["named"]),
                          ("live overview (page)", marks["live"]), ("widgets live (page)", widgets),
                          ("overview after Enter, Playwright", usable)):  # fmt: skip
        ms = sorted(t * 1000 for t in values)
        cache = "warm cache" if args.warm else "cold cache"
        print(f"app {label}, {cache}, {args.runs} runs, spbe app {' '.join(args.app_args) or '(defaults)'}: "
              f"median {statistics.median(ms):.0f} ms, min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
