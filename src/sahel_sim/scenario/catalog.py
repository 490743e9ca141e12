"""The shipped scenarios, installed with the package and found by name.

The scenario files live in ``sahel_sim/data/scenarios/`` (package data, so an installed package has
them); the source tree's top-level ``scenarios/`` is a link to that folder. A command given
``baseline``, ``historical.yaml``, ``sweeps/withdrawal_timing`` or ``scenarios/baseline.yaml`` uses
the file of that name when it exists, else the shipped file of that name.
"""

from __future__ import annotations

from pathlib import Path

from sahel_sim.scenario.errors import ScenarioError, _did_you_mean, file_suggestion

#: The folder of the shipped scenario files (``.yaml``; sweeps and calibrations in subfolders).
SCENARIO_DIR = Path(__file__).resolve().parents[1] / "data" / "scenarios"


def shipped_names() -> list[str]:
    """The name of every shipped scenario file: its path below the folder, without ``.yaml``.

    Returns:
        Sorted names such as ``baseline``, ``historical`` and ``sweeps/withdrawal_timing``.
    """
    return sorted(p.relative_to(SCENARIO_DIR).with_suffix("").as_posix() for p in SCENARIO_DIR.rglob("*.yaml"))


def find_scenario(name: str | Path) -> str:
    """The file a command should read for ``name``: the path itself if it exists, else a shipped file.

    Args:
        name: A path to a scenario or sweep YAML file, or the name of a shipped one, with or
            without ``.yaml`` and with or without a leading ``scenarios/``.

    Returns:
        ``name`` unchanged when such a file or folder exists, else the shipped file's path.

    Raises:
        ScenarioError: If neither exists ("file not found", with the closest shipped name).
    """
    text = str(name)
    if Path(text).exists():
        return text
    key = Path(text).as_posix()
    key = key.removeprefix("./").removeprefix("scenarios/")
    for suffix in (".yaml", ".yml"):
        key = key.removesuffix(suffix)
    if key in shipped_names():
        return str(SCENARIO_DIR / f"{key}.yaml")
    # a close file next to the one asked for first (a typo in a path), else the closest shipped name
    hint = file_suggestion(Path(text)) or _did_you_mean(key, shipped_names())
    raise ScenarioError(text, None, None, "file not found, nor a shipped scenario of that name" + hint)
