"""Progress reporting: plain flushed log lines when stderr is not a terminal, a bar when it is."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sahel_sim
from sahel_sim.runs.progress import ENV_SECONDS, ProgressReporter, interval_from_env, plain_line

SRC = Path(sahel_sim.__file__).resolve().parents[1]
BASE = (
    Path(__file__).resolve().parents[1] / "scenarios" / "cold_start_2022.yaml"
)  # progress of runs and sweeps: no spin-up


class CountingStream(io.StringIO):
    """A text stream that is not a terminal and counts its flushes."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def test_plain_line_has_counts_failures_and_eta():
    line = plain_line("sweep tiny", "runs", 12, 100, 41.0, initial=2, failed=1, note="2 running")
    # 10 runs in 41 s since the start (2 were done before): 88 left at 4.1 s each = 361 s.
    assert line.startswith("sweep tiny: 12/100 runs, 1 failed [elapsed 00:41, ETA 06:00, ")
    assert line.endswith("] 2 running")
    assert "\r" not in line and "\n" not in line


def test_plain_line_without_failures_or_rate_yet():
    line = plain_line("run baseline", "weeks", 0, 52, 0.0)
    assert line.startswith("run baseline: 0/52 weeks [elapsed 00:00, ETA ?")
    assert "failed" not in line


def test_one_flushed_line_per_new_count_when_the_interval_is_zero():
    stream = CountingStream()
    progress = ProgressReporter("hindcast h", "seeds", stream=stream, every=0)
    for done in (0, 1, 1, 2, 3):
        progress.update(done, 3)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert [re.match(r"hindcast h: (\d+)/3 seeds, 0 failed", line).group(1) for line in lines] == ["1", "2", "3"]
    assert stream.flushes == len(lines)


def test_a_resumed_count_leaves_earlier_units_out_of_the_rate(monkeypatch):
    import sahel_sim.runs.progress as progress_module

    now = [0.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: now[0])
    stream = CountingStream()
    progress = ProgressReporter("sweep s", "runs", stream=stream, every=0)
    now[0] = 100.0
    progress.restart(50)  # 50 runs were done in an earlier session
    now[0] = 110.0
    progress.update(51, 100)  # one run in 10 s, 49 left
    assert stream.getvalue().startswith("sweep s: 51/100 runs, 0 failed [elapsed 00:10, ETA 08:10, ")


def test_lines_are_rarer_than_units_within_the_interval_and_the_last_count_is_written_at_close():
    stream = CountingStream()
    with ProgressReporter("sweep s", "runs", stream=stream, every=3600) as progress:
        for done in range(5):
            progress.update(done, 4, failed=1 if done > 2 else 0)
        assert stream.getvalue() == ""
    assert stream.getvalue().splitlines() == [stream.getvalue().strip()]
    assert stream.getvalue().startswith("sweep s: 4/4 runs, 1 failed [")


def test_no_closing_line_when_the_command_fails():
    stream = CountingStream()
    with pytest.raises(OSError), ProgressReporter("run b", "weeks", stream=stream, every=3600) as progress:
        progress.update(2, 4)
        raise OSError("disk full")
    assert stream.getvalue() == ""


def test_quiet_writes_nothing():
    stream = CountingStream()
    with ProgressReporter("run b", "weeks", stream=stream, every=0, enabled=False) as progress:
        for done in range(4):
            progress.weeks(done, 3, "2022-01-01")
    assert stream.getvalue() == ""


def test_terminal_mode_draws_a_bar():
    stream = io.StringIO()
    with ProgressReporter("run b", "weeks", stream=stream, tty=True, failures=False) as progress:
        for done in range(1, 4):
            progress.weeks(done, 3, "2022-01-15")
    text = stream.getvalue()
    assert "\r" in text and "3/3" in text and "2022-01-15" in text and "failed" not in text


@pytest.mark.parametrize(("text", "seconds"), [("", 10.0), ("0", 0.0), ("2.5", 2.5), ("-1", 10.0), ("soon", 10.0)])
def test_interval_from_the_environment(monkeypatch, text, seconds):
    monkeypatch.setenv(ENV_SECONDS, text)
    assert interval_from_env(10.0) == seconds


def test_sweep_with_stderr_to_a_file_writes_progress_lines(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        f"base: {BASE}\nset:\n  end: 2022-03-01\nvary:\n  mechanisms.insurgency.attack_rate: [0.3, 0.6]\n"
        "replicates: 2\nseed: 3\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env[ENV_SECONDS] = "0"
    log = tmp_path / "log"
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", "sahel_sim", "sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "sw")],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
            timeout=300,
            check=False,
        )
    text = log.read_text(encoding="utf-8")
    assert proc.returncode == 0, text
    counts = re.findall(r"^sweep tiny: (\d)/4 runs, 0 failed \[elapsed [\d:]+, ETA [\d:?]+", text, re.MULTILINE)
    assert counts == ["1", "2", "3", "4"], text
    assert "\r" not in text
    assert text.index("sweep tiny: 4/4 runs") < text.index("4 of 4 runs finished")
