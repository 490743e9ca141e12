"""Safe YAML reading with line numbers, size and depth limits, and ``extends`` chains."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sahel_sim.scenario.errors import Path_, ScenarioError, _dotted, _kind, file_suggestion

MAX_FILE_BYTES = 128_000  # scenario files are about 10 kB; larger inputs are refused before parsing


MAX_NODES = 200_000


MAX_DEPTH = 64


MAX_EXTENDS = 16


class _Loader(yaml.SafeLoader):
    """Safe loader whose impossible dates (2022-02-30) are YAML errors with a line, not ValueErrors."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct a node; a value its tag cannot read (``!!int abc``, 5000 digits) is a YAML error."""
        try:
            return super().construct_object(node, deep)
        except (ValueError, LookupError, AttributeError, TypeError, OverflowError):
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown!r} as {node.tag}", node.start_mark
            ) from None


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid date {node.value!r} ({exc})", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass
class Located:
    """A YAML document's data plus the file and line where each dotted path was written."""

    data: dict[str, Any]
    lines: dict[Path_, tuple[str, int]]


def read_yaml(path: Path) -> Located:
    """Load one YAML mapping with safe loading, recording the line of every key.

    Args:
        path: The file to read.

    Returns:
        The mapping and a table of dotted path to (file, line).

    Raises:
        ScenarioError: If the file is missing, unreadable, too large, not YAML, or not a mapping.

    """
    name = str(path)
    try:
        with path.open("rb") as fh:  # read one byte past the limit at most (/dev/zero never ends)
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(name, None, None, "file not found" + file_suggestion(path)) from None
    except OSError as exc:
        raise ScenarioError(name, None, None, f"cannot read file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(name, None, None, f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(name, None, None, "not a text file (expected UTF-8 YAML)") from None
    loader = None
    lines: dict[Path_, tuple[str, int]] = {}
    marks: dict[tuple[int, int], Path_] = {}
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(name, None, None, "file is empty (expected a YAML mapping)")
        _walk(node, (), lines, name, [0], marks)
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(
            name, None, None, f"not a text file (character {exc.character!r} at position {exc.position})"
        ) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        at = marks.get((mark.line, mark.column)) if mark else None
        field = _dotted(at) if at else _field_on_line(lines, line)
        raise ScenarioError(name, line, field, " ".join(str(exc.problem or exc).split())) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ScenarioError(name, line, None, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(name, None, None, "YAML error: " + " ".join(str(exc).split())) from None
    except RecursionError:
        raise ScenarioError(name, None, None, f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(name, 1, None, f"expected a YAML mapping at the top, got {_kind(data)}")
    return Located(data, lines)


def _field_on_line(lines: dict[Path_, tuple[str, int]], line: int | None) -> str | None:
    """The deepest dotted path written on a given line, if any."""
    paths = [p for p, (_, n) in lines.items() if n == line and p]
    return _dotted(max(paths, key=len)) if paths else None


def _walk(node: yaml.Node, path: Path_, lines: dict, name: str, budget: list[int], marks: dict) -> None:
    """Record the line of each path and the path of each node's (line, column); refuse huge documents.

    A document that expands past the node budget (an alias bomb) or nests too deep is refused.
    """
    budget[0] += 1
    if budget[0] > MAX_NODES:
        raise ScenarioError(
            name,
            node.start_mark.line + 1,
            _dotted(path),
            f"document expands to more than {MAX_NODES} nodes (alias bomb?)",
        )
    if len(path) > MAX_DEPTH:
        raise ScenarioError(name, node.start_mark.line + 1, _dotted(path), f"nested deeper than {MAX_DEPTH} levels")
    lines.setdefault(path, (name, node.start_mark.line + 1))
    marks[(node.start_mark.line, node.start_mark.column)] = path  # deepest wins: items of a one-line list
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise ScenarioError(name, key.start_mark.line + 1, _dotted(path), "keys must be plain names")
            sub = path + (key.value,)
            if key.value in seen:
                raise ScenarioError(name, key.start_mark.line + 1, _dotted(sub), f"key {key.value!r} given twice")
            seen.add(key.value)
            lines[sub] = (name, key.start_mark.line + 1)
            _walk(value, sub, lines, name, budget, marks)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines, name, budget, marks)


def load_located(path: Path, _chain: tuple[Path, ...] = (), within: Path | None = None) -> Located:
    """Read a scenario file and everything it ``extends``, merged (child wins; lists replace).

    Args:
        path: The scenario file.
        within: If given, a folder that the file and every file it extends must be in (the browser
            view reads nothing outside its scenario folder).

    Returns:
        The merged mapping (without ``extends``) with the origin of every path.

    Raises:
        ScenarioError: On any problem, including an ``extends`` cycle.

    """
    path = Path(path)
    try:
        resolved = path.resolve()
    except (OSError, ValueError) as exc:  # e.g. a NUL byte in an 'extends' name
        raise ScenarioError(str(path), None, None, f"not a usable file name ({exc})") from None
    if resolved in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, resolved))
        raise ScenarioError(str(path), None, "extends", f"'extends' cycle: {cycle}")
    if within is not None and not resolved.is_relative_to(Path(within).resolve()):
        raise ScenarioError(path.name, None, "extends", "names a file outside the scenario folder")
    if len(_chain) >= MAX_EXTENDS:
        raise ScenarioError(str(path), None, "extends", f"more than {MAX_EXTENDS} levels of 'extends'")
    doc = read_yaml(path)
    base_name = doc.data.pop("extends", None)
    if base_name is None:
        return doc
    if not isinstance(base_name, str):
        line = doc.lines.get(("extends",), (str(path), None))[1]
        raise ScenarioError(str(path), line, "extends", "must be a file name (a string)")
    base_path = path.parent / base_name
    if is_missing(base_path):
        line = doc.lines.get(("extends",), (str(path), None))[1]
        raise ScenarioError(
            str(path),
            line,
            "extends",
            f"base scenario {base_name!r} not found (looked for {str(base_path)!r}){file_suggestion(base_path)}",
        )
    base = load_located(base_path, (*_chain, resolved), within)
    return Located(_merge(base.data, doc.data), _merge_lines(base.lines, doc.lines, doc.data))


def is_missing(path: Path) -> bool:
    """Whether nothing at all exists at ``path`` (False for names the system cannot even look up)."""
    try:
        return not path.exists() and not path.is_symlink()
    except (OSError, ValueError):  # a name too long, or with a NUL byte: read_yaml reports it
        return False


def _merge(base: Any, child: Any) -> Any:
    if isinstance(base, dict) and isinstance(child, dict):
        out = dict(base)
        for key, value in child.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return child


def _merge_lines(base: dict, child: dict, child_data: dict) -> dict:
    """Child lines win; base lines under a value the child replaced wholesale are dropped."""
    replaced = [p for p in child if not _is_mapping_at(child_data, p)]
    out = {p: loc for p, loc in base.items() if not any(p[: len(r)] == r and r for r in replaced)}
    out.update(child)
    return out


def _is_mapping_at(data: Any, path: Path_) -> bool:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(data, dict)
