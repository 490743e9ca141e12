"""Statistics of paired runs: replicate r of every scenario used the same seed.

Every function takes plain arrays (one value per seed, in the same seed order for both scenarios)
and returns plain numbers, so it can be checked on hand-made tables. Bootstrap intervals are
percentile intervals over seeds resampled with a fixed seed (:data:`BOOTSTRAP_SEED`): the same
inputs always give the same interval.
"""

from __future__ import annotations

import math

import numpy as np

#: Bootstrap resamples per interval.
BOOTSTRAP_RESAMPLES = 2000
#: Seed of the bootstrap's generator (fixed: reports are reproducible).
BOOTSTRAP_SEED = 20230630
#: Coverage of every interval.
LEVEL = 0.95


def resample_indices(n: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """Indices of ``resamples`` bootstrap samples of ``n`` seeds (shape ``(resamples, n)``)."""
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def percentile_interval(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The central :data:`LEVEL` interval of bootstrap statistics along ``axis``."""
    tail = (1.0 - LEVEL) / 2 * 100
    low, high = np.nanpercentile(samples, [tail, 100 - tail], axis=axis)
    return low, high


def paired_effect(reference: np.ndarray, alternative: np.ndarray, seed: int = BOOTSTRAP_SEED) -> dict[str, float]:
    """Effect of the alternative on one metric, seed by seed.

    Args:
        reference: The metric in the reference scenario, one value per seed.
        alternative: The metric in the alternative, same seeds in the same order.
        seed: Seed of the bootstrap.

    Returns:
        ``n`` (pairs), ``reference_mean``, ``alternative_mean``, ``difference`` (mean of
        alternative - reference, the metric's unit), ``ci_low``/``ci_high`` (95 % bootstrap
        interval of the mean paired difference), ``relative_change`` (difference / reference
        mean; NaN if that mean is 0) with ``relative_ci_low``/``relative_ci_high`` (bootstrap of
        the ratio of means, paired), ``share_lower`` (share of seeds in which the alternative is
        strictly lower), ``difference_in_sd`` (difference / the reference's standard deviation
        over seeds; NaN if it is 0 or there is one seed), and ``unpaired_ci_low``/``high`` (the
        interval the same runs would give resampled as two independent samples, for comparison).

    Raises:
        ValueError: If the arrays differ in length or are empty.
    """
    ref = np.asarray(reference, dtype=float)
    alt = np.asarray(alternative, dtype=float)
    if ref.shape != alt.shape or ref.ndim != 1 or ref.size == 0:
        raise ValueError(f"need two equally long, non-empty series (got {ref.shape} and {alt.shape})")
    n = ref.size
    diff = alt - ref
    ref_mean, alt_mean = float(ref.mean()), float(alt.mean())
    idx = resample_indices(n, seed=seed)
    boot_diff = diff[idx].mean(axis=1)
    boot_ref = ref[idx].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot_rel = np.where(boot_ref != 0, boot_diff / boot_ref, np.nan)
    low, high = percentile_interval(boot_diff)
    rel_low, rel_high = percentile_interval(boot_rel) if ref_mean != 0 else (math.nan, math.nan)
    other = resample_indices(n, seed=seed + 1)
    boot_unpaired = alt[other].mean(axis=1) - boot_ref
    u_low, u_high = percentile_interval(boot_unpaired)
    sd = float(ref.std(ddof=1)) if n > 1 else math.nan
    return {
        "n": n,
        "reference_mean": ref_mean,
        "alternative_mean": alt_mean,
        "difference": float(diff.mean()),
        "ci_low": float(low),
        "ci_high": float(high),
        "relative_change": float(diff.mean() / ref_mean) if ref_mean != 0 else math.nan,
        "relative_ci_low": float(rel_low),
        "relative_ci_high": float(rel_high),
        "share_lower": float(np.mean(alt < ref)),
        "difference_in_sd": float(diff.mean() / sd) if sd and not math.isnan(sd) else math.nan,
        "unpaired_ci_low": float(u_low),
        "unpaired_ci_high": float(u_high),
    }


def paired_band(reference: np.ndarray, alternative: np.ndarray, seed: int = BOOTSTRAP_SEED) -> dict[str, np.ndarray]:
    """Mean paired difference over time with its 95 % bootstrap band.

    Args:
        reference: Shape ``(seeds, weeks)``.
        alternative: Same shape, same seeds in the same order.
        seed: Seed of the bootstrap (the same seeds are resampled for every week).

    Returns:
        ``difference``, ``low``, ``high``: one value per week.
    """
    diff = np.asarray(alternative, dtype=float) - np.asarray(reference, dtype=float)
    idx = resample_indices(diff.shape[0], seed=seed)
    boot = diff[idx].mean(axis=1)  # (resamples, weeks)
    low, high = percentile_interval(boot)
    return {"difference": diff.mean(axis=0), "low": low, "high": high}


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion (scipy's), within [0, 1].

    Args:
        successes: Count of seeds in which the event happened.
        trials: Seeds.

    Returns:
        (low, high); (NaN, NaN) without trials.
    """
    from sahel_sim.analysis.posts import wilson_interval as wilson

    return wilson(successes, trials, LEVEL)


def nonnegative_interval(low: float, high: float) -> tuple[float, float]:
    """An interval of a quantity that cannot be negative (people, deaths), clipped at 0."""
    return max(0.0, low), max(0.0, high)
