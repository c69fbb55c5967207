"""The package's import graph follows the layers drawn in the README.

The README's Architecture section lists the sub-packages from the top floor down, one
floor a line, between ``<!-- layers -->`` markers. A module may import from its own
sub-package or from a lower floor, never from its floor's peers or from above, and no
import loop may exist between modules (imports inside functions included; imports under
``if TYPE_CHECKING:`` only name types and are left out).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "paintbucket"


def _layers() -> dict[str, int]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers -->(.*?)<!-- /layers -->", readme, re.S)
    assert block, "README.md has no <!-- layers --> block"
    rows = [line.split("|") for line in block.group(1).splitlines()]
    floors = {
        int(row[1]): re.findall(r"`(\w+)`", row[2])
        for row in rows
        if len(row) > 2 and row[1].strip().isdigit()
    }
    # The root module holds only the version; every floor may read it.
    return {"paintbucket": -1} | {name: f for f, names in floors.items() for name in names}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (type-only imports
    never run, so they cannot form a loop)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            yield from (n for child in node.orelse for n in (child, *_runtime_nodes(child)))
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(path: Path) -> set[str]:
    """Modules of paintbucket that ``path`` imports when it runs, at any depth of its code."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "paintbucket":
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "paintbucket")
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _floor(module: str, layers: dict[str, int]) -> tuple[str, int]:
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 else "paintbucket"
    if name not in layers:
        pytest.fail(f"{module}: sub-package {name!r} is missing from the README's layers")
    return name, layers[name]


def test_every_subpackage_has_a_floor():
    layers = _layers()
    names = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    names |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert names <= set(layers), f"not in the README's layers: {sorted(names - set(layers))}"
    assert not _imports(PACKAGE / "__init__.py"), "the root module must import nothing"


def test_no_import_runs_up_or_sideways():
    layers = _layers()
    wrong = []
    for module, imported in _graph().items():
        name, floor = _floor(module, layers)
        for target in imported:
            target_name, target_floor = _floor(target, layers)
            if target_name != name and target_floor >= floor:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_no_import_loop():
    graph = _graph()
    modules = set(graph)
    # A package's __init__ re-exports its modules; an edge to a package counts as an
    # edge to its __init__ only.
    edges = {m: {t for t in targets if t in modules and t != m} for m, targets in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                loop = stack[stack.index(target) :] + [target]
                pytest.fail("import loop: " + " -> ".join(loop))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)


def test_layers_parse_from_the_readme():
    layers = _layers()
    assert layers["cli"] > layers["pipeline"] > layers["core"] > layers["segment"]
    assert layers["errors"] == 0 and layers["paintbucket"] == -1
