"""Real browser: the evaluator app (Voilà, no code cells) on a PostgreSQL round, used by two
evaluators at once, each through an app started with their own database role: the app asks
no name (the server says who you are), a name typed into a re-enabled box changes nothing,
both adjust the same instance, the one who saves second on the same indicator gets the
conflict message naming the first, and every change acknowledged on screen is in the
database. The door: no page without the app's token, kernels under the ceiling, and nothing
of the app left running after it is stopped."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths, synthetic_assignments
from spbe_toolkit.workspace import Workspace
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, require_browser

TARGET = "Kementerian Urusan Contoh (Sintetis)"


def _start_app(url: str, tmp_path: Path, tag: str = "app", *extra: str):
    port = free_port()
    home = tmp_path / f"home_{tag}"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}  # fmt: skip
    log_path = tmp_path / f"{tag}.log"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "spbe_toolkit.cli", "app", url, "--port", str(port), *extra],
                            stdout=log, stderr=subprocess.STDOUT, env=env)  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)", log_path.read_text())
        if found:
            try:
                with urllib.request.urlopen(found.group(1), timeout=2) as r:
                    folder = re.search(r"(/\S*?spbe-app-\w+)/", log_path.read_text())
                    if r.status == 200 and folder:
                        proc.spbe_folder = folder.group(1)  # this app's private folder: its processes name it
                        return proc, base, found.group(1), log
            except OSError:
                pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the app did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.5)


def _app_processes(folders=None) -> list[str]:
    """Every process still running that belongs to the app — Voilà, or a kernel it started — of
    the apps whose private folders are given (another test run's apps beside this one do not
    count); without folders, of any app."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        if folders is not None:
            if any(f in cmd for f in folders):
                out.append(f"{entry.name}: {cmd[:120]}")
        elif "spbe-app-" in cmd or ("voila" in cmd and "evaluator_app.ipynb" in cmd):
            out.append(f"{entry.name}: {cmd[:120]}")
    return out


def _stop(*apps) -> None:
    """Stop each app as a service manager does (SIGTERM); then nothing of these apps may remain."""
    folders = [proc.spbe_folder for proc, _log in apps]
    for proc, _log in apps:
        proc.terminate()
    for proc, log in apps:
        proc.wait(timeout=60)
        log.close()
    deadline = time.monotonic() + 15
    while _app_processes(folders) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not _app_processes(folders), _app_processes(folders)


def _sign_in(page, link: str, name: str, timings: dict, key: str):
    start = time.perf_counter()
    page.goto(link, wait_until="domcontentloaded")
    page.wait_for_selector(f"text=Anda masuk sebagai {name}", timeout=90_000)
    page.wait_for_selector(".spbe-overview", timeout=30_000)
    timings[f"{key}_first_paint_s"] = time.perf_counter() - start
    assert page.locator("input[placeholder='nama evaluator']").count() == 0  # no name is asked
    # an attacker re-enables the evaluator box in the page and types another name: saves ignore it
    box = page.locator("input:disabled").first.element_handle(timeout=30_000)
    box.evaluate("el => el.disabled = false")
    box.fill("Ketua Tim")
    box.press("Enter")
    search = page.locator("input[list]").first
    search.click()
    page.keyboard.type("urusan contoh", delay=20)
    page.wait_for_selector(f"text=1 instansi cocok: {TARGET}", timeout=10_000)
    if key == "app":
        page.keyboard.press("Enter")  # Enter in the search box opens the single match
    else:
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
    page.locator(".jupyter-widget-Collapse-contents button:text-is('Simpan')").nth(n).click()
    page.wait_for_function(f"n => ({count})() > n", arg=before, timeout=20_000)
    if timings is not None:
        timings["change_to_saved_s"] = time.perf_counter() - start


