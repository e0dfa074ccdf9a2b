"""Real browser: a rendered memo opens in headless Chromium with no console errors and no
network requests, and prints to A4 PDF."""

from __future__ import annotations

import pytest

from spbe_toolkit.demo import workspace_from_samples
from spbe_toolkit.render.memo import render_memos
from tests.browser import chromium_page, require_browser


@pytest.mark.browser
def test_memo_in_chromium(tmp_path):
    require_browser()
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    paths = render_memos(ws, tmp_path / "memo", instances=list(ws.instances().index[:2]), workers=1, progress=False)
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
        assert page.locator("ol.steps li").count() >= 1 or "tertinggi" in page.content()
        page.screenshot(path=str(tmp_path / "memo.png"), full_page=True)
        pdf = page.pdf(path=str(tmp_path / "memo.pdf"), format="A4", print_background=True)
    assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000
    assert (tmp_path / "memo.png").stat().st_size > 10_000
