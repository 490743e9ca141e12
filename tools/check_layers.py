"""Check that imports between sahel_sim's packages flow one way: from a higher layer to a lower one.

    python tools/check_layers.py              # the source tree's src/sahel_sim
    python tools/check_layers.py --root DIR   # another package folder (the tests use a fake tree)

Layers, lowest first (a package may import its own layer's package and any lower one):

    0 scenario   schema, parameters, loading, the shipped scenarios
    1 model      the Mesa model, its phases, agents and fields
    2 runs       running a scenario, results, plots, provenance
    3 analysis   sweeps, hindcast, calibration
    4 viz        the browser view
    5 bench      the benchmark (it measures every layer, the page's drawing included)
    6 cli        every command

The top-level modules (``sahel_sim/__init__.py``, ``__main__.py``) are the package's face and may
import anything; ``import sahel_sim`` itself is allowed everywhere (it must stay lazy). Every
import counts wherever it is written: at the top, inside a function, or under
``if TYPE_CHECKING:`` (an annotation-only import is still a dependency of the design, so it too
may only point down). A subpackage that is in no layer is an error, so the map stays complete.

Prints the layers and, for each package, the packages it imports; exits 1 on any upward or
sideways import (one line each: file, line, what imports what), else 0.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "sahel_sim"
LAYERS: dict[str, int] = {"scenario": 0, "model": 1, "runs": 2, "analysis": 3, "viz": 4, "bench": 5, "cli": 6}
DEFAULT_ROOT = Path(__file__).resolve().parents[1] / "src" / PACKAGE


@dataclass(frozen=True)
class Edge:
    """One import of a sahel_sim package by a module of another (or the same) package."""

    file: Path
    line: int
    source: str
    target: str
    type_checking: bool


def _package_of(module: Path, root: Path) -> str | None:
    """The subpackage a module belongs to, or None for the top-level modules."""
    parts = module.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def _module_name(module: Path, root: Path) -> list[str]:
    """The dotted name of ``module`` as a list (``__init__`` names its package)."""
    parts = [PACKAGE, *module.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _targets(node: ast.Import | ast.ImportFrom, module: Path, root: Path) -> list[str]:
    """The sahel_sim subpackages an import statement names (empty for other libraries)."""
    if isinstance(node, ast.Import):
        dotted = [alias.name for alias in node.names]
    else:
        if node.level:
            here = _module_name(module, root)
            is_init = module.name == "__init__.py"
            base = here if is_init else here[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base)
            dotted = [f"{prefix}.{node.module}" if node.module else prefix]
        else:
            dotted = [node.module or ""]
        if dotted[0] == PACKAGE:  # from sahel_sim import model, __version__
            dotted = [f"{PACKAGE}.{alias.name}" for alias in node.names]
    found = []
    for name in dotted:
        parts = name.split(".")
        if parts[0] == PACKAGE and len(parts) > 1 and (root / parts[1]).is_dir():
            found.append(parts[1])
    return found


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Line numbers of the statements inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name == "TYPE_CHECKING":
                for child in node.body:
                    for sub in ast.walk(child):
                        if hasattr(sub, "lineno"):
                            lines.add(sub.lineno)
    return lines


def collect(root: Path) -> tuple[list[Edge], list[str]]:
    """Every import between subpackages under ``root``, and the subpackages that are in no layer."""
    edges: list[Edge] = []
    packages = sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    unknown = [p for p in packages if p not in LAYERS]
    for module in sorted(root.rglob("*.py")):
        source = _package_of(module, root)
        if source is None:
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
        guarded = _type_checking_lines(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, module, root):
                    edges.append(Edge(module, node.lineno, source, target, node.lineno in guarded))
    return edges, unknown


def allowed(source: str, target: str) -> bool:
    """Whether package ``source`` may import package ``target``."""
    if source == target:
        return True
    if source not in LAYERS or target not in LAYERS:
        return False
    return LAYERS[source] > LAYERS[target]


def main(argv: list[str] | None = None) -> int:
    """Print the layers and imports; return 1 if any import points up or sideways."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the sahel_sim package folder")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    edges, unknown = collect(root)

    print("layers (lowest first):")
    for level in sorted(set(LAYERS.values())):
        print(f"  {level}: {', '.join(p for p, n in LAYERS.items() if n == level)}")
    uses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in edges:
        if e.source != e.target:
            uses[e.source][e.target] += 1
    print("imports between packages (count of import statements):")
    for package in sorted(LAYERS, key=lambda p: (LAYERS[p], p)):
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(uses[package].items())) or "nothing"
        print(f"  {package} -> {listed}")

    bad = [e for e in edges if not allowed(e.source, e.target)]
    for package in unknown:
        print(f"error: {root / package}: package {package!r} is in no layer (add it to LAYERS in {__file__})")
    for e in bad:
        where = " (under TYPE_CHECKING)" if e.type_checking else ""
        print(
            f"error: {e.file.relative_to(root.parent)}:{e.line}: {e.source} (layer {LAYERS.get(e.source, '?')}) "
            f"imports {e.target} (layer {LAYERS.get(e.target, '?')}){where}"
        )
    if bad or unknown:
        print(f"{len(bad)} import(s) against the layers, {len(unknown)} package(s) in no layer")
        return 1
    print(f"ok: {len(edges)} imports of sahel_sim packages, all pointing down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