def _fits_on(page, tmp_path) -> None:
    """On a phone (390×844) and a tablet (768×1024) every control of the overview and the panel
    lies within the screen's width (filters wrap; the table scrolls inside its own box)."""
    controls = ["button:has-text('Buka panel')", "button:has-text('Muat ulang')", "input[list]",
                ".jupyter-widget-Collapse-contents button:text-is('Simpan')",
                ".jupyter-widget-Collapse-contents button:has-text('Batalkan perubahan saya')",
                ".jupyter-widget-Collapse-contents button:has-text('Kembalikan ke penilaian mandiri')",
                ".jupyter-widget-Collapse-contents button:has-text('Riwayat')",
                ".jupyter-widget-Collapse-contents select", ".jupyter-widget-Collapse-contents textarea"]  # fmt: skip
    for width, height, name in ((390, 844, "phone"), (768, 1024, "tablet")):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)
        for selector in controls:
            box = page.locator(selector).first.bounding_box()
            assert box is not None, (name, selector)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, selector, box)
        header = page.locator(".spbe-panel-header").first
        box = header.bounding_box()  # within the page's own padding; a wide score table scrolls in its box
        assert box and box["x"] + box["width"] <= width + 1, (name, "panel header", box)
        assert header.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        for label in page.locator(".widget-label").all()[:12]:  # labels whole, not "Tahap dic…"
            assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), (name, label.inner_text())
        page.screenshot(path=str(tmp_path / f"app_{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1300, "height": 950})


def _keyboard_change(page, selects, n: int, note: str, url: str) -> None:
    select = selects.nth(n)
    current = select.evaluate("s => s.selectedIndex")
    key, step = ("ArrowUp", -2) if current >= 2 else ("ArrowDown", 2)
    chosen = select.evaluate(f"s => s.options[{current + step}].text")
    select.focus()
    page.keyboard.press(key)
    page.keyboard.press(key)
    page.wait_for_selector(f"text=Pilihan belum disimpan: {chosen}", timeout=20_000)
    probe = Workspace.open(url)
    assert probe.history(TARGET).empty, "an arrow key saved a level"
    probe.close()
    page.keyboard.press("Tab")
    page.keyboard.type(note, delay=5)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Simpan"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Tersimpan", timeout=20_000)
    probe = Workspace.open(url)
    h = probe.history(TARGET)
    probe.close()
    assert h["level"].tolist() == [int(re.match(r"\d+", chosen).group())] and h["note"].tolist() == [note]


@pytest.mark.browser
def test_two_evaluators_in_the_app_on_one_postgresql_round(tmp_path, pg_server):
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    url = pg_server.new_database()
    folder, _ = sample_paths("spbe2020")
    ws = Workspace.create(url, framework="spbe2020", year=2024)
    ws.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:3], "spbe2020", progress=False))
    ws.import_assignments(synthetic_assignments(ws.instances().index), assigned_by="Ketua Tim")
    tag = uuid.uuid4().hex[:6]
    roles = {"Ani": f"ani_{tag}", "Budi": f"budi_{tag}"}
    for name, role in roles.items():
        ws.add_evaluator(role, name, team="Tim A")
        ws.assign(TARGET, name, team="Tim A", assigned_by="Ketua Tim")
    ws.close()
    apps = {name: _start_app(url.replace("postgres@", f"{role}@"), tmp_path, name) for name, role in roles.items()}
    timings: dict[str, float] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            ani = browser.new_context(viewport={"width": 1300, "height": 950}).new_page()
            budi = browser.new_context(viewport={"width": 1300, "height": 950}).new_page()
            ani_selects = _sign_in(ani, apps["Ani"][2], "Ani", timings, "app")
            budi_selects = _sign_in(budi, apps["Budi"][2], "Budi", timings, "app_second")
            # by keyboard only, Ani on indicator 3: two arrow steps save nothing (a pending choice),
            # Tab to the note, type it, Tab to Simpan, Enter saves the level she arrived at
            _keyboard_change(ani, ani_selects, 2, "Arsitektur belum ditetapkan (Ani).", url)
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
            budi.locator(".jupyter-widget-Collapse-contents button:text-is('Simpan')").nth(1).click()
            budi.wait_for_function(
                "() => (document.body.innerText.match(/Tersimpan/g) || []).length >= 1", timeout=20_000
            )
            budi.screenshot(path=str(tmp_path / "budi.png"))
            ani.screenshot(path=str(tmp_path / "ani.png"))
            _fits_on(ani, tmp_path)
            assert "print(" not in ani.content() and "evaluator_app()" not in ani.content()  # no code shown
            browser.close()
    finally:
        _stop(*((proc, log) for proc, _base, _link, log in apps.values()))
    ws = Workspace.open(url)
    h = ws.history(TARGET)
    ws.close()
    assert h["evaluator"].tolist() == ["Ani", "Ani", "Budi"]
    assert h["indicator"].tolist() == ["3", "1", "2"] and h["note"].iat[1].endswith("(Ani).")
    (tmp_path / "timings.json").write_text(json.dumps(timings, indent=1))
    print("app timings:", json.dumps({k: round(v, 3) for k, v in timings.items()}))


