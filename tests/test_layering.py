"""Imports run one way: the grid and organisation at the bottom, the dashboard on top.

A module may import its own domain and domains on lower layers. A domain's ``views`` (its
HTTP router) may also import ``auth`` for the route guards. New domains must be placed here,
and only domains that exist are listed (a name here with no package fails the test). No two
modules import each other, directly or round a longer circle, counting imports inside
functions too: a circle that works only because one side imports late is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "yingji"

ROOTS = 11  # the layer of the composition roots

LAYERS: dict[str, int] = {
    "core": 0,
    "config": 0,
    "geo": 1,
    "audit": 1,
    "scheduling": 1,
    "org": 2,
    "media": 2,
    "notify": 2,
    "auth": 3,
    # The routers of org and audit: they need auth's guards, and auth imports both.
    "views": 4,
    "grid": 4,
    "bus": 5,
    "enterprise": 5,
    "intake": 6,
    "prevention": 6,
    "resources": 7,
    # grid patrols: hazards through prevention's register_finding, urgent findings to intake
    "patrol": 7,
    # the one-key alarm: a report on intake's channel, the nearest station from resources
    "alarm": 8,
    "command": 9,
    "dashboard": 10,
    # Composition roots: they wire every domain together.
    "models": ROOTS,
    "app": ROOTS,
    "asgi": ROOTS,
    "cli": ROOTS,
    "demo": ROOTS,
    "bench": ROOTS,
    "simulator": ROOTS,
    "migrations": ROOTS,
    "__main__": ROOTS,
    "__init__": 0,
}


def _domain(module_path: Path) -> str:
    rel = module_path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imported_domains(module_path: Path) -> set[str]:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "yingji" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_domain_has_a_layer():
    domains = {_domain(p) for p in PACKAGE.rglob("*.py")}
    assert domains <= set(LAYERS), f"place these domains in LAYERS: {domains - set(LAYERS)}"


def test_every_layer_is_a_domain():
    domains = {_domain(p) for p in PACKAGE.rglob("*.py")}
    assert set(LAYERS) <= domains, f"no such domains, drop them: {set(LAYERS) - domains}"


def test_imports_run_one_way():
    violations = []
    for path in PACKAGE.rglob("*.py"):
        domain = _domain(path)
        is_view = path.name == "views.py" or path.parent.name == "views"
        for imported in _imported_domains(path):
            if imported == domain or imported not in LAYERS:
                continue
            if is_view and imported == "auth":
                continue
            if LAYERS[imported] > LAYERS[domain]:
                violations.append(f"{path.relative_to(PACKAGE)} imports yingji.{imported}")
    assert not violations, "\n".join(violations)


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph() -> dict[str, set[str]]:
    """Module → the yingji modules it imports by name (a ``from package import name`` counts as
    the submodule when ``name`` is one). A submodule's implicit import of its package's
    ``__init__`` is not an edge: an ``__init__`` that exports its submodules is no circle."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name.split(".")[0] == "yingji"}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")
                    if not is_package:
                        base = base[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                if module.split(".")[0] != "yingji":
                    continue
                for alias in node.names:
                    sub = f"{module}.{alias.name}"
                    edges.add(sub if sub in paths else module)
        graph[name] = {e for e in edges if e in paths and e != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_modules():
    cycles = _cycles(_import_graph())
    assert not cycles, "modules that import each other:\n" + "\n".join(
        " ⇄ ".join(c) for c in cycles
    )


def test_no_folder_loops_between_domains():
    """Nor two domains (top-level folders) each importing the other, whatever the modules:
    a router of a lower domain importing auth's guards, while auth imports that domain, is
    such a loop (hence ``views/``)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        domain = _domain(path)
        if LAYERS.get(domain) == ROOTS or domain == "__init__":
            continue  # the composition roots import everything and nothing imports them
        graph.setdefault(domain, set()).update(
            d for d in _imported_domains(path) if d != domain and d in LAYERS
        )
    for d in list(graph):
        graph[d] &= set(graph)
    loops = _cycles(graph)
    assert not loops, "domains that import each other:\n" + "\n".join(" ⇄ ".join(c) for c in loops)


def test_the_cycle_check_finds_a_cycle():
    """The check itself: a circle of three and a pair are found, a chain is not."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert sorted(_cycles(graph)) == [["a", "b", "c"], ["d", "e"]]
