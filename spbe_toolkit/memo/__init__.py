"""Coaching memo rendering (Jinja2 templates in ``templates/``)."""

from spbe_toolkit.memo.render import (
    MemoView,
    RoundData,
    memo_context,
    render_memo,
    render_memos,
    safe_filename,
    show_memo,
)

__all__ = ["MemoView", "RoundData", "memo_context", "render_memo", "render_memos", "safe_filename", "show_memo"]
