"""The layer rule of docs/architecture.md, checked on the import graph of the package.

The graph is read from the source (every ``import``, also inside functions, under
``TYPE_CHECKING`` and relative ones), so an import that only runs on some code path
counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "clusteratlas"

# Layers from the bottom up; a module may import its own layer and any layer below.
LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"errors", "_config", "_optional", "_files", "_arrays", "i18n"}),
    ("core", {"core"}),
    ("model", {"model", "reference", ""}),  # "" is clusteratlas/__init__ (re-exports model)
    ("data", {"store", "registry", "demo", "sources", "engines"}),
    ("service", {"service"}),
    ("presentation", {"presentation", "reports"}),
    ("http", {"http"}),
    ("fronts", {"api", "web"}),
    ("server", {"server"}),
    ("cli", {"cli"}),
    ("main", {"__main__"}),
]
# Modules that live in one package but belong to another layer (none at present).
MODULE_LAYER: dict[str, str] = {}
# Packages of one layer that must not import each other (independent parts).
SIBLINGS = {"data", "fronts"}
# Lower packages a package may not import although they are below it: the HTML pages
# and the JSON API reach the data through the service layer only; the command line
# starts the server through the app factory and calls no route.
NOT_DIRECTLY = {"api": {"core", "engines", "store", "sources", "demo"},
                "web": {"core", "engines", "store", "sources", "demo"},
                "cli": {"api", "web", "http"}}
# Edges against the rule that are allowed, each with its reason.
ALLOWED = {
    # Settings name the data directory; the value object describing it is the
    # store's, built lazily on request (Settings.directory()).
    ("clusteratlas._config", "clusteratlas.store.datadir"),
}


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name: str) -> set[tuple[str, int]]:
    """``(imported module, line)`` for every import of a ``clusteratlas`` module."""
    path, is_package = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if is_package else name.rpartition(".")[0]
    out: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                out.add((full if full in MODULES else module, node.lineno))
        elif isinstance(node, ast.Call) and node.args \
                and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) \
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            out.add((node.args[0].value, node.lineno))
    return {(target, line) for target, line in out if target.split(".")[0] == "clusteratlas"}


def _edges() -> list[tuple[str, str, int]]:
    edges = []
    for name in sorted(MODULES):
        for target, line in sorted(_imports(name)):
            while target not in MODULES and "." in target:  # `import a.b.c` of a name
                target = target.rpartition(".")[0]
            if target != name:
                edges.append((name, target, line))
    return edges


EDGES = _edges()


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(module: str) -> str:
    if module in MODULE_LAYER:
        return MODULE_LAYER[module]
    package = _package(module)
    for layer, packages in LAYERS:
        if package in packages:
            return layer
    raise AssertionError(f"{module}: package {package!r} is in no layer; add it to "
                         "LAYERS here and to docs/architecture.md")


RANK = {layer: i for i, (layer, _) in enumerate(LAYERS)}


def _violations() -> list[str]:
    found = []
    for source, target, line in EDGES:
        if (source, target) in ALLOWED:
            continue
        a, b = _layer(source), _layer(target)
        where = f"{source}:{line} imports {target}"
        if RANK[a] < RANK[b]:
            found.append(f"{where}: {a} may not import {b} (a higher layer)")
        elif a == b and a in SIBLINGS and _package(source) != _package(target):
            found.append(f"{where}: {_package(source)} and {_package(target)} are "
                         f"independent parts of the {a} layer")
        elif _package(target) in NOT_DIRECTLY.get(_package(source), set()):
            found.append(f"{where}: {_package(source)} may not import {_package(target)} "
                         "directly")
    return found


def test_every_module_has_a_layer():
    for name in MODULES:
        assert _layer(name) in RANK


def test_graph_sees_function_local_and_relative_imports():
    # the reader must see what the rule is about, or the rule checks nothing
    by_source = defaultdict(set)
    for source, target, _ in EDGES:
        by_source[source].add(target)
    assert "clusteratlas.service.setup" in by_source["clusteratlas.cli.data"]  # in a function
    assert "clusteratlas.web.views" in by_source["clusteratlas.server"]
    assert len(EDGES) > 200


def test_reader_resolves_relative_and_dotted_imports(tmp_path, monkeypatch):
    fake = {"clusteratlas.web.views": (tmp_path / "views.py", False),
            "clusteratlas.web": (tmp_path / "__init__.py", True),
            "clusteratlas.api.routes": (tmp_path / "routes.py", False)}
    (tmp_path / "views.py").write_text(
        "def f():\n    from ..api import routes\n    from . import x\n"
        "    import clusteratlas.api.routes\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "MODULES", fake)
    found = {t for t, _ in _imports("clusteratlas.web.views")}
    assert found == {"clusteratlas.api.routes", "clusteratlas.web"}


def test_imports_follow_the_layer_rule():
    problems = _violations()
    assert not problems, "\n".join(problems)


def test_rule_catches_each_kind_of_wrong_edge(monkeypatch):
    real = list(EDGES)
    for extra in [("clusteratlas.sources.cbp", "clusteratlas.service.imports", 1),
                  ("clusteratlas.web.views", "clusteratlas.api.routes", 1),
                  ("clusteratlas.demo.content", "clusteratlas.store.stats", 1),
                  ("clusteratlas.web.views", "clusteratlas.core.mapping", 1),
                  ("clusteratlas.cli.main", "clusteratlas.api.alignment_routes", 1)]:
        monkeypatch.setitem(globals(), "EDGES", [*real, extra])
        assert len(_violations()) == 1, extra


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("level", ["layer", "package", "module"])
def test_no_import_cycles(level):
    key = {"layer": _layer, "package": _package, "module": lambda m: m}[level]
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target, _ in EDGES:
        # an allowed exception may cross layers downwards-up, never packages or modules
        if key(source) != key(target) and not (level == "layer" and (source, target) in ALLOWED):
            graph[key(source)].add(key(target))
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
