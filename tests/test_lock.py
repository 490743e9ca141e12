"""requirements.lock pins every dependency pyproject.toml declares, and dev.sh installs every extra."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: Extras that dev.sh leaves out on purpose (see docs/DEVELOPING.md).
NOT_INSTALLED_BY_DEV_SH = {"geography"}


def locked() -> dict[str, list[Version]]:
    """Package name to the version(s) pinned in requirements.lock (one per marker variant)."""
    pins: dict[str, list[Version]] = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if match:
            pins.setdefault(canonicalize_name(match[1]), []).append(Version(match[2]))
    return pins


def declared() -> list[Requirement]:
    reqs = [Requirement(r) for r in PYPROJECT["dependencies"]]
    for extra in PYPROJECT["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra]
    return reqs


@pytest.mark.parametrize("req", declared(), ids=str)
def test_every_declared_dependency_is_locked_within_its_range(req):
    pins = locked()
    name = canonicalize_name(req.name)
    assert name in pins, f"{req.name} is not in requirements.lock: run tools/lock.sh"
    assert all(req.specifier.contains(v, prereleases=True) for v in pins[name]), (
        f"requirements.lock pins {req.name} at {pins[name]}, outside {req.specifier}: run tools/lock.sh"
    )


def test_dev_sh_installs_every_extra_but_geography():
    text = (REPO / "dev.sh").read_text(encoding="utf-8")
    match = re.search(r'^EXTRAS="([^"]+)"', text, re.MULTILINE)
    assert match, "dev.sh no longer sets EXTRAS"
    assert set(match[1].split(",")) == set(PYPROJECT["optional-dependencies"]) - NOT_INSTALLED_BY_DEV_SH
