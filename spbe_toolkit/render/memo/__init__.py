"""Coaching memos: the context of one memo section by section (``context``), and rendering
one memo, a round of memos in parallel, or a memo inside a notebook (``render``)."""

from spbe_toolkit.render.memo.context import RoundData, memo_context
from spbe_toolkit.render.memo.render import MemoView, render_memo, render_memos, safe_filename, show_memo

__all__ = ["MemoView", "RoundData", "memo_context", "render_memo", "render_memos", "safe_filename", "show_memo"]
