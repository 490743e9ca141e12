"""Read scenario files: safe YAML, ``extends``, dotted overrides, and errors that point at the line.

Every failure raises :class:`ScenarioError` carrying the file, the line where known, the dotted field
path and a one-line message; the command line prints it and exits with status 2.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sahel_sim.scenario.schema import FieldError, Scenario

MAX_FILE_BYTES = 128_000  # scenario files are about 10 kB; larger inputs are refused before parsing
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_EXTENDS = 16

Path_ = tuple[str | int, ...]


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


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid date {node.value!r} ({exc})", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass
class ScenarioError(Exception):
    """A scenario (or override) that cannot be used, described for a person."""

    file: str | None
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = _one_line(self.file or "<scenario>")
        if self.line is not None:
            where += f":{self.line}"
        field = f" {_one_line(self.field)}:" if self.field else ""
        return f"{where}:{field} {_one_line(self.message)}"


def _one_line(text: str) -> str:
    """Text with line breaks and other unprintable characters escaped, so an error stays one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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
        raise ScenarioError(name, None, None, "file not found") from None
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
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(name, None, None, "file is empty (expected a YAML mapping)")
        _walk(node, (), lines, name, [0])
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(
            name, None, None, f"not a text file (character {exc.character!r} at position {exc.position})"
        ) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        field = _field_on_line(lines, line)
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


def _walk(node: yaml.Node, path: Path_, lines: dict, name: str, budget: list[int]) -> None:
    """Record the line of each path; refuse documents that expand past the node budget."""
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
            _walk(value, sub, lines, name, budget)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines, name, budget)


def load_located(path: Path, _chain: tuple[Path, ...] = ()) -> Located:
    """Read a scenario file and everything it ``extends``, merged (child wins; lists replace).

    Args:
        path: The scenario file.

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
    if len(_chain) >= MAX_EXTENDS:
        raise ScenarioError(str(path), None, "extends", f"more than {MAX_EXTENDS} levels of 'extends'")
    doc = read_yaml(path)
    base_name = doc.data.pop("extends", None)
    if base_name is None:
        return doc
    if not isinstance(base_name, str):
        line = doc.lines.get(("extends",), (str(path), None))[1]
        raise ScenarioError(str(path), line, "extends", "must be a file name (a string)")
    base = load_located(path.parent / base_name, (*_chain, resolved))
    return Located(_merge(base.data, doc.data), _merge_lines(base.lines, doc.lines, doc.data))


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


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``a.b.c=value`` and read the value as YAML (numbers, dates, lists, null).

    Raises:
        ScenarioError: If there is no ``=`` or the value is not valid YAML.

    """
    if "=" not in text:
        raise ScenarioError("--set", None, text, "expected dotted.path=value")
    key, _, raw = text.partition("=")
    key = key.strip()
    try:
        value = yaml.load(raw, Loader=_Loader) if raw.strip() else ""
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ScenarioError("--set", None, key, f"cannot read value {raw!r}: {problem}") from None
    except RecursionError:
        raise ScenarioError("--set", None, key, f"value nested deeper than {MAX_DEPTH} levels") from None
    return key, value


def apply_override(data: dict[str, Any], key: str, value: Any) -> None:
    """Set a dotted path in a scenario mapping in place; the path must exist in the schema.

    List items are addressed by index (``factions.0.recruitment``), by name
    (``factions.JNIM.recruitment``) or by country code (``states.BF.legitimacy``).

    Raises:
        ScenarioError: If the path does not exist.

    """
    parts = key.split(".")
    if not key or any(not p for p in parts):
        raise ScenarioError("--set", None, key, "empty part in dotted path")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[:depth]) or "<top>"
        if isinstance(node, dict):
            if part not in node:
                hint = _did_you_mean(part, node.keys())
                raise ScenarioError("--set", None, key, f"no field {part!r} under {here}{hint}")
            if last:
                node[part] = value
            else:
                node = node[part]
        elif isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                names = [str(i.get("name")) for i in node if isinstance(i, dict) and "name" in i]
                raise ScenarioError(
                    "--set", None, key, f"{here} has no item {part!r} (use an index < {len(node)} or one of {names})"
                )
            if last:
                node[index] = value
            else:
                node = node[index]
        else:
            raise ScenarioError("--set", None, key, f"{here} is {_kind(node)}, it has no field {part!r}")


