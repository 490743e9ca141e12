"""Closure risk of diplomatic posts over many runs, with Wilson score intervals.

The input is what every run writes: the ``posts`` entry of its ``summary.json`` (each post's status
change points; :func:`sahel_sim.runs.runner.post_timelines`). A post *closes within h months of a date*
when it is not closed on that date and some change point after it, up to and including the date h
calendar months later, makes it ``closed``. Runs in which the post is already closed on the date are
not at risk and are left out of that post's denominator (``at_risk``).

Example (the compare command or a script)::

    from sahel_sim.analysis.posts import closure_probabilities
    table = closure_probabilities([out.summary for out in runs], "2023-06-30", horizons=(6, 12, 24))
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

import pandas as pd

#: Columns of the tables returned here.
COLUMNS = ["post", "from", "until", "horizon_months", "at_risk", "closed", "probability", "low", "high"]


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Args:
        successes: Number of successes (0..trials).
        trials: Number of trials.
        confidence: Two-sided confidence level, in (0, 1).

    Returns:
        ``(low, high)``; ``(nan, nan)`` when there are no trials.

    """
    if trials <= 0:
        return math.nan, math.nan
    from scipy.stats import binomtest

    ci = binomtest(int(successes), int(trials)).proportion_ci(confidence_level=confidence, method="wilson")
    low = 0.0 if successes == 0 else max(0.0, float(ci.low))
    high = 1.0 if successes == trials else min(1.0, float(ci.high))
    return low, high


def _timelines(run: Mapping) -> Mapping[str, list[dict]]:
    """The ``posts`` timelines of a run summary (or the mapping itself if already timelines)."""
    return run["posts"] if "posts" in run and isinstance(run["posts"], Mapping) else run


def _as_date(value: str | dt.date | pd.Timestamp) -> dt.date:
    return pd.Timestamp(value).date()


def status_on(points: list[dict], date: dt.date) -> str:
    """A post's status on ``date`` from its change points (the last one on or before it)."""
    status = points[0]["status"]
    for p in points:
        if _as_date(p["date"]) > date:
            break
        status = p["status"]
    return status


def closes_between(points: list[dict], start: dt.date, end: dt.date) -> bool | None:
    """Whether a post open or reduced on ``start`` closes after it and on or before ``end``.

    Returns:
        True or False, or None when the post is already closed on ``start`` (not at risk).

    """
    if status_on(points, start) == "closed":
        return None
    return any(p["status"] == "closed" and start < _as_date(p["date"]) <= end for p in points)


def closure_probability_until(
    runs: Iterable[Mapping],
    start: str | dt.date,
    end: str | dt.date,
    posts: Iterable[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per post, the share of runs in which it closes after ``start`` and by ``end``.

    Args:
        runs: Run summaries (``summary.json`` contents) or their ``posts`` mappings; pass the same
            seeds for scenarios you compare.
        start: The date at which posts must be open or reduced.
        end: Last day counted.
        posts: Posts to report (default: every post in the runs, in first-seen order).
        confidence: Level of the Wilson interval.

    Returns:
        One row per post with :data:`COLUMNS` (``horizon_months`` empty).

    """
    start, end = _as_date(start), _as_date(end)
    lines = [_timelines(r) for r in runs]
    names = list(posts) if posts is not None else list(dict.fromkeys(n for t in lines for n in t))
    rows = []
    for name in names:
        outcomes = [closes_between(t[name], start, end) for t in lines if name in t]
        at_risk = [o for o in outcomes if o is not None]
        k, n = sum(at_risk), len(at_risk)
        low, high = wilson_interval(k, n, confidence)
        rows.append(
            {
                "post": name,
                "from": start.isoformat(),
                "until": end.isoformat(),
                "horizon_months": pd.NA,
                "at_risk": n,
                "closed": k,
                "probability": k / n if n else math.nan,
                "low": low,
                "high": high,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def closure_probabilities(
    runs: Iterable[Mapping],
    date: str | dt.date,
    horizons: Iterable[int] = (6, 12, 24),
    posts: Iterable[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per post and horizon, the probability of closing within that many months of ``date``.

    Args:
        runs: Run summaries (``summary.json`` contents) or their ``posts`` mappings.
        date: The reference date.
        horizons: Horizons in calendar months.
        posts: Posts to report (default: all).
        confidence: Level of the Wilson interval.

    Returns:
        One row per post and horizon with :data:`COLUMNS`.

    """
    runs = list(runs)
    start = _as_date(date)
    tables = []
    for h in horizons:
        end = (pd.Timestamp(start) + pd.DateOffset(months=int(h))).date()
        table = closure_probability_until(runs, start, end, posts, confidence)
        table["horizon_months"] = int(h)
        tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)


def closures_before(run: Mapping, date: str | dt.date) -> int:
    """Number of closures (changes to ``closed``) strictly before ``date`` in one run."""
    end = _as_date(date)
    return sum(
        1
        for points in _timelines(run).values()
        for p in points[1:]
        if p["status"] == "closed" and _as_date(p["date"]) < end
    )
