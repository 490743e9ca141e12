"""Run every command of docs/GUIDE.md on a short horizon, so CI proves the guide's commands work.

    python tools/check_guide.py                 # docs/GUIDE.md, in a temporary folder
    python tools/check_guide.py --list          # print the rewritten blocks, run nothing
    python tools/check_guide.py --keep DIR      # run in DIR and keep what the commands wrote

Every fenced ``bash`` block of the guide runs, in order, with ``bash -e`` in one working folder
(holding a link to the repository's ``scenarios/``), so a later block may read what an earlier one
wrote; ``python`` is this interpreter. Every fenced ``python`` block runs too, in the same folder. A
block right after a ``<!-- guide-check: skip: REASON -->`` line is not run (for a server such as
``viz``, or a long sweep that the tests cover otherwise); the guide says why.

In each block, every ``python -m sahel_sim COMMAND ...`` is first shortened by this table (the
guide's own text gives the full-length numbers):

| command | rewrite |
|---|---|
| ``run`` | ``--until DATE`` / ``--weeks N`` dropped, ``--weeks 4`` added |
| ``sweep`` | ``--set end=2022-01-29`` (4 weeks; the end is in the spec), ``--set spin_up_from=null``, ``--workers 1`` |
| ``hindcast`` | ``--seeds 2``, ``--workers 1`` |
| ``compare`` | only the reference and the first alternative, ``--seeds 2``, ``--workers 1`` |
| any other | unchanged |

A sweep's runs are checked without the baseline's 2012-2021 spin-up (tested in tests/test_spin_up.py):
with it every run of a guide sweep would simulate ten years first.

Exits 1 at the first block that fails, printing it and its output; else 0.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "GUIDE.md"
SKIP = re.compile(r"<!--\s*guide-check:\s*skip\b")
FENCE = re.compile(r"^```(\w*)\s*$")
COMMAND = re.compile(r"python -m sahel_sim (?P<rest>[^\n;|&)]*)")
SHORT_RUN = "--weeks 4"
SHORT_SWEEP_END = "2022-01-29"


def blocks(text: str) -> list[tuple[str, str, int, bool]]:
    """The fenced blocks of a Markdown text: (language, body, first line, skipped)."""
    out, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match and match.group(1):
            start, language = i, match.group(1)
            previous = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((language, "\n".join(body) + "\n", start + 2, bool(SKIP.search(previous))))
        i += 1
    return out


def _drop(words: list[str], option: str, values: int = 1) -> list[str]:
    out, i = [], 0
    while i < len(words):
        if words[i] == option:
            i += 1 + values
            continue
        if words[i].startswith(option + "="):
            i += 1
            continue
        out.append(words[i])
        i += 1
    return out


def shorten(rest: str) -> str:
    """One command's arguments after ``python -m sahel_sim``, shortened by the module's table."""
    words = shlex.split(rest, posix=False)
    if not words:
        return rest
    command = words[0]
    if command == "run":
        words = _drop(_drop(words, "--until"), "--weeks") + SHORT_RUN.split()
    elif command == "sweep":
        words = [
            *_drop(words, "--workers"),
            "--workers",
            "1",
            "--set",
            f"end={SHORT_SWEEP_END}",
            "--set",
            "spin_up_from=null",
        ]
    elif command == "hindcast":
        words = [*_drop(_drop(words, "--seeds"), "--workers"), "--seeds", "2", "--workers", "1"]
    elif command == "compare":
        words = _drop(_drop(words, "--seeds"), "--workers")
        first_option = next((i for i, w in enumerate(words) if w.startswith("-")), len(words))
        scenarios = words[1:first_option][:2]  # the reference and the first alternative
        words = [command, *scenarios, *words[first_option:], "--seeds", "2", "--workers", "1"]
    return " ".join(words)


def rewrite(body: str) -> str:
    """A bash block with continuation lines joined and every sahel_sim command shortened."""
    joined = re.sub(r"\\\n\s*", " ", body)
    return COMMAND.sub(lambda m: "python -m sahel_sim " + shorten(m.group("rest").rstrip()), joined)


def run_all(guide: Path, workdir: Path, dry: bool = False) -> int:
    """Run the guide's blocks in ``workdir``; 0 if all succeed."""
    shim = workdir / ".bin"
    shim.mkdir(parents=True, exist_ok=True)
    launcher = shim / "python"  # a script, not a link: a venv's python finds its packages by its own path
    launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    if not (workdir / "scenarios").exists():
        (workdir / "scenarios").symlink_to(REPO / "scenarios")
    env = dict(os.environ)
    env["PATH"] = f"{shim}{os.pathsep}{env.get('PATH', '')}"
    src = str(REPO / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    env["MPLBACKEND"] = "Agg"
    ran = 0
    for language, body, line, skipped in blocks(guide.read_text(encoding="utf-8")):
        if language not in ("bash", "python"):
            continue
        where = f"{guide.name}:{line}"
        if skipped:
            print(f"skip {where}")
            continue
        code = rewrite(body) if language == "bash" else body
        if dry:
            print(f"--- {where} ({language})\n{code}")
            continue
        command = ["bash", "-e", "-c", code] if language == "bash" else [sys.executable, "-c", code]
        proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"FAILED {where} (status {proc.returncode}):\n{code}\n{proc.stdout}\n{proc.stderr}", file=sys.stderr)
            return 1
        ran += 1
        print(f"ok   {where}")
    print(f"{ran} blocks ran")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guide", type=Path, default=GUIDE)
    parser.add_argument("--keep", type=Path, help="run in this folder and keep it")
    parser.add_argument("--list", action="store_true", help="print the rewritten blocks, run nothing")
    args = parser.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run_all(args.guide, args.keep.resolve(), args.list)
    with tempfile.TemporaryDirectory(prefix="sahel-guide-") as tmp:
        return run_all(args.guide, Path(tmp), args.list)


if __name__ == "__main__":
    sys.exit(main())
