"""The app's first view: the round overview as plain HTML before Voilà's scripts are live.

Voilà's own front end takes 1.3–2.5 s on this kind of machine before its widgets talk to
the kernel (about 90 script files, then the kernel's websocket), and the overview is built
only after that. So ``spbe app`` runs Voilà with one more route, ``/spbe/first-view``: the
server itself reads the round (its status, as the overview shows it) and answers with the
overview's table, already in the app's language. The page asks for it from its head, before
anything else loads, and shows it read-only under the name form — every instance until a name
is typed, then (a second request) that evaluator's rows; on a server round, where the
database says who the session is, at once for that name. Voilà's cells are held out of sight
until the live overview can take the first view's place.

* **Same door as the page**: the route needs the app's token (``@web.authenticated``, as
  Voilà's page); without it the answer is 403 and nothing is read.
* **Nothing the app would not show**: the same rows, columns and filters as the app's
  opening overview (:func:`~spbe_toolkit.render.widgets.overview_rows`: "my instances" when
  the evaluator has assignments), every value escaped. It writes nothing.
* **The name is checked** (at most :data:`MAX_NAME` characters, no control characters); on a
  server round the database's identity wins over anything the page sends, as in the app.
* **The round as it is**: every request asks the database whether anything was committed since
  the status was last read (SQLite's ``data_version``, PostgreSQL's current snapshot) and reads
  it again if so — one connection, kept in one worker thread; a failure drops it, and the next
  request opens a new one. The first read happens while the server starts, and a page's
  request starts one (:class:`PageHandler`), so the first view seldom waits for a read.
* **Bounded**: at most :data:`MAX_WAITING` requests wait for the worker; more get 503 at once.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from spbe_toolkit.i18n import check_lang, tr
from spbe_toolkit.render.app_server import FIRST_VIEW_ROUTE

MAX_NAME = 200
MAX_WAITING = 16  # first-view requests waiting for the worker at once; more are answered 503


def checked_name(text: str) -> str:
    """The name as given by the page, stripped; ValueError for a name too long or with
    control characters (a name is one line of text)."""
    name = text.strip()
    if len(name) > MAX_NAME or any(unicodedata.category(c).startswith("C") for c in name):
        raise ValueError("name")
    return name


def first_view(ws, name: str = "", lang: str | None = None, status=None) -> dict[str, Any]:
    """The app's opening overview as HTML: ``{"who", "head", "every", "html"}`` (``head``: the
    lines above the table; ``every``: the rows are every instance), or ``{"refusal"}`` (text)
    when the server's role is no evaluator of the round.

    ``who`` is the identity the server or the hub establishes (it wins over ``name``), else
    ``name``; with someone to show it to, the rows are those of :class:`EvaluatorApp`'s first
    overview ("my instances" when they have assignments); with no one yet (a file round before
    the name is typed, ``who`` ""), every instance of the round. ``status`` is ``ws.status()``
    when already read (else it is read now)."""
    from spbe_toolkit.render.app import established_identity
    from spbe_toolkit.render.widgets import overview_html, overview_rows, overview_table

    lang = check_lang(lang)
    established, refusal = established_identity(ws)
    if refusal is not None:
        return {"refusal": refusal.text(lang)}
    who = established if established is not None else checked_name(name)
    status = ws.status() if status is None else status
    mine = ws.my_instances(who) if who else []
    rows = overview_rows(status, mine=mine or None)
    shown, table = overview_html(overview_table(rows, lang), len(status), lang, classes="spbe-overview spbe-first-view")
    if not who:
        head = f"<p class='spbe-first-caption'>{html.escape(tr('app.first_view_all', lang))}</p>"
    else:
        signed = tr("app.signed_in_server" if established is not None else "app.signed_in", lang, name=who)
        head = f"<p>{html.escape(signed)}</p>"
        if mine:
            head += f"<p class='spbe-first-filter'>{html.escape(tr('app.first_view_filter', lang, filter=tr('widget.my_instances', lang)))}</p>"  # fmt: skip
    # "every": the rows are every instance of the round (a page showing those keeps its table)
    return {"who": who, "head": head, "every": not mine, "html": f"<div class='spbe-first-head'>{head}</div>{shown}{table}"}  # fmt: skip


class Busy(Exception):
    """Too many first views wait already."""


class FirstViewSource:
    """The round read for first views: one workspace, opened lazily and kept, used only from
    one worker thread; a request that fails closes it (the next opens it again).

    The round's status is read again only when the store's change marker
    (:meth:`~spbe_toolkit.workspace.store.base.BaseStore.change_marker`) says something was
    committed since the last read: a page that comes in a quiet moment is answered from what
    was read (the server read it while starting), one that comes after a save reads anew."""

    def __init__(self, location: str, lang: str | None = None) -> None:
        self.location = location
        self.lang = check_lang(lang)
        self._ws = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spbe-first-view")
        self._read: tuple[Any, Any] | None = None  # (change marker before the read, status); worker only
        self.reads = 0  # status reads done (for tests and the benchmark)
        self.waiting = 0  # requests waiting for the worker (on the server's loop only)
        self._warm_queued = False  # a warm-up is queued and has not started

    def _status(self):
        ws = self._workspace()
        marker = ws.store.change_marker()  # before the read: a commit during it shows next time
        if marker is None or self._read is None or self._read[0] != marker:
            self._read = (marker, ws.status())
            self.reads += 1
        return self._read[1]

    def _workspace(self):
        from spbe_toolkit.workspace import Workspace

        if self._ws is None:
            self._ws = Workspace.open(self.location)
        return self._ws

    def _view(self, name: str) -> dict[str, Any]:
        try:
            return first_view(self._workspace(), name, self.lang, self._status())
        except ValueError:
            raise
        except Exception:
            self.close_now()
            raise

    def close_now(self) -> None:
        ws, self._ws, self._read = self._ws, None, None
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - a broken connection is dropped either way
                pass

    async def view(self, name: str = "") -> dict[str, Any]:
        """:func:`first_view` for ``name``, run in the worker; :class:`Busy` when
        :data:`MAX_WAITING` requests already wait for it (the page then waits for the app)."""
        if self.waiting >= MAX_WAITING:
            raise Busy
        self.waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._thread, self._view, name)
        finally:
            self.waiting -= 1

    def warm(self) -> None:
        """Bring the status up to date in the worker without waiting: at the server's start
        (imports, connection, first read) and when a page is requested, so that its first-view
        request, which comes once the page's head is parsed, finds the round already read."""

        def first() -> None:
            self._warm_queued = False
            try:
                self._status()
            except Exception:  # noqa: BLE001 - the request will say what is wrong
                self.close_now()

        if not self._warm_queued:  # one waiting at most: a flood of pages queues nothing more
            self._warm_queued = True
            self._thread.submit(first)


