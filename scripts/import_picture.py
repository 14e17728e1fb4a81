"""Print the import picture of fairscreen: package cycles, mutual pairs, module sizes.

    .venv/bin/python scripts/import_picture.py

Counts imports between the top-level packages of `fairscreen` (type-checking imports
included, as import-linter counts them), the pairs of packages that import each other,
the strongly connected groups (an import cycle through several packages), and the
largest modules by lines.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import grimp


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def main() -> None:
    """Print the picture."""
    graph = grimp.build_graph("fairscreen")
    packages: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith("fairscreen."):
                continue
            a, b = _package(module), _package(imported)
            if a != b:
                packages[a].add(b)
    mutual = sorted(
        (a, b) for a in packages for b in packages[a] if a < b and a in packages.get(b, set())
    )
    print(f"packages: {len({_package(m) for m in graph.modules if m.startswith('fairscreen.')})}")
    print(f"mutually importing package pairs: {len(mutual)}")
    for a, b in mutual:
        print(f"  {a} <-> {b}")
    groups = _strongly_connected({k: set(v) for k, v in packages.items()})
    print(f"package cycles (strongly connected groups): {len(groups)}")
    for group in groups:
        print("  " + " -> ".join(group))
    modules: dict[str, set[str]] = {
        m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("fairscreen")}
        for m in graph.modules
        if m.startswith("fairscreen")
    }
    module_cycles = _strongly_connected(modules)
    print(f"module cycles: {len(module_cycles)}")
    for group in module_cycles:
        print("  " + ", ".join(group))
    root = Path(__file__).resolve().parents[1] / "src"
    sizes = sorted(
        ((len(p.read_text().splitlines()), str(p.relative_to(root))) for p in root.rglob("*.py")),
        reverse=True,
    )
    print("largest modules (lines):")
    for lines, path in sizes[:8]:
        print(f"  {lines:5d} {path}")
    print(f"modules over 400 lines: {sum(1 for lines, _ in sizes if lines > 400)}")


if __name__ == "__main__":
    main()
