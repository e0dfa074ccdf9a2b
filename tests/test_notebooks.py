"""What the executed notebooks show: every chart cell displays an image, and tables are in
one language. (``make test`` also runs the notebooks with nbval, which compares nothing.)"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="module")
def statistics_notebook(tmp_path_factory):
    nb = nbformat.read(NOTEBOOKS / "04_statistik_nasional.ipynb", as_version=4)
    cwd = tmp_path_factory.mktemp("nb04")
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _chart_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and "plots." in c.source]


def test_every_chart_cell_shows_an_image(statistics_notebook):
    cells = _chart_cells(statistics_notebook)
    assert len(cells) == 5
    for cell in cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"no image output for: {cell.source}"
        assert len(images[0]["data"]["image/png"]) > 10_000  # a real picture, not an empty canvas
        texts = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert "<Figure size" not in texts or images


def test_tables_have_indonesian_headings(statistics_notebook):
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in statistics_notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "Indeks publikasi" in html and "Keterangan" in html and "Rata-rata indeks" in html
    for english in ("published_index", "mean_index", "share_baik_or_better", "computed only", ">differs<", ">True<"):
        assert english not in html, english