def _kernels(proc) -> int:
    """Kernels the app is running now (started from its private connection folder)."""
    return sum("ipykernel" in p for p in _app_processes([proc.spbe_folder]))


def _settle(proc, want: int, timeout: float = 90) -> int:
    """Wait until the app runs ``want`` kernels, the same at five looks over 4 s (longer than
    the pool's 1 s refill delay and one cull interval, so a refill or a cull under way shows)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        seen.append(_kernels(proc))
        if seen[-5:] == [want] * 5:
            return want
        time.sleep(1)
    return seen[-1]


@pytest.mark.browser
def test_the_app_is_a_guarded_door(tmp_path):
    """No token, no page and no kernel (20 anonymous requests); with the token, kernels stay
    under the ceiling — the preheated one counted — and a page past it says the app is full;
    idle kernels of pages nobody holds are shut down, the preheated kernel comes back, and the
    app takes pages again; the port, address, ceiling, preheat and idle timeout are checked; a
    stopped app leaves nothing running."""
    from spbe_toolkit.demo import workspace_from_samples

    path = tmp_path / "putaran.sqlite"
    workspace_from_samples(path).close()
    proc, base, link, log = _start_app(str(path), tmp_path, "door", "--max-kernels", "2", "--idle-timeout", "4",
                                       "--preheat", "1")  # fmt: skip
    try:
        # the start-up check's page is culled; what stays is the one preheated kernel
        assert _settle(proc, 1) == 1, "not one preheated kernel at rest"
        for _ in range(20):
            try:
                with urllib.request.urlopen(base, timeout=10) as r:
                    body = r.read().decode()
                    assert r.status != 200 or "evaluator" not in body.lower() or "login" in r.url
            except urllib.error.HTTPError as exc:
                assert exc.code in (401, 403)
        token = link.split("token=")[1]
        view = base + "spbe/first-view"
        for url, headers, code in ((view, {}, 403), (view + "?token=wrong", {}, 403),
                                   (view, {"Authorization": "token wrong"}, 403),
                                   (view + "?name=" + "x" * 201, {"Authorization": f"token {token}"}, 400),
                                   (view + "?name=Ani%0ABudi", {"Authorization": f"token {token}"}, 400)):  # fmt: skip
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)
            assert refused.value.code == code, (url, refused.value.code)
            assert "Kementerian" not in refused.value.read().decode()  # nothing of the round
        with urllib.request.urlopen(urllib.request.Request(view + "?name=Ani", headers={"Authorization": f"token {token}"}),
                                    timeout=30) as r:  # fmt: skip
            body = json.loads(r.read())
            assert (
                r.headers["Cache-Control"] == "no-store" and body["who"] == "Ani" and "spbe-first-view" in body["html"]
            )
        assert _kernels(proc) == 1  # anonymous requests, and the first views, started no kernel
        statuses = []
        for _ in range(4):
            try:
                with urllib.request.urlopen(link, timeout=60) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
                assert "penuh" in exc.read().decode()
            assert _kernels(proc) <= 2
        assert statuses[0] == 200 and 503 in statuses, statuses
        # pages fetched and left (no browser holds them) are idle kernels: shut down; the pool,
        # which the ceiling kept empty, is filled again, and the door opens again
        assert _settle(proc, 1) == 1, "the idle pages' kernels did not end or the pool did not come back"
        with urllib.request.urlopen(link, timeout=60) as r:
            assert r.status == 200
    finally:
        _stop((proc, log))
    for args, words in ((["--port", "-5"], "1–65535"), (["--port", "70000"], "1–65535"),
                        (["--ip", "not-an-ip"], "bukan alamat IP"), (["--max-kernels", "0"], "1–100"),
                        (["--idle-timeout", "-1"], "2–86400"), (["--preheat", "11"], "0–10"),
                        (["--preheat", "3", "--max-kernels", "2"], "tidak boleh melebihi")):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "spbe_toolkit.cli", "app", str(path), *args],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "spbe_toolkit.cli", "app", str(path), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and f"Porta {port}" in done.stderr and "sudah dipakai" in done.stderr


def _row_names(page, scope: str) -> list[str]:
    return page.evaluate(
        "scope => [...document.querySelectorAll(scope + ' .spbe-overview tbody tr th')].map(th => th.innerText.trim())",
        scope,
    )


@pytest.mark.browser
@pytest.mark.parametrize(
    "lang, intro, start, placeholder, signed_in, caption, mine",
    [("id", "Putaran ini berupa berkas", "Mulai", "nama evaluator", "Evaluator: Sri Wahyuni",
      "Keadaan putaran saat ini, seluruh instansi", "Saringan: Instansi saya"),
     ("en", "This round is a file on one machine", "Start", "evaluator's name", "Evaluator: Sri Wahyuni",
      "The round as it stands now, every instance", "Filter: My instances")],
)  # fmt: skip
def test_the_app_paints_its_form_and_the_round_before_its_scripts_and_keeps_what_was_typed(
    tmp_path, lang, intro, start, placeholder, signed_in, caption, mine
):
    """The first view — the round's human title, the intro and the name form, in the chosen
    language, with no English "Running …" and nothing fetched from outside this machine — comes
    with the HTML itself, and the server's overview of the whole round (read only) comes under
    it while Voilà's scripts are still held back; the name typed and Enter, still without the
    scripts, give that evaluator's rows ("my instances"); when the scripts come, the live overview
    takes the first view's place with the same rows in the same order, nothing lost."""
    require_browser()
    from playwright.sync_api import sync_playwright

    from spbe_toolkit.demo import workspace_from_samples

    path = tmp_path / "putaran.sqlite"
    ws = workspace_from_samples(path)
    names = list(ws.instances().index)
    ws.import_assignments(
        pd.DataFrame({"instance": names[1:6], "evaluator": "Sri Wahyuni", "team": "Tim A"}), assigned_by="Ketua Tim"
    )
    ws.import_assignments(
        pd.DataFrame({"instance": names[6:9], "evaluator": "Budi", "team": "Tim A"}), assigned_by="Ketua Tim"
    )
    ws.close()
    proc, _base, link, log = _start_app(str(path), tmp_path, lang, "--lang", lang)
    held, hosts = [], set()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 1300, "height": 950}).new_page()
            page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
            page.route("**/voila/static/voila.js", lambda route: held.append(route))  # Voilà's app waits
            page.goto(link, wait_until="commit")  # the page's own load waits for the held script
            shell = page.locator("#spbe-shell-name")
            shell.wait_for(timeout=30_000)
            for _ in range(600):  # the script's request comes at the page's end, after the form
                if held:
                    break
                page.wait_for_timeout(50)
            assert held, "the scripts were not held back: the test proves nothing"
            assert page.locator("#rendered_cells input, #rendered_cells .spbe-overview").count() == 0  # no widget
            title = {"id": "Evaluasi SPBE (PermenPANRB 59/2020) tahun 2024 — aplikasi evaluator",
                     "en": "SPBE evaluation (PermenPANRB 59/2020) 2024 — evaluator app"}[lang]  # fmt: skip
            assert page.title() == title and title in page.locator("#loading h2").inner_text()
            assert page.evaluate("document.documentElement.lang") == lang
            text = page.locator("#loading").inner_text()
            assert intro in text and start in text and "Running" not in page.inner_text("body")
            assert page.inner_text("#loading_text") == {"id": "Memuat aplikasi …", "en": "Loading the app …"}[lang]
            assert page.get_attribute("#spbe-shell-name", "placeholder") == placeholder
            # the server's first view: every instance, its headings in the language, the form above it
            page.wait_for_selector("#spbe-shell-first .spbe-first-view", timeout=30_000)
            first = page.inner_text("#spbe-shell-first")
            assert caption in first and {"id": "Predikat", "en": "Predicate"}[lang] in first
            assert {"id": "Predicate", "en": "Predikat"}[lang] not in first
            assert sorted(_row_names(page, "#spbe-shell-first")) == sorted(names)
            page.screenshot(path=str(tmp_path / f"shell_{lang}.png"))
            page.keyboard.type("Sri Wahyuni", delay=10)  # the box has the focus from the start
            page.keyboard.press("Enter")
            page.wait_for_selector(f"#spbe-shell-first >> text={signed_in}", timeout=30_000)  # scripts still held
            assert mine in page.inner_text("#spbe-shell-first") and not shell.is_visible()
            named = _row_names(page, "#spbe-shell-first")
            assert sorted(named) == sorted(names[1:6])
            page.screenshot(path=str(tmp_path / f"first_view_{lang}.png"))
            for route in held:
                route.continue_()
            page.wait_for_selector("#rendered_cells .spbe-overview", state="visible", timeout=60_000)
            page.wait_for_selector(f"#rendered_cells >> text={signed_in}", timeout=10_000)
            assert page.locator("#loading").count() == 0 and page.locator(".spbe-overview").count() == 1
            assert _row_names(page, "#rendered_cells") == named  # the live rows, in the first view's order
            page.screenshot(path=str(tmp_path / f"overview_{lang}.png"))
            browser.close()
    finally:
        _stop((proc, log))
    assert hosts <= {link.split("/")[2]}, f"the page fetched from elsewhere: {hosts}"


