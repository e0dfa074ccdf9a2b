"""Serving the evaluator app as a guarded door: ``spbe app``.

* **A token on every request.** A new random token per start, given to Voilà through a
  private config file (mode 600, never on a command line other users can read with ``ps``),
  printed once in the tokened URL. A request without it is refused and starts no kernel.
* **A ceiling on kernels** (:class:`BoundedKernelManager`): each page costs a kernel (~120 MB);
  past ``max_kernels`` a page says the app is full instead of starting one, and kernels idle
  longer than ``cull_idle`` seconds are shut down.
* **Preheated kernels** (``preheat``, default 1): Voilà keeps that many kernels with the app
  already built, so a page is served at once instead of after a kernel start, the imports and
  the round's first read (~3 s). They count under the ceiling; a pool kernel is refilled when a
  page takes it and, if the ceiling stopped the refill, when a page's kernel ends.
* **The page in the app's language**: a small Voilà template (written to the private folder)
  shows the loading text and the round's human title in the chosen language, and fetches
  nothing from the internet (Voilà's own template links a font CDN).
* **The round before the scripts**: Voilà runs with one more route (``/spbe/first-view``,
  :mod:`~spbe_toolkit.render.app_first_view`), which the page asks from its head; the shell
  shows that read-only overview and holds Voilà's cells out of sight until the live overview
  can take its place.
* **The port and address checked** before anything starts: 1–65535, a real IP address, and
  a port in use is an error naming it (Voilà is told never to try another port).
* **Stopping by any signal stops everything.** SIGTERM, SIGINT, SIGHUP or SIGQUIT to
  ``spbe app`` is passed to Voilà as SIGTERM (which shuts its kernels down); when Voilà has
  ended, any kernel still running from this app's private connection folder is killed. If
  ``spbe app`` itself is killed outright, Linux sends Voilà SIGTERM (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg, tr

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)
MAX_KERNELS = 8
CULL_IDLE = 900  # seconds
PREHEAT = 1
FIRST_VIEW_ROUTE = "/spbe/first-view"  # the server's read-only overview (render/app_first_view.py)
VOILA_MODULE = "spbe_toolkit.render.app_first_view"  # Voilà with that route


class BoundedKernelManager(AsyncMappingKernelManager):
    """Voilà's kernel manager with a ceiling: no kernel beyond ``max_kernels``.

    With preheating, Voilà makes its pooling manager a subclass of this one, so the pool's
    kernels go through :meth:`start_kernel` too and count under the ceiling. A refill the
    ceiling refuses leaves the pool (it would otherwise sit there as a failed entry and turn
    the next page away); the pool is filled again when any kernel ends."""

    max_kernels = Integer(MAX_KERNELS, config=True, help="The most kernels (open pages) at once.")
    _closing = False

    def _running(self) -> int:
        pending = getattr(self, "_pending_kernels", {})  # started, not yet ready: they count too
        return len(set(self.list_kernel_ids()) | set(pending))

    async def start_kernel(self, *args, **kwargs):
        if self._closing or self._running() >= self.max_kernels:
            if (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True":
                self._leave_pool(asyncio.current_task())
            text = tr("app.full", os.environ.get("SPBE_LANG") or None, n=self.max_kernels)
            raise web.HTTPError(503, text, reason=text)
        return await super().start_kernel(*args, **kwargs)

    def _leave_pool(self, task) -> None:
        for pool in getattr(self, "_pools", {}).values():
            if task in pool:
                pool.remove(task)
                task.add_done_callback(lambda t: t.cancelled() or t.exception())  # seen: no warning
                return

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        result = await super().shutdown_kernel(kernel_id, *args, **kwargs)
        refill = getattr(self, "fill_if_needed", None)
        if refill is not None and not self._closing and getattr(self, "notebook_path", None):
            refill(delay=0, notebook_name=self.notebook_path)  # a place is free: the pool comes back
        return result

    async def shutdown_all(self, *args, **kwargs):
        self._closing = True  # no refill while everything stops
        return await super().shutdown_all(*args, **kwargs)


def port_number(text: str) -> int:
    """A TCP port, 1–65535 (an argparse type)."""
    try:
        port = int(text)
    except (TypeError, ValueError):
        port = -1
    if not 1 <= port <= 65535:
        raise ValidationError(Msg("error.app_port", value=repr(text)))
    return port


def _whole_number(text: str, low: int, high: int, key: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = low - 1
    if not low <= value <= high:
        raise ValidationError(Msg(key, value=repr(text), low=low, high=high))
    return value


def kernel_count(text: str) -> int:
    """The ceiling on kernels, 1–100 (an argparse type)."""
    return _whole_number(text, 1, 100, "error.app_kernels")


def preheat_count(text: str) -> int:
    """Kernels kept ready with the app built, 0–10 (0: none; an argparse type)."""
    return _whole_number(text, 0, 10, "error.app_preheat")


def idle_seconds(text: str) -> int:
    """Seconds before an idle, unconnected kernel is shut down, 2–86400 (an argparse type)."""
    return _whole_number(text, 2, 86_400, "error.app_idle")


def ip_address(text: str) -> str:
    """A real IPv4 or IPv6 address (an argparse type)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValidationError(Msg("error.app_ip", value=repr(text))) from None


