"""The app's first view (render/app_first_view.py): the overview the server shows before the
app's widgets are live — the same rows, in the same order and language, as the app's own first
overview; the name checked; the round read again exactly when something was committed."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from spbe_toolkit.demo import workspace_from_samples
from spbe_toolkit.render import app_first_view
from spbe_toolkit.render.app import EvaluatorApp
from spbe_toolkit.render.app_first_view import FirstViewSource, checked_name, first_view


def _names(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1]
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th>(.*?)</th>", body, flags=re.S)]


@pytest.fixture(scope="module")
def round_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("first_view") / "putaran.sqlite"
    ws = workspace_from_samples(path)
    names = list(ws.instances().index)
    ws.import_assignments(pd.DataFrame({"instance": names[2:7], "evaluator": "Sri Wahyuni"}), assigned_by="Ketua Tim")
    ws.close()
    return path


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", ["Sri Wahyuni", "Ani"])
def test_the_first_view_has_the_rows_of_the_apps_first_overview(round_file, lang, name):
    """For an evaluator with assignments ("my instances") and one without (every instance):
    the first view's rows are those the app shows after the name, in the same order."""
    app = EvaluatorApp(str(round_file), lang)
    app.name.value = name
    overview = app.begin()
    view = first_view(app.ws, name, lang)
    assert view["who"] == name
    assert _names(view["html"]) == list(overview.filtered_status().index)
    shown = overview.shown.value
    assert shown in view["html"]  # "n of total shown", word for word
    filtered = {"id": "Saringan: Instansi saya", "en": "Filter: My instances"}[lang]
    assert (filtered in view["html"]) == bool(app.ws.my_instances(name)) == overview.mine.value
    assert view["every"] == (not overview.mine.value) and view["head"] in view["html"]
    heading = {"id": ("Predikat", "Predicate"), "en": ("Predicate", "Predikat")}[lang]
    assert heading[0] in view["html"] and heading[1] not in view["html"]
    app.ws.close()


def test_before_the_name_every_instance_and_the_name_is_escaped(round_file):
    source = FirstViewSource(str(round_file), "id")
    try:
        before = source._view("")
        everyone = list(source._ws.instances().index)
        assert before["who"] == "" and sorted(_names(before["html"])) == sorted(everyone)
        assert "Keadaan putaran saat ini" in before["html"]
        odd = source._view("<b>Ani</b> & co")
        assert "&lt;b&gt;Ani&lt;/b&gt; &amp; co" in odd["html"] and "<b>Ani" not in odd["html"]
    finally:
        source.close_now()


@pytest.mark.parametrize("text", ["x" * (app_first_view.MAX_NAME + 1), "Ani\nBudi", "Ani\x00", "Ani\u202eBudi"])
def test_a_name_that_is_no_name_is_refused(text):
    with pytest.raises(ValueError):
        checked_name(text)


def test_a_name_is_stripped():
    assert checked_name("  Sri Wahyuni ") == "Sri Wahyuni" and checked_name("") == ""


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_the_round_is_read_again_exactly_when_something_was_committed(round_file, tmp_path, store, request):
    """A quiet moment: the status read before serves the next page (no second read). A save
    by anyone else — a level, an assignment — and the next first view reads the round again and
    shows it; on both stores."""
    from spbe_toolkit.workspace import Workspace

    if store == "sqlite":
        location = str(tmp_path / "putaran.sqlite")
        Path(location).write_bytes(round_file.read_bytes())
    else:
        import spbe_toolkit as spbe
        from spbe_toolkit.demo import sample_paths

        location = request.getfixturevalue("pg_server").new_database()
        ws = Workspace.create(location, framework="spbe2020", year=2024)
        folder, _ = sample_paths("spbe2020")
        ws.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:3], "spbe2020", progress=False))
        ws.close()
    source = FirstViewSource(location, "id")
    writer = Workspace.open(location)
    try:
        target = writer.instances().index[0]

        def index_shown(view) -> str:
            row = re.search(re.escape(target) + r"</th>(.*?)</tr>", view["html"], flags=re.S).group(1)
            return re.findall(r"<td>(.*?)</td>", row)[7]

        before = index_shown(source._view(""))
        assert source.reads == 1
        assert index_shown(source._view("Ani")) == before and source.reads == 1  # nothing committed: no read
        current = writer.levels("current")
        level = current[(current["instance"] == target) & (current["indicator"] == "1")]["level"].iloc[0]
        writer.adjust(target, "1", 1 if level != 1 else 2, stage="final", evaluator="Ketua Tim", note="uji")
        seen = source._view("Ani")
        after = index_shown(seen)
        assert source.reads == 2 and after != before
        assert after == people_index(writer, target)
        who = seen["who"]  # "Ani" on a file; on a server round the database's identity wins
        assert who == ("Ani" if store == "sqlite" else writer.whoami()["role"])
        writer.assign(target, who, team="Tim A", assigned_by="Ketua Tim")
        mine = source._view("Ani")
        assert source.reads == 3 and _names(mine["html"]) == [target]  # their instances now
    finally:
        source.close_now()
        writer.close()


def people_index(ws, instance: str) -> str:
    """The current index as the overview prints it (two decimals, the language's mark)."""
    from spbe_toolkit.i18n.tables import people_table

    return str(people_table(ws.status().loc[[instance], ["index"]], "id").iloc[0, 0])


def test_a_failed_read_drops_the_connection_and_the_next_opens_it_again(round_file):
    source = FirstViewSource(str(round_file), "id")
    try:
        source._view("")
        source._ws.store.close()  # the connection breaks under it
        with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
            source._view("Ani")
        assert source._ws is None
        assert source._view("Ani")["who"] == "Ani"
    finally:
        source.close_now()


def test_a_flood_of_first_views_is_answered_busy_not_queued(round_file):
    import asyncio

    source = FirstViewSource(str(round_file), "id")
    try:
        source.waiting = app_first_view.MAX_WAITING
        with pytest.raises(app_first_view.Busy):
            asyncio.run(source.view("Ani"))
        source.waiting = 0
        assert asyncio.run(source.view("Ani"))["who"] == "Ani" and source.waiting == 0
    finally:
        source.close_now()


def test_warming_queues_one_read_at_most(round_file):
    """Pages requested faster than the worker reads queue one warm-up, not one each."""
    import threading

    source = FirstViewSource(str(round_file), "id")
    gate = threading.Event()
    try:
        source._thread.submit(gate.wait)  # the worker is busy
        for _ in range(50):
            source.warm()
        assert source._thread._work_queue.qsize() == 1
        gate.set()
        source._thread.submit(lambda: None).result(timeout=30)
        assert source.reads == 1 and not source._warm_queued
    finally:
        gate.set()
        source.close_now()
