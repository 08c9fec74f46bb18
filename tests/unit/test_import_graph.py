"""No import cycle anywhere in `components/`: every module's imports, read with `ast` (imports under
`if TYPE_CHECKING:` and inside functions count: they are dependencies all the same), form a graph without a loop.

`from pkg import name` is an arrow to the submodule `pkg.name` when there is one, else to the package (its
`__init__.py`); `import a.b` is an arrow to `a.b`. Importing a submodule runs its parent packages first, but that
is Python's loading order, not a dependency the module chose, so it is not an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

from components.settings import ROOT


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Each module of `package` (a directory under `root`) → the modules of `package` it imports."""
    files = {module_name(root, p): p for p in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        arrows: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                arrows |= {alias.name for alias in node.names if alias.name in files}
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(name, is_package, node.module, node.level)
                for alias in node.names:
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    if target in files:
                        arrows.add(target)
        graph[name] = arrows
    return graph


def _absolute(module: str, is_package: bool, imported: str | None, level: int) -> str:
    """The absolute name of `from <level dots><imported> import ...` written in `module`."""
    if level == 0:
        return imported or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    base = parts[:len(parts) - (level - 1)]
    return ".".join([*base, *([imported] if imported else [])])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as its modules in order, the first repeated at the end, or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once every arrow out is explored
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return [*path[path.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_components_has_no_import_cycle():
    graph = import_graph(ROOT, "components")
    assert len(graph) > 50 and graph["components.settings.validate"]  # the walk read the modules and their imports
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_walker_reports_a_cycle_through_a_type_checking_import(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "",
                      "pkg/types.py": "from typing import TYPE_CHECKING\n"
                                      "if TYPE_CHECKING:\n    from pkg.area import Area\n",
                      "pkg/area.py": "from pkg import reader\n",
                      "pkg/reader.py": "from pkg.types import Secret\n"})
    assert find_cycle(import_graph(tmp_path, "pkg")) == ["pkg.area", "pkg.reader", "pkg.types", "pkg.area"]


def test_the_walker_resolves_a_name_that_is_no_submodule_to_the_package(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "from pkg.sources import load\n",
                      "pkg/sources.py": "from . import parse\n",  # not a submodule: the package's __init__.py
                      "pkg/unrelated.py": "import pkg.sources\nfrom os import path\n"})
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg": {"pkg.sources"}, "pkg.sources": {"pkg"}, "pkg.unrelated": {"pkg.sources"}}
    assert find_cycle(graph) == ["pkg", "pkg.sources", "pkg"]


def test_the_walker_counts_an_import_inside_a_function_and_a_parent_relative_import(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/low.py": "def f():\n    from pkg.sub import leaf\n",
                      "pkg/sub/__init__.py": "", "pkg/sub/leaf.py": "from ..low import f\n"})
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.sub.leaf"] == {"pkg.low"} and graph["pkg.low"] == {"pkg.sub.leaf"}
    assert find_cycle(graph) == ["pkg.low", "pkg.sub.leaf", "pkg.low"]


def test_the_walker_finds_no_cycle_where_the_arrows_all_point_down(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "from pkg.top import run\n", "pkg/top.py": "from pkg import low, sub\n",
                      "pkg/low.py": "", "pkg/sub/__init__.py": "from .leaf import x\n",
                      "pkg/sub/leaf.py": "from pkg.low import f\n"})
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.top"] == {"pkg.low", "pkg.sub"} and graph["pkg.sub"] == {"pkg.sub.leaf"}
    assert find_cycle(graph) is None