def check_port_free(ip: str, port: int) -> None:
    """Refuse, naming it, a port something else already listens on."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((ip, port))
        except OSError as exc:
            raise ValidationError(
                Msg("error.app_port_in_use", ip=ip, port=port, detail=exc.strerror or str(exc))
            ) from None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _leftover_kernels(folder: Path) -> list[int]:
    """Processes whose command line names a file in ``folder`` (this app's kernels)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(folder) in cmdline:
            found.append(int(entry.name))
    return found


TEMPLATE = "spbe"
_SPINNER = """{%% import 'voila/templates/base/spinner.macro.html.j2' as voila_spinner %%}
{%% macro css() %%}{{ voila_spinner.css() }}
<style>
  #loading.spbe-shell { display: block !important; height: auto; align-items: stretch; padding: 22px 17px;
    font-family: var(--jp-ui-font-family, sans-serif); font-size: var(--jp-ui-font-size1, 13px); }
  .spbe-shell h2 { margin: 4px 0; font-size: 1.5em; }
  .spbe-shell input { width: 300px; max-width: 70vw; height: 28px; box-sizing: border-box; padding: 0 8px;
    border: 1px solid #9e9e9e; font-size: inherit; }
  .spbe-shell button { height: 28px; padding: 0 12px; background: #1976d2; color: #fff; border: 0;
    font-size: inherit; }
  .spbe-shell #spbe-shell-msg { color: #b00020; margin: 6px 0; }
  .spbe-shell #spbe-shell-msg:empty { display: none; }
  .spbe-shell #spbe-shell-first { margin-top: 10px; }
  .spbe-shell #spbe-shell-first p { margin: 0 0 8px 0; }
  .spbe-shell .spbe-wait { color: #555; margin-top: 10px; display: flex; align-items: center; gap: 8px; }
  .spbe-shell .spbe-spin { width: 14px; height: 14px; border: 3px solid #d0d7de; border-top-color: #268380;
    border-radius: 50%%; animation: rotation 1s infinite linear; }
</style>
{%% endmacro %%}
{%% macro html() %%}{%% raw %%}%(shell)s{%% endraw %%}{%% endmacro %%}
"""
_INDEX = """{%% extends 'voila/templates/lab/index.html.j2' %%}
{%% import "spinner.macro.html.j2" as spinner %%}
{%%- block notebook_css -%%}
  <script>  // the first view is asked for before anything else of the page loads
    window.spbeAsk = function (query) {  // the server's first view (render/app_first_view.py), with the page's token
      var token = new URLSearchParams(window.location.search).get("token");
      return fetch(%(route)s + query, {headers: token ? {"Authorization": "token " + token} : {}, cache: "no-store",
                                       credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; });
    };
    window.spbeFirstView = window.spbeAsk("");
  </script>
  {%% if frontend == "voila" %%}{{ resources.include_js("static/voila-style.js") }}{%% endif %%}
  {{ spinner.css() }}
  <style>.jp-mod-noOutputs.jp-mod-noInput { display: none; }</style>
  {{ super.super() }}
{%%- endblock notebook_css -%%}
{%%- block body_header -%%}
{{ super() }}
<script>
  document.documentElement.lang = "%(lang)s";
  document.title = %(title)s;
  window.voila_process = function () {};
  (function () {
    // The shell. The server's first view — the round overview, read only — is asked for at once
    // and shown under the name form (a server round: for the identity the database gives); the
    // name, when given, asks for that evaluator's rows. Voilà's cells are then held out of sight
    // until the live overview is there to take the first view's place. What is typed before the
    // widgets came goes on to the app's own box.
    var box = document.getElementById("spbe-shell-name"), go = document.getElementById("spbe-shell-go");
    var msg = document.getElementById("spbe-shell-msg"), first = document.getElementById("spbe-shell-first");
    var state = window.spbeShell = {value: "", focused: !!box && document.activeElement === box, wanted: false,
                                    done: false, pending: true, holding: false, released: false};
    var finish = window.voila_finish, finishWanted = false;
    function release() {
      if (state.released) { return; }
      state.released = true;
      state.holding = state.pending = false;
      if (finishWanted) {
        var c = document.getElementById("rendered_cells");
        if (c) { c.removeAttribute("style"); c.style.display = "none"; }
        finish();  // Voilà's own: the shell goes, the cells are shown
      }
    }
    window.voila_finish = function () {
      if (!window.themeLoaded || state.released || !(state.holding || state.pending)) { return finish(); }
      finishWanted = true;  // rendered (widgets lay out, the hand-over finds the app's box), not seen
      var c = document.getElementById("rendered_cells");
      if (c) { c.style.cssText = "position:absolute;left:0;top:0;width:100%%;height:0;overflow:hidden;visibility:hidden"; }
      if (!box) { setTimeout(release, 15000); }  // the live app did not come: show whatever it shows
    };
    function show(data) {
      state.pending = false;
      if (state.released) { return; }
      if (!data || !data.html) {
        if (data && data.refusal) { msg.textContent = data.refusal; }
        if (finishWanted && !state.holding) { release(); }
        return;
      }
      if (!data.who && state.namedAt) { return; }  // the evaluator's rows are on screen already
      if (data.who) {  // the evaluator's rows: the form has done its work
        var ask = document.getElementById("spbe-shell-ask");
        if (ask) { ask.style.display = "none"; }
        document.getElementById("loading_text").textContent = %(wait)s;
      }
      var everyone = state.firstAt !== undefined && first.querySelector(".spbe-first-head");
      if (data.who && data.every && everyone) { everyone.innerHTML = data.head; }  // same rows: the table stays
      else { first.innerHTML = data.html; }
      state.holding = true;
      state[data.who ? "namedAt" : "firstAt"] = performance.now();  // on screen (for the benchmark)
    }
    var watch = setInterval(function () {  // the live overview, once there, takes the first view's place
      if (state.released) { clearInterval(watch); return; }
      if (finishWanted && document.querySelector("#rendered_cells .spbe-overview")) { release(); }
    }, 20);
    window.spbeFirstView.then(show, function () { show(null); });
    if (!box) { return; }  // a server round: the database says who the session is
    function submit() {
      if (state.wanted) { return; }
      if (!box.value.trim()) { msg.textContent = %(name_first)s; box.focus(); return; }
      msg.textContent = "";
      state.value = box.value;
      state.wanted = true;
      state.focused = false;
      go.disabled = true;
      box.readOnly = true;
      if (state.holding || state.pending) {  // that evaluator's rows ("my instances"), from the server
        state.pending = true;
        window.spbeAsk("?name=" + encodeURIComponent(box.value)).then(show, function () { show(null); });
      }
    }
    if (window.spbeShellEnter) { submit(); }  // Enter came before this script (the form is painted first)
    go.addEventListener("click", submit);
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { submit(); } else if (e.key === "Tab") { state.focused = false; }
    });
    box.addEventListener("input", function () { state.value = box.value; });
    box.addEventListener("focus", function () { state.focused = !state.wanted; });
    function shown() { return box.isConnected && box.offsetParent !== null; }
    document.addEventListener("pointerdown", function (e) { state.focused = e.target === box && !state.wanted; }, true);
    document.addEventListener("keydown", function (e) {  // Voilà's start may take the focus; keys stay
      if (state.done || !state.focused || e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (shown()) { if (document.activeElement !== box) { box.focus(); } return; }
      if (e.key === "Enter") { state.wanted = true; }  // the form has gone, the app's box is not there yet
      else if (e.key === "Backspace") { state.value = state.value.slice(0, -1); }
      else if (e.key.length === 1) { state.value += e.key; }
      else { return; }
      e.preventDefault();
    }, true);
    var timer = setInterval(function () {
      var real = document.querySelector("#rendered_cells input[placeholder=" + %(placeholder)s + "]");
      if (!real || !real.offsetParent) { return; }
      if (state.liveAt === undefined) { state.liveAt = performance.now(); }  // the app's own box is live
      if (finishWanted && !state.wanted) { return; }  // the shell's form stays in use until the name is given
      clearInterval(timer);
      state.done = true;
      if (state.value) { real.value = state.value; real.dispatchEvent(new Event("input", {bubbles: true})); }
      if (state.wanted) {
        var start = real.closest(".widget-hbox").querySelector("button");
        if (start) { start.click(); }
        if (finishWanted) { setTimeout(release, 15000); }  // the live app did not come: show whatever it shows
      } else if (state.focused) {
        real.focus();
        real.setSelectionRange(real.value.length, real.value.length);
      }
    }, 20);
  })();
</script>
{%%- endblock body_header -%%}
"""


def _js(text: str) -> str:
    return json.dumps(text).replace("<", "\\u003c")


def shell_html(*, lang: str, title: str, asks_name: bool) -> str:
    """What the page shows while Voilà's scripts load (~1.3 s): the round's title and, on a file
    round, the name form itself, live at once (what is typed goes on to the app's own box); a
    place for a refusal and one for the first view (:mod:`~spbe_toolkit.render.app_first_view`)."""
    e = html.escape
    parts = [f"<div id='loading' class='spbe-shell'><h2>{e(title)}</h2>"]
    if asks_name:
        parts.append(f"<div id='spbe-shell-ask'><p>{e(tr('app.intro', lang))}</p><div>"
                     f"<input id='spbe-shell-name' autocomplete='name' "
                     f"placeholder='{e(tr('app.name_placeholder', lang))}' "
                     f"aria-label='{e(tr('widget.evaluator', lang))}' autofocus "
                     "onkeydown=\"if (event.key === 'Enter') { window.spbeShellEnter = true; }\"> "
                     f"<button id='spbe-shell-go' type='button' onclick='window.spbeShellEnter = true'>{e(tr('app.start', lang))}</button></div></div>")  # fmt: skip
    parts.append(
        "<p id='spbe-shell-msg' role='alert'></p><div id='spbe-shell-first' class='jp-RenderedHTMLCommon'></div>"
    )
    parts.append(f"<div class='spbe-wait'><span class='spbe-spin'></span><span id='loading_text'>"
                 f"{e(tr('app.loading', lang))}</span></div></div>")  # fmt: skip
    return "".join(parts)


def write_template(root: Path, *, lang: str, title: str, asks_name: bool = True) -> Path:
    """The app's Voilà template under ``root`` (a ``share/jupyter`` folder): Voilà's lab page
    with the title and loading text in ``lang``, the first view painted before the scripts
    load (:func:`shell_html`), the round's overview asked of the server from the page's head
    (and again with the name), and no font fetched from a CDN."""
    folder = root / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True)
    (folder / "conf.json").write_text(json.dumps({"base_template": "lab"}))
    shell = shell_html(lang=lang, title=title, asks_name=asks_name)
    (folder / "spinner.macro.html.j2").write_text(_SPINNER % {"shell": shell}, encoding="utf-8")
    route = "({{ resources.base_url | tojson }} + " + _js(FIRST_VIEW_ROUTE.lstrip("/")) + ")"
    (folder / "index.html.j2").write_text(_INDEX % {
        "lang": lang, "title": _js(title), "placeholder": _js(json.dumps(tr("app.name_placeholder", lang))),
        "wait": _js(tr("app.first_view_wait", lang)), "name_first": _js(tr("widget.evaluator_first", lang)),
        "route": route}, encoding="utf-8")  # fmt: skip
    return folder


