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


@pytest.mark.browser
def test_memos_print_to_a4_pdfs_with_a_zip_to_send(tmp_path, capsys):
    """``spbe memo … --pdf``: beside each memo an A4 PDF (page numbers and the memo's title in
    its footer) and a zip with the PDF and the HTML it was printed from."""
    import re
    import zipfile

    from spbe_toolkit.cli import main

    require_browser()
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    names = list(ws.instances().index[:2])
    ws.close()
    code = main(["memo", str(tmp_path / "w.sqlite"), "--out", str(tmp_path / "memo"), "--workers", "1",
                 "--instance", names[0], "--instance", names[1], "--pdf", "--date", "1 Desember 2026"])  # fmt: skip
    assert code == 0 and "PDF" in capsys.readouterr().out
    htmls = sorted((tmp_path / "memo").glob("*-*.html"))
    assert len(htmls) == 2
    for html in htmls:
        pdf = html.with_suffix(".pdf").read_bytes()
        assert pdf[:5] == b"%PDF-"
        boxes = set(re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf))
        assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)  # A4
        assert len(re.findall(rb"/Type /Page\b", pdf)) >= 3  # a whole memo, several pages
        with zipfile.ZipFile(html.with_suffix(".zip")) as zf:
            assert sorted(zf.namelist()) == sorted([html.name, html.with_suffix(".pdf").name])
            assert zf.read(html.name) == html.read_bytes()


@pytest.mark.parametrize("lang, words", [("id", "Chromium tidak ditemukan"), ("en", "no Chromium browser found")])
def test_without_a_browser_the_pdf_says_what_to_install_and_the_memos_are_written(tmp_path, monkeypatch, lang, words):
    from spbe_toolkit.errors import SpbeError

    monkeypatch.setenv("SPBE_CHROMIUM", str(tmp_path / "tidak-ada" / "chromium"))
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    with pytest.raises(SpbeError) as info:
        render_memos(ws, tmp_path / "memo", instances=list(ws.instances().index[:1]), workers=1, progress=False,
                     pdf=True, lang=lang)  # fmt: skip
    ws.close()
    text = info.value.text(lang)
    assert words in text and "SPBE_CHROMIUM" in text
    assert len(list((tmp_path / "memo").glob("*-*.html"))) == 1 and not list((tmp_path / "memo").glob("*.pdf"))


@pytest.mark.browser
def test_every_demo_letter_prints_on_one_a4_page_and_a_regency_memo_on_eight(tmp_path, capsys):
    """The demo round as letters (``spbe memo … --letter``): for every instance the letter itself
    prints on one A4 page — as the batch PDF prints it, footer and margins included — in
    Indonesian and (for a handful) in English, and so do the demo's Pemdi letters; the whole memo of the median regency is at most
    eight pages; the batch PDF's footer carries the letter number."""
    import re
    import statistics

    from spbe_toolkit.cli import main
    from spbe_toolkit.demo.samples import sample_letter_profile
    from spbe_toolkit.render.memo.pdf import pdf_options

    require_browser()
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    types = ws.instances()["instance_type"].to_dict()
    n_round = len(types)
    ws.close()
    assert main(["memo", str(tmp_path / "w.sqlite"), "--out", str(tmp_path / "id"), "--workers", "1",
                 "--letter", str(sample_letter_profile()), "--date", "1 Juli 2025"]) == 0  # fmt: skip
    capsys.readouterr()
    from spbe_toolkit.workspace import Workspace

    with Workspace.open(tmp_path / "w.sqlite") as ws:
        numbers = dict(zip(ws.letters()["instance"], ws.letters()["number"]))
        english = render_memos(ws, tmp_path / "en", instances=list(ws.instances().index[:6]), lang="en", workers=1,
                               progress=False, letter=sample_letter_profile())  # fmt: skip
    from spbe_toolkit.demo.run import PEMDI_MEMOS

    with workspace_from_samples(tmp_path / "pemdi.sqlite", "pemdi2026") as pemdi:
        types.update(pemdi.instances()["instance_type"].to_dict())
        english += render_memos(pemdi, tmp_path / "pemdi", instances=list(pemdi.instances().index[list(PEMDI_MEMOS)]),
                                workers=1, progress=False, letter=sample_letter_profile(), lang="id")  # fmt: skip
    pages = lambda pdf: len(re.findall(rb"/Type\s*/Page[^s]", pdf))  # noqa: E731
    regency = []
    with chromium_page() as page:
        for html in [*sorted((tmp_path / "id").glob("*-*.html")), *english]:
            page.goto(html.resolve().as_uri(), wait_until="load")
            name = next(n for n in types if n in page.title())
            options = pdf_options("Memo", "id", numbers.get(name))
            if html.parent.name == "id" and types[name] == "Pemerintah Kabupaten":
                regency.append(pages(page.pdf(**options)))
            page.evaluate("document.querySelector('section.attachment').remove()")
            assert pages(page.pdf(**options)) == 1, f"{html.parent.name}: the letter to {name} runs over one page"
    assert len(regency) >= 5 and statistics.median(regency) <= 8, regency
    assert len(numbers) == n_round  # every instance of the round has its letter number
    footer = pdf_options("Memo", "id", "001/TAE-UCN/VII/2025")["footer_template"]
    assert "Nomor 001/TAE-UCN/VII/2025" in footer and "pageNumber" in footer