@pytest.mark.browser
def test_a_preheated_app_shows_the_round_as_it_is_when_the_page_comes(tmp_path, pg_server):
    """A preheated kernel builds a server round's overview before anyone asks; a save made
    after that (by the lead, elsewhere) is in the overview the page shows when it comes."""
    require_browser()
    from playwright.sync_api import sync_playwright

    url = pg_server.new_database()
    folder, _ = sample_paths("spbe2020")
    ws = Workspace.create(url, framework="spbe2020", year=2024)
    ws.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:3], "spbe2020", progress=False))
    role = f"ani_{uuid.uuid4().hex[:6]}"
    ws.add_evaluator(role, "Ani", team="Tim A")
    other = next(n for n in ws.instances().index if n != TARGET)
    proc, _base, link, log = _start_app(url.replace("postgres@", f"{role}@"), tmp_path, "fresh")
    try:
        log_path = tmp_path / "fresh.log"
        deadline = time.monotonic() + 120  # the start-up check took the first kernel; the pool refills
        while log_path.read_text().count("is filled with 1 kernel") < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(20)  # and builds the app (the overview) in the refilled kernel
        before = int(ws.status().loc[other, "reviewed"])
        own = ws.self_assessment(other).set_index("indicator")["level"]
        ws.adjust(other, "1", 1 if own["1"] != 1 else 2, stage="final", evaluator="Ketua Tim", note="diperbaiki")
        expected = int(ws.status().loc[other, "reviewed"])
        assert expected == before + 1
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 1300, "height": 950}).new_page()
            page.goto(link, wait_until="commit")
            page.wait_for_selector(".spbe-overview", timeout=60_000)
            page.wait_for_timeout(1500)  # a refresh, if one is coming, has come
            cells = page.evaluate(
                "name => [...document.querySelectorAll('.spbe-overview tr')].filter(r => r.querySelector('th') &&"
                " r.querySelector('th').innerText.trim() === name).map(r => [...r.querySelectorAll('td')]"
                ".map(td => td.innerText.trim()))[0]",
                other,
            )
            browser.close()
        assert cells and cells[3] == str(expected), (cells, expected)
    finally:
        _stop((proc, log))
        ws.close()
