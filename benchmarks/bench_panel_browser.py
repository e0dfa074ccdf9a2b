"""Benchmark: opening an AdjustmentPanel in a real JupyterLab (headless Chromium).

Starts JupyterLab on localhost with a notebook that builds the synthetic sample round, then
runs the cell ``AdjustmentPanel(ws, name, "Ani")`` several times (Shift+Enter, as a person
would) and times, per run, from the key press to the panel's header on screen. Compare two
versions of the code by running it once per version (``PYTHONPATH=<other checkout>``).

Run:  .venv/bin/python benchmarks/bench_panel_browser.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import chromium_page, jupyterlab, open_and_run_all  # noqa: E402

SETUP = """\
from pathlib import Path
from spbe_toolkit.demo import workspace_from_samples
from spbe_toolkit.render.widgets import AdjustmentPanel
ws = workspace_from_samples(Path("putaran.sqlite"), with_final=False)
name = ws.instances().index[4]"""
PANEL = 'AdjustmentPanel(ws, name, "Ani", "dokumen")'


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(PANEL)])
        nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
        nbformat.write(nb, root / "bench.ipynb")
        times = []
        with jupyterlab(root) as (base, token), chromium_page() as page:
            open_and_run_all(page, base, token, "bench.ipynb", ready=".spbe-header", tmp_path=root)
            cell = page.locator(".jp-Notebook .jp-Cell").nth(1)
            for _ in range(args.runs):
                cell.locator(".jp-InputArea-editor").click()
                page.wait_for_timeout(300)
                page.evaluate("() => document.querySelectorAll('.spbe-header').forEach(e => e.remove())")
                start = time.perf_counter()
                page.keyboard.press("Control+Enter")
                page.wait_for_selector(".spbe-header", timeout=60_000)
                times.append(time.perf_counter() - start)
                page.wait_for_timeout(500)
        ms = sorted(t * 1000 for t in times)
        print(f"panel first paint in the browser ({args.runs} runs): median {statistics.median(ms):.0f} ms, "
              f"min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
