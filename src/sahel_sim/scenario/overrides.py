"""Dotted ``--set`` overrides: parsed as YAML, applied to a scenario's data, validated again."""

from __future__ import annotations

from typing import Any

import yaml

from sahel_sim.scenario.errors import ScenarioError, _did_you_mean, _kind
from sahel_sim.scenario.yaml_source import MAX_DEPTH, _Loader


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
