"""Which of the project's three YAML file kinds a file is, so that a wrong command can say so.

A scenario describes one world (``name``, ``start``, ``end``, ...); a sweep file names a scenario in
``base`` (and what varies in ``vary``); a calibration file is a sweep file with a ``target``. Given to
the wrong command, a file is refused with one line naming its kind and the command that reads it,
rather than with the first schema field it happens to lack.
"""

from __future__ import annotations

from typing import Any, Literal

from sahel_sim.scenario.errors import ScenarioError
from sahel_sim.scenario.yaml_source import Located

Kind = Literal["scenario", "sweep", "calibration"]

#: The command that reads each kind of file.
COMMANDS: dict[Kind, str] = {"scenario": "run", "sweep": "sweep", "calibration": "calibrate"}
_WHY: dict[Kind, str] = {
    "scenario": "it has no 'base'",
    "sweep": "it names a 'base' scenario",
    "calibration": "it has 'base' and 'target'",
}


def file_kind(data: dict[str, Any]) -> Kind:
    """The kind of a YAML file's top-level mapping (a scenario unless it looks like a sweep).

    Args:
        data: The file's top-level mapping.

    Returns:
        ``"calibration"`` (``base`` and ``target``), ``"sweep"`` (``base``), else ``"scenario"``; a
        file with ``start`` is a scenario whatever else it has (its schema then names the stray keys).
    """
    sweepish = "base" in data and "start" not in data
    if sweepish and "target" in data:
        return "calibration"
    return "sweep" if sweepish else "scenario"


def expect_kind(doc: Located, file: str, expected: Kind) -> None:
    """Refuse a file of another kind, naming its kind and the command to use.

    Args:
        doc: The file as read (see :func:`sahel_sim.scenario.yaml_source.read_yaml`).
        file: Its name as the user gave it (used in the message and the suggested command).
        expected: The kind the calling command reads.

    Raises:
        ScenarioError: ``this is a sweep file (...), not a scenario: use `python -m sahel_sim sweep FILE```.
    """
    kind = file_kind(doc.data)
    if kind == expected:
        return
    key = "base" if kind != "scenario" else "start"
    line = doc.lines.get((key,), (file, None))[1]
    article = "an" if expected[0] in "aeiou" else "a"
    raise ScenarioError(
        file,
        line,
        None,
        f"this is a {kind} file ({_WHY[kind]}), not {article} {expected} file: "
        f"use `python -m sahel_sim {COMMANDS[kind]} {file}`",
    )
