"""The house's floors: every import runs down (CONTRIBUTING.md), and no module cycle exists.

Imports are read from the source (module level and inside functions alike), so a lazy import
that runs up a floor fails here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reviewgen

ROOT = Path(reviewgen.__file__).parent

# Floor of each top-level part; a module may import its own part or a lower floor.
FLOORS = {
    "core": 0,
    "text": 1,
    "models": 2,
    "vectorstore": 3,
    "chains": 3,
    "critic_rules": 4,
    "augment": 4,
    "evaluation": 4,
    "tune": 4,
    "agents": 5,
    "pipeline": 6,
    "study": 6,  # the rating app, served by its command
    "commands": 7,
    "cli": 7,
    "__init__": 0,
}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``reviewgen`` module that ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("reviewgen.")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reviewgen."):
            found.add(node.module)
    return found


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


GRAPH = {_module(p): _imports(p) for p in ROOT.rglob("*.py")}


def test_every_part_has_a_floor():
    assert {_part(m) for m in GRAPH} <= set(FLOORS), "add the new part to FLOORS"


def test_imports_run_down_the_floors():
    upward = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if _part(target) != _part(source) and FLOORS[_part(target)] >= FLOORS[_part(source)]
    ]
    assert upward == []


def test_no_module_imports_itself_back():
    """Tarjan's strongly connected components over the module graph: none larger than one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH.get(node, ()):
            if target not in GRAPH:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []
