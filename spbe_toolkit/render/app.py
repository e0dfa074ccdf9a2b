"""The evaluator app: the round overview and adjustment panel without code cells.

``spbe app <workspace file or postgresql:// URL>`` serves :data:`APP_NOTEBOOK` with Voilà;
the notebook's only cell calls :func:`evaluator_app`, which reads the round's location from
``SPBE_WORKSPACE`` (and the language from ``SPBE_LANG``). The evaluator's name is asked once;
with assignments in the round, "my instances" is on from the start.
"""

from __future__ import annotations

import asyncio
import html
import os
import sys
import threading
import time
from pathlib import Path

import ipywidgets as w

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import Msg, check_lang, tr
from spbe_toolkit.render.widgets import RoundOverview
from spbe_toolkit.workspace import Workspace

APP_NOTEBOOK = Path(__file__).with_name("evaluator_app.ipynb")


class EvaluatorApp:
    """Who you are first, then the round: a :class:`RoundOverview` for that evaluator.

    On a server round the database says who the session is (the name the team lead registered
    for its role): no name is asked, it is shown. Behind JupyterHub (``JUPYTERHUB_USER``) the
    hub's authenticated user is the name. Only a file round on one machine asks the name, once,
    and says that it records the name typed. Either way every save carries that fixed name,
    whatever the page sends back."""

    def __init__(self, location: str, lang: str | None = None) -> None:
        self.lang = lang = check_lang(lang)
        self.ws = Workspace.open(location)
        self.name = w.Text(description=tr("widget.evaluator", lang), placeholder=tr("app.name_placeholder", lang),
                           layout=w.Layout(width="420px"))  # fmt: skip
        self.start = w.Button(description=tr("app.start", lang), icon="sign-in", button_style="primary")
        self.message = w.HTML()
        self.overview: RoundOverview | None = None
        title = tr("app.title", lang, fw=self.ws.framework.title_in(lang), year=self.ws.year or "-")
        self.body = w.VBox([w.HTML(f"<p>{html.escape(tr('app.intro', lang))}</p>"), w.HBox([self.name, self.start]),
                            self.message])  # fmt: skip
        self.widget = w.VBox([w.HTML(f"<h2 style='margin:4px 0'>{html.escape(title)}</h2>"), self.body])
        self.start.on_click(lambda _b: self.begin())
        self.name.on_msg(lambda _w, content, _b: self.begin() if content.get("event") == "submit" else None)  # Enter
        self.identity = self._established()
        if self.identity is not None:
            self.begin(self.identity)
        self._built = time.monotonic()
        self._watch_for_the_page()

    def _watch_for_the_page(self) -> None:
        """In a preheated kernel (Voilà built this app before anyone asked), wait in a thread
        for the page that takes the kernel, then — on the kernel's own loop, where the round's
        connection lives — read the round again, so the overview is the round as it is when the
        page comes, not as it was when the kernel was heated."""
        if os.environ.get("VOILA_PREHEAT") != "True":
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def wait() -> None:
            from voila.utils import wait_for_request

            try:
                wait_for_request()  # returns when Voilà hands this kernel to a page
            except Exception:  # noqa: BLE001 - no hand-over heard: the page keeps "Muat ulang"
                return
            loop.call_soon_threadsafe(self.page_arrived)

        threading.Thread(target=wait, name="spbe-wait-for-page", daemon=True).start()

    def page_arrived(self) -> None:
        """A page has taken this (preheated) kernel: an overview built before is read again."""
        if self.overview is not None and time.monotonic() - self._built > 1:
            self.overview.refresh()

    def _established(self) -> str | None:
        """The name the server (or the hub) establishes; None when the name is to be typed."""
        who, refusal = established_identity(self.ws)
        if refusal is not None:
            self.body.children = [w.HTML(f"<p style='color:#b00020'>{html.escape(refusal.text(self.lang))}</p>")]
        return who

    def begin(self, who: str | None = None) -> RoundOverview | None:
        """Open the round for ``who`` (established) or the name typed (once)."""
        fixed = who is not None
        who = (who if fixed else self.name.value).strip()
        if not who:
            self.message.value = (
                f"<span style='color:#b00020'>{html.escape(tr('widget.evaluator_first', self.lang))}</span>"
            )
            return None
        self.overview = RoundOverview(self.ws, evaluator=who, lang=self.lang)
        self.overview.locked_evaluator = who  # every save carries this name, whatever the page sends
        self.overview.evaluator.disabled = True

        def keep_name(change) -> None:  # a page that re-enables the box and types shows the fixed name again
            if change["new"] != who:
                change["owner"].value = who

        self.overview.evaluator.observe(keep_name, "value")
        if self.ws.my_instances(who):
            self.overview.mine.value = True
        key = "app.signed_in_server" if fixed else "app.signed_in"
        self.body.children = [w.HTML(f"<p>{html.escape(tr(key, self.lang, name=who))}</p>"), self.overview.widget]
        self.name.disabled = self.start.disabled = True
        return self.overview

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def hub_user() -> str:
    """The JupyterHub user this app runs for ("" outside a hub)."""
    return os.environ.get("JUPYTERHUB_USER", "").strip()


def established_identity(ws: Workspace) -> tuple[str | None, Msg | None]:
    """Who the session is when the server or the hub says so: ``(name, None)``; ``(None,
    None)`` when the name is to be typed (a file round outside a hub); ``(None, refusal)`` when
    the server's role is no evaluator of the round. A lead without a registered name is its role."""
    me = ws.whoami()
    if me is not None:
        if me["name"]:
            return me["name"], None
        if me["lead"]:
            return me["role"], None
        return None, Msg("error.db_not_evaluator", where=ws.location, detail=me["role"])
    return hub_user() or None, None


def asks_name(ws: Workspace) -> bool:
    """Whether the app asks the evaluator's name: only on a file round outside a hub (the
    server or the hub says who the session is otherwise) — as :class:`EvaluatorApp` does."""
    return ws.whoami() is None and not hub_user()


def evaluator_app(location: str | None = None, lang: str | None = None) -> EvaluatorApp:
    """The app for ``location`` (default: the ``SPBE_WORKSPACE`` environment variable)."""
    location = location or os.environ.get("SPBE_WORKSPACE", "")
    if not location:
        raise SpbeError(Msg("error.app_no_workspace"))
    return EvaluatorApp(location, lang or os.environ.get("SPBE_LANG") or None)


def voila_command(notebook: Path, port: int, ip: str = "127.0.0.1") -> list[str]:
    """The Voilà command serving the app (no browser opened, code cells never shown)."""
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser", f"--Voila.ip={ip}",
            "--strip_sources=True", "--show_tracebacks=False"]  # fmt: skip
