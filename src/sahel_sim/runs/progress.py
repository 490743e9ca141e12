"""Progress of a long command on stderr: a bar on a terminal, plain log lines otherwise.

One helper for every command that counts units of work (``run``: weeks; ``sweep`` and
``calibrate``: runs; ``hindcast``: seeds). On a terminal it draws a :mod:`tqdm` bar with done/total,
failures, the rate and an ETA. When the stream is not a terminal (a batch job, ``nohup``,
``> log 2>&1``) it writes one plain line per finished unit or one every
:data:`DEFAULT_SECONDS` seconds, whichever is rarer, each flushed at once, e.g.::

    sweep withdrawal_timing: 12/100 runs, 1 failed [elapsed 00:41, ETA 06:00, 0.24 runs/s] 2 running

The interval can be changed with the environment variable ``SAHEL_SIM_PROGRESS_SECONDS`` (0: a line
per finished unit). Times and the ETA are formatted by :meth:`tqdm.tqdm.format_meter` in both modes.

Callers report absolute counts (:meth:`ProgressReporter.update`), so the same reporter serves
callbacks that say "12 of 100 done" (the runner, the sweep engine, the hindcast).
"""

from __future__ import annotations

import os
import re
import sys
import time
from typing import TextIO

from tqdm import tqdm

#: Environment variable with the seconds between plain log lines.
ENV_SECONDS = "SAHEL_SIM_PROGRESS_SECONDS"
#: Seconds between plain log lines by default.
DEFAULT_SECONDS = 10.0
#: Layout of a plain log line (fields of :meth:`tqdm.tqdm.format_meter`).
LINE_FORMAT = "{desc}: {n_fmt}/{total_fmt}{unit}{postfix} [elapsed {elapsed}, ETA {remaining}, {rate_noinv_fmt}]"


def interval_from_env(default: float = DEFAULT_SECONDS) -> float:
    """Seconds between plain log lines: ``$SAHEL_SIM_PROGRESS_SECONDS`` if set and valid, else ``default``."""
    text = os.environ.get(ENV_SECONDS, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value >= 0 else default


def plain_line(
    label: str,
    unit: str,
    done: int,
    total: int | None,
    elapsed: float,
    *,
    initial: int = 0,
    failed: int | None = None,
    note: str = "",
) -> str:
    """One plain progress line (no carriage returns, no bar).

    Args:
        label: What runs, e.g. ``"sweep withdrawal_timing"``.
        unit: The unit counted, plural (``"runs"``, ``"weeks"``, ``"seeds"``).
        done: Units finished, failures included.
        total: Units in all (None if unknown).
        elapsed: Seconds since counting started.
        initial: Units already finished when counting started (a resumed sweep); excluded from the rate.
        failed: Units that failed, or None to leave failures out (e.g. weeks cannot fail).
        note: Extra text at the end (e.g. the simulated date).

    Returns:
        The line, without a newline.
    """
    postfix = f", {failed} failed" if failed is not None else ""
    line = tqdm.format_meter(
        done,
        total,
        elapsed,
        prefix=label,
        unit=f" {unit}",
        initial=initial,
        postfix=None,
        bar_format=LINE_FORMAT.replace("{postfix}", postfix),
    )
    line = re.sub(" {2,}", " ", line)  # tqdm pads the rate to a fixed width
    return f"{line} {note}" if note else line


class ProgressReporter:
    """Progress of one command: a tqdm bar on a terminal, plain flushed lines otherwise.

    Counting (for the rate and ETA) starts when the reporter is made, from ``initial`` units already
    done; :meth:`restart` moves that start (a resumed sweep learns its earlier runs only then), so
    earlier runs do not inflate the rate.

    Args:
        label: What runs, shown first (e.g. ``"run baseline"``).
        unit: The unit counted, plural (``"weeks"``, ``"runs"``, ``"seeds"``).
        total: Units in all, if known now (else given to :meth:`update`).
        initial: Units already done before counting starts.
        failures: Whether failures are counted and shown.
        enabled: False to report nothing (``--quiet``).
        stream: Where to write (default: ``sys.stderr`` at construction).
        tty: Force terminal (True) or plain (False) mode; default: ``stream.isatty()``.
        every: Seconds between plain lines (default: :func:`interval_from_env`).
    """

    def __init__(
        self,
        label: str,
        unit: str,
        total: int | None = None,
        initial: int = 0,
        *,
        failures: bool = True,
        enabled: bool = True,
        stream: TextIO | None = None,
        tty: bool | None = None,
        every: float | None = None,
    ):
        self.label = label
        self.unit = unit
        self.total = total
        self.failures = failures
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream) if tty is None else tty
        self.every = interval_from_env() if every is None else every
        self.failed = 0
        self.note = ""
        self._bar: tqdm | None = None
        self.done = self._initial = self._last_line_done = initial
        self._started = self._last_line = self._last_update = time.monotonic()
        self._updated = False

    def update(self, done: int, total: int | None = None, failed: int = 0, note: str = "") -> None:
        """Report the counts so far (absolute, not increments).

        Args:
            done: Units finished, failures included.
            total: Units in all (if it changed or was not known).
            failed: Units that failed so far.
            note: Extra text shown after the counts (e.g. the simulated date, runs in flight).
        """
        if not self.enabled:
            return
        if total is not None:
            self.total = total
        self.done, self.failed, self.note = done, failed, note
        self._last_update = time.monotonic()
        self._updated = True
        if self.tty:
            self._draw()
        elif done != self._last_line_done and time.monotonic() - self._last_line >= self.every:
            self._write_line()

    def restart(self, initial: int) -> None:
        """Start counting again now, with ``initial`` units already done (excluded from the rate)."""
        self.done = self._initial = self._last_line_done = initial
        self._started = self._last_line = self._last_update = time.monotonic()

    def weeks(self, done: int, total: int, date: object) -> None:
        """Callback for :func:`sahel_sim.runs.runner.simulate`: weeks done, weeks in all, simulated date."""
        self.update(done, total, note=str(date))

    def runs(self, done: int, total: int) -> None:
        """Callback for counts of runs done and in all (e.g. :func:`sahel_sim.analysis.hindcast.run_seeds`)."""
        self.update(done, total)

    def close(self, final_line: bool = True) -> None:
        """End the bar; in plain mode write a last line if counts changed since the previous one.

        Args:
            final_line: False to leave out the last plain line (e.g. when the command failed).
        """
        if not self.enabled or not self._updated:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif not self.tty and final_line and self.done != self._last_line_done:
            self._write_line()
            self._last_line_done = self.done

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close(final_line=exc_type is None)

    def _draw(self) -> None:
        if self._bar is None:
            self._bar = tqdm(
                total=self.total,
                initial=self._initial,
                desc=self.label,
                unit=f" {self.unit}",
                file=self.stream,
                dynamic_ncols=True,
                leave=True,
            )
        bar = self._bar
        if self.total is not None and bar.total != self.total:
            bar.total = self.total
        parts = [f"{self.failed} failed"] if self.failures else []
        if self.note:
            parts.append(self.note)
        bar.set_postfix_str(", ".join(parts), refresh=False)
        bar.update(self.done - bar.n)

    def _write_line(self) -> None:
        """Write the counts as of the last update (a closing line does not count the time since)."""
        line = plain_line(
            self.label,
            self.unit,
            self.done,
            self.total,
            self._last_update - self._started,
            initial=self._initial,
            failed=self.failed if self.failures else None,
            note=self.note,
        )
        self.stream.write(line + "\n")
        self.stream.flush()
        self._last_line, self._last_line_done = time.monotonic(), self.done


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
