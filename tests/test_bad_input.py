"""Every kind of bad input: one clear line naming file, line and field; status 2; no traceback; nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sahel_sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "scenarios" / "baseline.yaml").read_text()

MINIMAL = """name: t
start: 2020-01-01
end: 2020-03-01
"""


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


CASES = {
    # name: (file text or None for missing, extra args, expected fragments in the message)
    "missing file": (None, [], ["nope.yaml", "file not found"]),
    "not yaml (binary)": (b"\x00\xff\xfe binary", [], ["not a text file"]),
    "not a mapping": ("- a\n- b\n", [], ["expected a YAML mapping"]),
    "syntax error": (MINIMAL + "map: {resolution: 0.5\nseed: 3\n", [], ["YAML syntax error", "s.yaml:"]),
    "unknown key": (MINIMAL + "sede: 3\n", [], ["s.yaml:4", "sede", "did you mean 'seed'"]),
    "nested unknown key": (BASE.replace("  withdrawal:", "  withdrawl:"), [],
                           ["peacekeepers.withdrawl", "did you mean 'withdrawal'"]),
    "wrong type": (MINIMAL + "seed: many\n", [], ["s.yaml:4", "seed", "integer"]),
    "out of range": (MINIMAL + "map:\n  resolution: 0.3\n", [], ["s.yaml:5", "map.resolution"]),
    "end before start": ("name: t\nstart: 2020-03-01\nend: 2020-01-01\n", [], ["s.yaml:3", "end", "not after start"]),
    "withdrawal ends before it starts": (
        MINIMAL + "peacekeepers:\n  strength: [{date: 2019-01-01, personnel: 100}]\n"
        "  camps: [{name: A, lat: 14, lon: -4}]\n  withdrawal: {start: 2020-02-01, end: 2020-01-15}\n", [],
        ["s.yaml:7", "peacekeepers.withdrawal.end", "before or when it starts"]),
    "camp closes before force deploys": (BASE.replace("Ogossagou: 2023-08-04", "Ogossagou: 2020-08-04"), [],
                                         ["peacekeepers.withdrawal.dates.Ogossagou", "before the force deploys"]),
    "set path missing": (MINIMAL, ["--set", "mechanisms.nope.x=1"], ["--set", "mechanisms.nope.x", "no field"]),
    "set value invalid": (MINIMAL, ["--set", "seed=-4"], ["seed", "greater than or equal"]),
    "bad until": (MINIMAL, ["--until", "tomorrow"], ["--until", "not a date"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_clear_line_and_writes_nothing(case, tmp_path, capsys):
    text, extra, fragments = CASES[case]
    if text is None:
        path = tmp_path / "nope.yaml"
    elif isinstance(text, bytes):
        path = tmp_path / "s.yaml"
        path.write_bytes(text)
    else:
        path = _write(tmp_path, text)
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out), "--quiet", *extra])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    for fragment in fragments:
        assert fragment in err, err
    assert not out.exists()


def test_extends_cycle_is_reported(tmp_path, capsys):
    _write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    _write(tmp_path, "extends: a.yaml\n" + MINIMAL, "b.yaml")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 2
    err = capsys.readouterr().err
    assert "'extends' cycle" in err and "a.yaml" in err


def test_real_process_exits_2_without_traceback_and_writes_nothing(tmp_path):
    path = _write(tmp_path, MINIMAL + "sede: 3\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "sahel_sim", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "did you mean 'seed'" in proc.stderr
    assert not out.exists()


def test_python_object_tags_are_refused(tmp_path, capsys):
    path = _write(tmp_path, MINIMAL + "description: !!python/object/apply:os.system ['true']\n")
    assert main(["validate", str(path)]) == 2
    assert "s.yaml" in capsys.readouterr().err


def test_alias_bomb_is_refused(tmp_path, capsys):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    path = _write(tmp_path, MINIMAL + "\n".join(lines) + "\n")
    assert main(["validate", str(path)]) == 2
    assert "alias bomb" in capsys.readouterr().err