def _list_index(items: list, part: str) -> int | None:
    if part.lstrip("-").isdigit():
        i = int(part)
        return i if 0 <= i < len(items) else None
    for key in ("name", "country"):
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get(key) == part:
                return i
    return None


def validate(
    data: dict[str, Any], lines: dict[Path_, tuple[str, int]] | None = None, file: str | None = None
) -> Scenario:
    """Validate a mapping into a :class:`Scenario`, translating the first error for a person.

    Raises:
        ScenarioError: Naming the file, line and dotted field of the first problem.

    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc.errors(include_url=False)[0], lines or {}, file) from None


def _translate(err: dict, lines: dict, file: str | None) -> ScenarioError:
    loc: Path_ = tuple(err["loc"])
    kind = err["type"]
    message = err["msg"]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        loc = loc + tuple(int(p) if p.isdigit() else p for p in cause.field.split("."))
        message = str(cause)
    elif kind == "value_error" and message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        message = f"unknown key {loc[-1]!r}{_did_you_mean(str(loc[-1]), allowed)}"
    elif kind not in ("missing",) and "input" in err and not isinstance(err["input"], dict | list):
        message += f" (got {_shown(err['input'])})"
    where = _lookup_line(loc, lines)
    return ScenarioError(where[0] if where else file, where[1] if where else None, _dotted(loc), message)


def _shown(value: Any) -> str:
    """``repr`` of a bad value; an integer too long to print in decimal is described instead."""
    try:
        return repr(value)
    except ValueError:
        return f"an integer of {value.bit_length()} bits" if isinstance(value, int) else "an unprintable value"


def _lookup_line(loc: Path_, lines: dict) -> tuple[str, int] | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _fields_at(loc: Path_) -> list[str]:
    """Names of the schema fields allowed at a path (for did-you-mean hints)."""
    model: Any = Scenario
    for part in loc:
        model = _unwrap(model)
        if isinstance(part, int):
            args = typing.get_args(model)
            model = args[0] if args else None
        elif isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            model = model.model_fields[part].annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
        else:
            return []
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Optional / Annotated so the underlying model or container shows."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _did_you_mean(word: str, options: Any) -> str:
    options = [str(o) for o in options]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of {sorted(options)}" if options and len(options) <= 20 else ""


def _dotted(loc: Path_) -> str:
    return ".".join(str(p) for p in loc) or None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    kind = type(value).__name__
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def load_scenario(path: str | Path, overrides: typing.Iterable[str] = ()) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Args:
        path: The scenario YAML file.
        overrides: ``dotted.path=value`` strings, applied after loading and validated again.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: On any problem, naming file, line and field.

    """
    doc = load_located(Path(path))
    scenario = validate(doc.data, doc.lines, str(path))
    overrides = list(overrides)
    if not overrides:
        return scenario
    return with_overrides(scenario, [parse_override(o) for o in overrides])


def with_overrides(scenario: Scenario, overrides: typing.Iterable[tuple[str, Any]], label: str = "--set") -> Scenario:
    """Return a copy of ``scenario`` with dotted-path overrides applied and validated again.

    Args:
        scenario: The scenario to change.
        overrides: Pairs of dotted path and value.
        label: Where the overrides came from, for error messages (e.g. ``--set``, ``--seed``).

    Raises:
        ScenarioError: If a path does not exist or the result is invalid.

    """
    data = scenario_to_data(scenario)
    keys = []
    for key, value in overrides:
        apply_override(data, key, value)
        keys.append(key)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = _translate(exc.errors(include_url=False)[0], {}, label)
        if label == "--set":
            err.message += f" (after --set {', '.join(keys)})"
        raise err from None


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Plain data (dicts, lists, dates, numbers) of a scenario, every default filled in."""
    return _listify(scenario.model_dump(mode="python"))


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(v) for v in value]
    return value


def dump_scenario(scenario: Scenario) -> str:
    """Serialise a resolved scenario as YAML that loads back to an equal scenario."""
    header = "# Resolved scenario: defaults filled in, 'extends' and overrides applied.\n"
    return header + yaml.safe_dump(scenario_to_data(scenario), sort_keys=False, allow_unicode=True)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON form (hex)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_date(text: str, what: str) -> dt.date:
    """Read an ISO date given on the command line.

    Raises:
        ScenarioError: If it is not YYYY-MM-DD.

    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(what, None, None, f"not a date (YYYY-MM-DD): {text!r}") from None