def _host(ip: str) -> str:
    """An address as a URL's host: IPv6 in brackets."""
    return f"[{ip}]" if ":" in ip else ip


def _local_address(ip: str) -> str:
    """Where a kernel on this machine reaches the app (Voilà's preheat hand-over builds
    ``ws://{address}:{port}``): loopback for a wildcard address."""
    return _host({"0.0.0.0": "127.0.0.1", "::": "::1"}.get(ip, ip))


def app_notebook(notebook: Path, folder: Path, title: str) -> Path:
    """A copy of the app's notebook in ``folder`` whose metadata carries the page's title."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {})["title"] = title
    target = folder / notebook.name
    target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return target


def serve(notebook: Path, env: dict[str, str], *, port: int, ip: str, max_kernels: int = MAX_KERNELS,
          cull_idle: int = CULL_IDLE, preheat: int = PREHEAT, title: str = "", asks_name: bool = True,
          announce=print) -> int:  # fmt: skip
    """Run Voilà on ``notebook`` until it ends or a stop signal comes; returns its exit code.

    ``preheat`` kernels (at most ``max_kernels``) are kept with the app built; ``title`` is
    the page's title and heading (the round's human name); ``asks_name`` says the app will ask
    the evaluator's name (:func:`~spbe_toolkit.render.app.asks_name`), so the first view has the form."""
    check_port_free(ip, port)
    if preheat > max_kernels:
        raise ValidationError(Msg("error.app_preheat_ceiling", preheat=preheat, n=max_kernels))
    lang = env.get("SPBE_LANG") or "id"
    title = title or notebook.stem
    private = Path(tempfile.mkdtemp(prefix="spbe-app-"))
    os.chmod(private, 0o700)
    share = private / "share"
    write_template(share / "jupyter", lang=lang, title=title, asks_name=asks_name)
    page = private / "page"
    page.mkdir()
    notebook = app_notebook(notebook, page, title)
    token = secrets.token_urlsafe(24)
    config = private / "config"
    config.mkdir()
    (config / "voila.json").write_text(json.dumps({"Voila": {"token": token}}))
    os.chmod(config / "voila.json", 0o600)
    kernels = private / "kernels"
    kernels.mkdir()
    config_path = os.pathsep.join([str(config), env.get("JUPYTER_CONFIG_PATH", "")]).rstrip(os.pathsep)
    jupyter_path = os.pathsep.join([str(share / "jupyter"), env.get("JUPYTER_PATH", "")]).rstrip(os.pathsep)
    child_env = {**env, "JUPYTER_CONFIG_PATH": config_path, "JUPYTER_PATH": jupyter_path,
                 "VOILA_APP_IP": _local_address(ip)}  # fmt: skip
    host = _host(ip)
    announce(f"http://{host}:{port}/?token={token}")
    command = [
        sys.executable, "-m", VOILA_MODULE, str(notebook), f"--port={port}", "--no-browser", f"--Voila.ip={ip}",
        "--Voila.port_retries=0", "--strip_sources=True", "--show_tracebacks=False", f"--template={TEMPLATE}",
        f"--Voila.connection_dir_root={kernels}",
        "--VoilaConfiguration.multi_kernel_manager_class=spbe_toolkit.render.app_server.BoundedKernelManager",
        f"--BoundedKernelManager.max_kernels={max_kernels}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 2))}",
    ]  # fmt: skip
    if preheat:
        command += ["--preheat_kernel=True", f"--pool_size={preheat}"]
    proc = subprocess.Popen(command, env=child_env, preexec_fn=_die_with_parent)
    received: list[int] = []

    def forward(signum, _frame):
        received.append(signum)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # Voilà shuts its kernels down on SIGTERM

    previous = {s: signal.signal(s, forward) for s in STOP_SIGNALS}
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - SIGINT is forwarded above
                continue
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        deadline = time.monotonic() + 10  # Voilà's own shutdown first; then what is left is killed
        while _leftover_kernels(kernels) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in _leftover_kernels(kernels):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(private, ignore_errors=True)
    return 0 if received else code
