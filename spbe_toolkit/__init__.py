"""spbe-toolkit: scoring, evaluation workspaces, coaching memos and national statistics
for Indonesia's SPBE / Pemerintah Digital maturity evaluation.

The public names (README "Python"; the contract kept stable for programs outside the repo) are
importable from here; the package is layered, each module importing only from those below it
(``docs/architecture.md``):

    vocab, i18n, errors, paths, version  →  frameworks  →  scoring  →  io  →  workspace
    →  coaching  →  stats  →  render  →  cli, demo
"""

from spbe_toolkit.coaching import path_to_target
from spbe_toolkit.errors import ConflictError, SpbeError, SubmissionError, ValidationError
from spbe_toolkit.frameworks import (
    Framework,
    carry_levels,
    crosswalk,
    crosswalk_sources,
    list_frameworks,
    load_framework,
)
from spbe_toolkit.i18n import get_language, set_language, use_language
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.limits import ReadLimits
from spbe_toolkit.io.published import load_published
from spbe_toolkit.io.submissions import Submissions, read_submissions
from spbe_toolkit.io.templates import write_template
from spbe_toolkit.scoring import level_matrix, predicate, round_half_up, score, score_from_domains
from spbe_toolkit.stats import national_summary, reconcile, weight_sensitivity
from spbe_toolkit.version import __version__
from spbe_toolkit.workspace import Workspace

# Memo rendering and widgets pull in matplotlib, Jinja2 and ipywidgets; load them on first
# use so that `import spbe_toolkit` and the `spbe` command start quickly.
_LAZY = {
    "render_memo": "spbe_toolkit.render.memo",
    "render_memos": "spbe_toolkit.render.memo",
    "show_memo": "spbe_toolkit.render.memo",
    "AdjustmentPanel": "spbe_toolkit.render.widgets",
    "RoundOverview": "spbe_toolkit.render.widgets",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spbe_toolkit' has no attribute {name!r}")


__all__ = [
    "carry_levels",
    "crosswalk",
    "crosswalk_sources",
    "AdjustmentPanel",
    "ConflictError",
    "Framework",
    "ReadLimits",
    "RoundOverview",
    "SpbeError",
    "SubmissionError",
    "Submissions",
    "ValidationError",
    "Workspace",
    "__version__",
    "get_language",
    "level_matrix",
    "list_frameworks",
    "load_framework",
    "load_published",
    "national_summary",
    "path_to_target",
    "people_table",
    "predicate",
    "read_submissions",
    "reconcile",
    "render_memo",
    "render_memos",
    "round_half_up",
    "score",
    "score_from_domains",
    "set_language",
    "show_memo",
    "use_language",
    "weight_sensitivity",
    "write_template",
]
