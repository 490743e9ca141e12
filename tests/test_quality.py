"""The checks CI runs on the code itself: the type checker and the formatter."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy (the dev extra) is not installed")
def test_mypy_reports_no_error_on_src():
    # Configuration (files, plugins, strictness) lives in pyproject.toml's [tool.mypy].
    result = run("mypy")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff (the dev extra) is not installed")
def test_code_is_ruff_formatted_and_clean():
    fmt = run("ruff", "format", "--check", "src", "tests", "tools", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = run("ruff", "check", "src", "tests", "tools", "benchmarks")
    assert lint.returncode == 0, lint.stdout + lint.stderr
