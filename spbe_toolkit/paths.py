"""Where bundled data lives: inside the installed wheel, or in the source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO_DATA = _PACKAGE.parent / "data"


def data_dir(name: str) -> Path:
    """Folder of bundled data ``name`` (``"published"`` or ``"samples"``).

    A wheel carries them as ``spbe_toolkit/_data/<name>``; an editable install or a
    checkout reads ``data/<name>`` at the top of the repository.
    """
    for base in (_PACKAGE / "_data", _REPO_DATA):
        path = base / name
        if path.is_dir():
            return path
    raise FileNotFoundError(f"bundled data folder {name!r} not found (looked in {_PACKAGE / '_data'} and {_REPO_DATA})")


MAX_TEXT_BYTES = 20 * 2**20
"""The largest framework, criteria or units file read (a device such as /dev/zero never ends)."""


class TextTooLarge(ValueError):
    """A text file larger than its limit."""


def read_text_bounded(path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of ``path`` (a path or an importlib resource), refused past ``max_bytes``
    without reading further (:class:`TextTooLarge`); ``UnicodeDecodeError`` / ``OSError`` as usual."""
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TextTooLarge(max_bytes)
    return data.decode("utf-8")
