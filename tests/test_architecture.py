"""The package's import graph follows the layers drawn in the README, and its code
keeps a few shapes the README's Architecture section promises.

The README's Architecture section lists the sub-packages from the top floor down, one
floor a line, between ``<!-- layers -->`` markers. A module may import from its own
sub-package or from a lower floor, never from its floor's peers or from above, and no
import loop may exist between modules (imports inside functions included; imports under
``if TYPE_CHECKING:`` only name types and are left out).

Besides: no function is longer than :data:`MAX_FUNCTION_LINES`; an import inside a
function outside ``cli/`` says why it is deferred (``# lazy: torch``); every key of a
default configuration has a comment.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
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


# ------------------------------------------------------------------ code shapes

#: Longest function, in lines of code (its docstring not counted: the project's
#: numpydoc docstrings document, they do not make a function harder to follow).
MAX_FUNCTION_LINES = 120
#: The comment a deferred import carries: ``# lazy: <why>``.
LAZY_COMMENT = re.compile(r"#\s*lazy:\s*\S")


def _sources() -> Iterator[tuple[str, list[str], ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        yield str(path.relative_to(ROOT)), text.splitlines(), ast.parse(text)


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from ``def`` (decorators excluded) to the end, less the docstring's."""
    lines = function.end_lineno - function.lineno + 1
    if ast.get_docstring(function, clean=False) is not None:
        docstring = function.body[0]
        lines -= docstring.end_lineno - docstring.lineno + 1
    return lines


def test_no_function_is_too_long():
    offenders = [
        f"{name}:{function.lineno} {function.name}: {_code_lines(function)} lines"
        for name, _, tree in _sources()
        for function in _functions(tree)
        if _code_lines(function) > MAX_FUNCTION_LINES
    ]
    assert not offenders, (
        f"functions over {MAX_FUNCTION_LINES} lines of code (split them):\n" + "\n".join(offenders)
    )


def test_imports_inside_functions_say_why_they_are_deferred():
    """Outside ``cli/`` (whose ``run`` functions import late so ``pbc --help`` stays
    fast), an import inside a function carries ``# lazy: <why>`` on its line or the
    line before; imports that need no deferring belong at the top of the module."""
    unexplained = set()
    for name, lines, tree in _sources():
        if Path(name).parts[1] == "cli":
            continue
        for function in _functions(tree):
            for node in ast.walk(function):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                nearby = lines[max(node.lineno - 2, 0) : node.lineno]
                if not any(LAZY_COMMENT.search(line) for line in nearby):
                    unexplained.add(f"{name}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not unexplained, (
        "imports inside functions without a '# lazy: <why>' comment (hoist them or say "
        "why they wait):\n" + "\n".join(sorted(unexplained))
    )


def _comment_lines(source: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.start[0] for token in tokens if token.type == tokenize.COMMENT}


def test_every_default_configuration_key_has_a_comment():
    """Configurations are plain dicts of defaults, one comment per key (README,
    Architecture): ``default_conf`` of a model and every ``*_CONF`` of the package."""
    checked, silent = 0, []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        comments = _comment_lines(source)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Dict):
                continue
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if not any(n == "default_conf" or n.endswith("_CONF") for n in names):
                continue
            checked += 1
            for key, value in zip(node.value.keys, node.value.values):
                lines = range(key.lineno if key else value.lineno, value.end_lineno + 1)
                if key is not None and not comments.intersection(lines):
                    silent.append(f"{path.relative_to(ROOT)}:{key.lineno} {names[0]}")
    assert checked >= 9, "the configuration dicts were not found"
    assert not silent, "configuration keys without a comment:\n" + "\n".join(silent)
