"""The package's map holds: modules import downwards only, every fact has one home, and
user-facing text lives in the catalogue."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from spbe_toolkit import vocab

PACKAGE = Path(__file__).resolve().parents[1] / "spbe_toolkit"

# lower layers never import higher ones; modules of one layer import each other only inside
# the same sub-package (or among the base modules of layer 0)
LAYERS = {
    "version": 0, "paths": 0, "i18n": 0, "vocab": 0, "errors": 0,
    "frameworks": 1,
    "scoring": 2,
    "io": 3,
    "workspace": 4,
    "coaching": 5,
    "stats": 6,
    "render": 7,
    "demo": 8,
    "cli": 9,
}  # fmt: skip


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def _top(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported spbe_toolkit module) for every import statement, including those inside functions."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("spbe_toolkit"):
            if node.module == "spbe_toolkit":
                out.extend((node.lineno, f"spbe_toolkit.{a.name}") for a in node.names)
            else:
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names if a.name.startswith("spbe_toolkit"))
    return out


def test_every_module_has_a_layer():
    assert {_top(p) for p in _modules()} <= set(LAYERS)


def test_imports_go_downwards_only():
    wrong = []
    for path in _modules():
        own = _top(path)
        for line, module in _imports(path):
            parts = module.split(".")
            if len(parts) == 1:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports the package root")
                continue
            target = parts[1]
            if target not in LAYERS:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports unknown {module}")
            elif LAYERS[target] > LAYERS[own]:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({own}) imports {module} from a higher layer")
            elif LAYERS[target] == LAYERS[own] and target != own and LAYERS[own] != 0:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({own}) imports its sibling {module}")
    assert not wrong, "\n".join(wrong)


def _module_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports (at the top or inside functions). ``from a.b
    import c`` is an import of the module ``a.b.c`` when there is one, else of ``a.b``."""
    mods = {}
    for p in package.rglob("*.py"):
        parts = p.relative_to(package.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("spbe_toolkit"):
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    target = sub if sub in mods else node.module
                    if target in mods and target != m:
                        graph[m].add(target)
            elif isinstance(node, ast.Import):
                graph[m].update(a.name for a in node.names if a.name in mods and a.name != m)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles (strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_there_is_no_import_circle():
    assert _cycles(_module_graph()) == []


def test_an_unknown_language_is_still_a_validation_error():
    import spbe_toolkit as spbe

    with pytest.raises(spbe.ValidationError, match="fr"):
        spbe.set_language("fr")


def test_the_circle_check_finds_a_circle(tmp_path):
    pkg = tmp_path / "spbe_toolkit"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("")
    (pkg / "a" / "x.py").write_text("def f():\n    from spbe_toolkit.a.y import g\n")
    (pkg / "a" / "y.py").write_text("from spbe_toolkit.a import x\n")
    assert _cycles(_module_graph(pkg)) == [["spbe_toolkit.a.x", "spbe_toolkit.a.y"]]


def test_the_check_catches_an_upward_import(tmp_path):
    """The scan itself works: a scoring module importing the workspace is reported."""
    fake = tmp_path / "spbe_toolkit"
    fake.mkdir()
    (fake / "scoring.py").write_text("from spbe_toolkit.workspace import Workspace\n", encoding="utf-8")
    globals()["PACKAGE"] = fake
    try:
        with pytest.raises(AssertionError, match="imports spbe_toolkit.workspace from a higher layer"):
            test_imports_go_downwards_only()
    finally:
        globals()["PACKAGE"] = Path(__file__).resolve().parents[1] / "spbe_toolkit"


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


# vocabulary that has one home: (literal, where it may stand)
ONE_HOME = {
    **dict.fromkeys([*vocab.STAGES[:-1], *vocab.PUBLISHED_TYPES, *vocab.GROUPS], {"vocab.py"}),  # fmt: skip
    **dict.fromkeys(["Kurang", "Cukup", "Baik", "Sangat Baik", "Memuaskan"], set()),  # framework data only
    **dict.fromkeys(["kekuatan", "kelemahan", "Tingkat masalah", "(tanpa jenis)"], set()),
}


def test_vocabulary_literals_have_one_home():
    found = []
    for path in _modules() + [PACKAGE / "__init__.py"]:
        rel = str(path.relative_to(PACKAGE))
        for line, value in _string_constants(path):
            if value in ONE_HOME and rel not in ONE_HOME[value]:
                found.append(f"{rel}:{line}: {value!r}")
    assert not found, "\n".join(found)


# Indonesian words that only user-facing text uses: such text belongs in the catalogue
_INDONESIAN_TEXT = re.compile(
    r"\b(tidak|dengan|sudah|belum|berkas|galat|peringatan|ditulis|dimuat|simpan|tersimpan|wajib|silakan|"
    r"catatan|tahap|instansi|predikat|indikator)\b",
    re.IGNORECASE,
)
_TEXT_ALLOWED = {"vocab.py", "demo/samples.py", "demo/pemdi.py", "io/names.py"}  # vocabulary, synthetic data, name keys


def test_user_facing_text_lives_in_the_catalogue():
    found = []
    for path in _modules():
        rel = str(path.relative_to(PACKAGE))
        if rel in _TEXT_ALLOWED:
            continue
        for line, value in _string_constants(path):
            if _INDONESIAN_TEXT.search(value) and " " in value.strip():
                found.append(f"{rel}:{line}: {value[:80]!r}")
    assert not found, "\n".join(found)


def test_files_are_opened_with_a_context_manager():
    """No ``path.open(...).read()`` left dangling (the handle would wait for the garbage collector)."""
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("read", "write")
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, (ast.Attribute, ast.Name))
                and getattr(node.value.func, "attr", getattr(node.value.func, "id", "")) == "open"
            ):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, "\n".join(found)


def test_documentation_files_are_sane():
    """A botched scripted edit once repeated a section of docs/benchmarks.md 7,000 times: every
    Markdown file stays readable (under 200 KB, no heading repeated more than twice)."""
    for path in [PACKAGE.parent / "README.md", *sorted((PACKAGE.parent / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert len(text) < 200_000, f"{path.name}: {len(text)} characters"
        headings = [line for line in text.splitlines() if line.startswith("#")]
        repeated = {h for h in headings if headings.count(h) > 2}
        assert not repeated, f"{path.name}: repeated headings {sorted(repeated)[:3]}"
