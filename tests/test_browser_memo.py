"""Real browser: rendered memos open in headless Chromium with no console errors and no
network requests, and print to A4 PDF — a ministry's and a regency's, as they are sent."""

from __future__ import annotations

import pytest

from spbe_toolkit.demo import workspace_from_samples
from spbe_toolkit.render.memo import render_memos
from tests.browser import chromium_page, require_browser


@pytest.mark.browser
@pytest.mark.parametrize("instance_type", ["Kementerian", "Pemerintah Kabupaten"])
def test_memo_in_chromium(tmp_path, instance_type):
    require_browser()
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    names = list(ws.instances().index[ws.instances()["instance_type"] == instance_type][:1])
    paths = render_memos(ws, tmp_path / "memo", instances=names, workers=1, progress=False,
                         sender={"chair": "Dr. Ratna Sari, M.Kom.", "place": "Depok"})  # fmt: skip
    ws.close()
    url = paths[0].resolve().as_uri()
    with chromium_page() as page:
        console_errors, requests = [], []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)
        assert console_errors == []
        assert requests == [url], f"the memo made requests beyond itself: {requests}"
        assert page.locator("svg").count() >= 1 and page.locator("h2").count() >= 6
        addressee = "Yth. Menteri" if instance_type == "Kementerian" else "Yth. Bupati"
        assert addressee in page.content() and "Dr. Ratna Sari, M.Kom." in page.content()
        assert page.locator("ol.steps li").count() >= 1 or "Mempertahankan" in page.content()
        page.screenshot(path=str(tmp_path / "memo.png"), full_page=False)
        pdf = page.pdf(path=str(tmp_path / "memo.pdf"), format="A4", print_background=True)
    assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000
    assert (tmp_path / "memo.png").stat().st_size > 10_000