class FirstViewHandler(APIHandler):
    """``GET /spbe/first-view[?name=…]`` → JSON ``{"who", "html"}`` or
    ``{"refusal"}``; 400 for a name that is no name, 503 when the round cannot be read (the page
    then waits for the app, which says what is wrong)."""

    @web.authenticated
    async def get(self) -> None:
        source: FirstViewSource = self.settings["spbe_first_view"]
        try:
            name = checked_name(self.get_argument("name", ""))
        except ValueError:
            raise web.HTTPError(400, "name") from None
        try:
            body = await source.view(name)
        except Exception as exc:  # noqa: BLE001 - the page goes on without a first view
            self.log.warning("first view not available: %s", type(exc).__name__)
            raise web.HTTPError(503, "first view not available") from None
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))


class PageHandler(TornadoVoilaHandler):
    """Voilà's page, which first asks the worker to bring the round's status up to date."""

    async def get(self, path=None):
        if self.current_user:  # an anonymous request reads nothing
            self.settings["spbe_first_view"].warm()
        return await super().get(path)


class AppVoila(Voila):
    """Voilà with the first-view route, reading ``SPBE_WORKSPACE`` in ``SPBE_LANG``."""

    def init_handlers(self) -> list:
        handlers = [
            (rule[0], PageHandler, *rule[2:]) if len(rule) > 1 and rule[1] is TornadoVoilaHandler else rule
            for rule in super().init_handlers()
        ]
        route = (url_path_join(self.server_url, FIRST_VIEW_ROUTE), FirstViewHandler)
        return [route, *handlers]  # before Voilà's catch-all page route

    def start(self) -> None:
        source = FirstViewSource(os.environ.get("SPBE_WORKSPACE", ""), os.environ.get("SPBE_LANG") or None)
        source.warm()
        self.tornado_settings = {**self.tornado_settings, "spbe_first_view": source}
        super().start()


main = AppVoila.launch_instance

if __name__ == "__main__":
    main()
