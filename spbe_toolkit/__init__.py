"""spbe-toolkit: scoring, evaluation workspaces, coaching memos and national statistics
for Indonesia's SPBE / Pemerintah Digital maturity evaluation."""

from spbe_toolkit.coaching import path_to_target
from spbe_toolkit.errors import ConflictError, SpbeError, SubmissionError, ValidationError
from spbe_toolkit.frameworks import Framework, list_frameworks, load_framework
from spbe_toolkit.published import load_published
from spbe_toolkit.scoring import level_matrix, predicate, round_half_up, score, score_from_domains
from spbe_toolkit.sensitivity import weight_sensitivity
from spbe_toolkit.stats import national_summary, reconcile
from spbe_toolkit.submissions import Submissions, read_submissions
from spbe_toolkit.templates import write_template
from spbe_toolkit.workspace import Workspace

__version__ = "0.1.0"

# Memo rendering pulls in matplotlib and Jinja2; load it on first use so that
# `import spbe_toolkit` and the `spbe` command start quickly.
_LAZY = {"render_memo": "spbe_toolkit.memo", "render_memos": "spbe_toolkit.memo"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spbe_toolkit' has no attribute {name!r}")


__all__ = [
    "ConflictError",
    "Framework",
    "SpbeError",
    "SubmissionError",
    "ValidationError",
    "__version__",
    "level_matrix",
    "list_frameworks",
    "load_framework",
    "predicate",
    "round_half_up",
    "score",
    "score_from_domains",
    "Submissions",
    "read_submissions",
    "write_template",
    "Workspace",
    "load_published",
    "national_summary",
    "reconcile",
    "weight_sensitivity",
    "path_to_target",
    "render_memo",
    "render_memos",
]
