"""The benchmark's results: rows, targets, the printed table and the CSV and JSON files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sahel_sim.bench.machine import load_average

#: Columns of the results table, in order.
COLUMNS = (
    "section",
    "case",
    "resolution_deg",
    "agents_mean",
    "steps",
    "repeats",
    "seconds_median",
    "steps_per_s",
    "agent_steps_per_s",
    "ms_per_step",
    "value",
    "unit",
    "load1",
    "note",
)


#: Columns of the targets table, in order.
TARGET_COLUMNS = ("target", "measured", "threshold", "unit", "passed", "note")


def need(figure: float | None) -> float:
    """A figure that the row it comes from always has (a speed row's timings, agents, resolution).

    Raises:
        ValueError: If the figure is missing, which would be a bug in the benchmark.
    """
    if figure is None:
        raise ValueError("a benchmark row lacks a figure its section always records")
    return figure


@dataclass
class Row:
    """One measurement (see :data:`COLUMNS`; missing figures are None)."""

    section: str
    case: str
    resolution_deg: float | None = None
    agents_mean: float | None = None
    steps: int | None = None
    repeats: int | None = None
    seconds_median: float | None = None
    steps_per_s: float | None = None
    agent_steps_per_s: float | None = None
    ms_per_step: float | None = None
    value: float | None = None
    unit: str = ""
    load1: float = field(default_factory=lambda: load_average()[0])
    note: str = ""


@dataclass
class Target:
    """One target of the issue: what was measured, the threshold and whether it passed."""

    target: str
    measured: float
    threshold: float
    unit: str
    passed: bool
    note: str = ""


@dataclass
class Report:
    """Everything a benchmark produced."""

    meta: dict
    rows: list[Row]
    targets: list[Target]


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "PASS" if value else "FAIL"
    if isinstance(value, float):
        if value != value:  # NaN
            return "nan"
        magnitude = abs(value)
        if magnitude >= 1000:
            return f"{value:,.0f}"
        if magnitude >= 100:
            return f"{value:.0f}"
        return f"{value:.3g}" if magnitude < 10 else f"{value:.1f}"
    return str(value)


def format_table(report: Report) -> str:
    """The results and targets as fixed-width text tables."""
    shown = (
        "section",
        "case",
        "agents_mean",
        "steps",
        "repeats",
        "seconds_median",
        "steps_per_s",
        "agent_steps_per_s",
        "ms_per_step",
        "value",
        "unit",
        "load1",
    )
    heads = (
        "section",
        "case",
        "agents",
        "steps",
        "reps",
        "median s",
        "steps/s",
        "agent-steps/s",
        "ms/step",
        "value",
        "unit",
        "load",
    )
    lines = [_grid(heads, [[_fmt(getattr(r, c)) for c in shown] for r in report.rows])]
    lines.append("")
    lines.append(
        _grid(
            ("target", "measured", "threshold", "unit", "result"),
            [
                [t.target, _fmt(float(t.measured)), _fmt(float(t.threshold)), t.unit, _fmt(t.passed)]
                for t in report.targets
            ],
        )
    )
    m = report.meta
    lines.append("")
    lines.append(
        f"{m['date']}  {m['platform']}  {m['cpu']} ({m['cpu_count']} CPUs)  Python {m['python']}  "
        f"mesa {m['versions'].get('mesa')}  commit {m['git_commit']}"
    )
    lines.append(
        f"load average at start {_loads(m['load_start'])}, at end {_loads(m['load_end'])}; "
        f"{m['mode']} mode, {m['seconds']} s"
    )
    return "\n".join(lines)


def _loads(values: Sequence[float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def _grid(heads: Sequence[str], cells: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
    text = [
        "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in cells:
        text.append(
            "  ".join(
                c.rjust(w) if i >= 2 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(text)


def write_report(report: Report, out: Path) -> list[Path]:
    """Write ``bench_<time>.csv``, ``bench_<time>_targets.csv`` and ``bench_<time>.json`` under ``out``.

    Returns:
        The files written.
    """
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = base = f"bench_{'quick_' if report.meta['mode'] == 'quick' else ''}{stamp}"
    n = 1
    while (out / f"{stem}.json").exists():  # never overwrite
        n += 1
        stem = f"{base}-{n}"
    paths = [out / f"{stem}.csv", out / f"{stem}_targets.csv", out / f"{stem}.json"]
    for path, columns, items in ((paths[0], COLUMNS, report.rows), (paths[1], TARGET_COLUMNS, report.targets)):
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            for item in items:
                writer.writerow({k: ("" if v is None else v) for k, v in asdict(item).items()})
    paths[2].write_text(
        json.dumps(
            {
                "meta": report.meta,
                "columns": list(COLUMNS),
                "results": [asdict(r) for r in report.rows],
                "targets": [asdict(t) for t in report.targets],
            },
            indent=2,
        )
        + "\n"
    )
    return paths
