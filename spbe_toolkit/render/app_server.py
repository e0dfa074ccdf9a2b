"""Serving the evaluator app as a guarded door: ``spbe app``.

* **A token on every request.** A new random token per start, given to Voilà through a
  private config file (mode 600, never on a command line other users can read with ``ps``),
  printed once in the tokened URL. A request without it is refused and starts no kernel.
* **A ceiling on kernels** (:class:`BoundedKernelManager`): each page costs a kernel (~120 MB);
  past ``max_kernels`` a page says the app is full instead of starting one, and kernels idle
  longer than ``cull_idle`` seconds are shut down.
* **The port and address checked** before anything starts: 1–65535, a real IP address, and
  a port in use is an error naming it (Voilà is told never to try another port).
* **Stopping by any signal stops everything.** SIGTERM, SIGINT, SIGHUP or SIGQUIT to
  ``spbe app`` is passed to Voilà as SIGTERM (which shuts its kernels down); when Voilà has
  ended, any kernel still running from this app's private connection folder is killed. If
  ``spbe app`` itself is killed outright, Linux sends Voilà SIGTERM (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

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


class BoundedKernelManager(AsyncMappingKernelManager):
    """Voilà's kernel manager with a ceiling: no kernel beyond ``max_kernels``."""

    max_kernels = Integer(MAX_KERNELS, config=True, help="The most kernels (open pages) at once.")

    async def start_kernel(self, *args, **kwargs):
        if len(self.list_kernel_ids()) >= self.max_kernels:
            text = tr("app.full", os.environ.get("SPBE_LANG") or None, n=self.max_kernels)
            raise web.HTTPError(503, text, reason=text)
        return await super().start_kernel(*args, **kwargs)


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


def serve(notebook: Path, env: dict[str, str], *, port: int, ip: str, max_kernels: int = MAX_KERNELS,
          cull_idle: int = CULL_IDLE, announce=print) -> int:  # fmt: skip
    """Run Voilà on ``notebook`` until it ends or a stop signal comes; returns its exit code."""
    check_port_free(ip, port)
    private = Path(tempfile.mkdtemp(prefix="spbe-app-"))
    os.chmod(private, 0o700)
    token = secrets.token_urlsafe(24)
    config = private / "config"
    config.mkdir()
    (config / "voila.json").write_text(json.dumps({"Voila": {"token": token}}))
    os.chmod(config / "voila.json", 0o600)
    kernels = private / "kernels"
    kernels.mkdir()
    config_path = os.pathsep.join([str(config), env.get("JUPYTER_CONFIG_PATH", "")]).rstrip(os.pathsep)
    child_env = {**env, "JUPYTER_CONFIG_PATH": config_path}
    host = f"[{ip}]" if ":" in ip else ip
    announce(f"http://{host}:{port}/?token={token}")
    command = [
        sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser", f"--Voila.ip={ip}",
        "--Voila.port_retries=0", "--strip_sources=True", "--show_tracebacks=False",
        f"--Voila.connection_dir_root={kernels}",
        "--VoilaConfiguration.multi_kernel_manager_class=spbe_toolkit.render.app_server.BoundedKernelManager",
        f"--BoundedKernelManager.max_kernels={max_kernels}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 2))}",
    ]  # fmt: skip
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
