"""Imports run one way: the grid and organisation at the bottom, the dashboard on top.

A module may import its own domain and domains on lower layers. A domain's ``views`` (its
HTTP router) may also import ``auth`` for the route guards. New domains must be placed here.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "yingji"

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
    "grid": 4,
    "bus": 5,
    "intake": 6,
    "incident": 6,
    "resources": 7,
    "risk": 7,
    "command": 8,
    "plans": 8,
    "dashboard": 9,
    # Composition roots: they wire every domain together.
    "models": 10,
    "app": 10,
    "asgi": 10,
    "cli": 10,
    "demo": 10,
    "bench": 10,
    "simulator": 10,
    "migrations": 10,
    "__main__": 10,
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
