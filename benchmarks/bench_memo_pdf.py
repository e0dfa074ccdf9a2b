"""Benchmark: memos as A4 PDF — Chromium through Playwright (what ``render_memos(pdf=True)``
uses) beside WeasyPrint (a pure-Python engine, measured when importable; not a dependency).

Builds the synthetic national round (616 instances, spbe2020), renders ``--memos`` HTML memos
(all cores; numbered letters of the synthetic letter profile), then prints them with each engine on one process: seconds per memo, total size,
pages per memo (the PDF's own page objects).

Run:  .venv/bin/python benchmarks/bench_memo_pdf.py [--memos 600] [--weasyprint 100]
WeasyPrint for the comparison only, e.g. installed beside:  pip install --target /tmp/wp weasyprint
then  PYTHONPATH=/tmp/wp .venv/bin/python benchmarks/bench_memo_pdf.py
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from bench_memos import build_round  # noqa: E402

from spbe_toolkit.demo.samples import sample_letter_profile  # noqa: E402
from spbe_toolkit.render.memo import render_memos  # noqa: E402
from spbe_toolkit.render.memo.pdf import write_pdfs  # noqa: E402


def pages(pdf: Path) -> int:
    """Chromium's page objects (its PDFs keep them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def report(name: str, files: list[Path], seconds: float, page_counts: list[int]) -> None:
    sizes = [f.stat().st_size for f in files]
    n = len(files)
    print(f"{name:11s} {n} memos: {seconds:.1f} s = {seconds / n * 1000:.0f} ms/memo; "
          f"{sum(sizes) / 2**20:.1f} MB ({statistics.median(sizes) / 1024:.0f} KB median); "
          f"pages per memo median {statistics.median(page_counts):.0f} (max {max(page_counts)})")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memos", type=int, default=600)
    ap.add_argument("--weasyprint", type=int, default=100, help="memos to print with WeasyPrint (0: none)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ws = build_round(folder)
        names = list(ws.instances().index[: args.memos])
        t0 = time.perf_counter()
        paths = render_memos(
            ws,
            folder / "memo",
            instances=names,
            generated_at="1 Desember 2026",
            progress=False,
            letter=sample_letter_profile(),
        )  # fmt: skip  (numbered letters, as a team sends them)
        print(f"HTML        {len(paths)} memos: {time.perf_counter() - t0:.1f} s (all cores, numbered letters)")
        numbers = dict(zip(ws.letters()["instance"], ws.letters()["number"]))
        ws.close()
        titles = [(p, p.stem, numbers[n]) for p, n in zip(paths, names)]
        t0 = time.perf_counter()
        pdfs = write_pdfs(titles, "id", progress=False)
        report("Chromium", pdfs, time.perf_counter() - t0, [pages(f) for f in pdfs])
        if args.weasyprint:
            try:
                import weasyprint
            except ImportError:
                print("WeasyPrint  not importable: not measured (see the module doc)")
                return
            out, counts = [], []
            t0 = time.perf_counter()
            for p in paths[: args.weasyprint]:
                target = p.with_name(p.stem + "-weasy.pdf")
                document = weasyprint.HTML(filename=str(p)).render()
                document.write_pdf(str(target))
                out.append(target)
                counts.append(len(document.pages))
            report(f"WeasyPrint {weasyprint.__version__}", out, time.perf_counter() - t0, counts)


if __name__ == "__main__":
    main()
