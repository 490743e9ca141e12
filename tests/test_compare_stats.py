"""Statistics of paired runs on hand-made tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sahel_sim.analysis.compare import stats


def test_a_known_paired_difference_is_recovered_and_covered():
    rng = np.random.default_rng(1)
    ref = rng.lognormal(8, 1, size=40)  # large seed-to-seed spread
    alt = ref - 100 + rng.normal(0, 5, size=40)  # the alternative: 100 fewer, plus a little noise
    e = stats.paired_effect(ref, alt)
    assert e["n"] == 40
    assert e["difference"] == pytest.approx(float((alt - ref).mean()))
    assert e["ci_low"] < -100 < e["ci_high"]
    assert e["ci_high"] - e["ci_low"] < 10
    assert e["share_lower"] == 1.0
    assert e["relative_change"] == pytest.approx(e["difference"] / ref.mean())
    assert e["relative_ci_low"] < e["relative_change"] < e["relative_ci_high"] < 0
    assert e["difference_in_sd"] == pytest.approx(e["difference"] / ref.std(ddof=1))
    # the same runs compared as independent samples: an interval many times wider, covering 0
    assert e["unpaired_ci_low"] < 0 < e["unpaired_ci_high"]
    assert (e["unpaired_ci_high"] - e["unpaired_ci_low"]) > 20 * (e["ci_high"] - e["ci_low"])


def test_exact_small_table():
    ref = np.array([10.0, 20.0, 30.0, 40.0])
    alt = np.array([8.0, 18.0, 31.0, 36.0])
    e = stats.paired_effect(ref, alt)
    assert e["reference_mean"] == 25.0 and e["alternative_mean"] == 23.25
    assert e["difference"] == -1.75
    assert e["share_lower"] == 0.75
    assert e["relative_change"] == pytest.approx(-0.07)
    assert -4 <= e["ci_low"] <= -1.75 <= e["ci_high"] <= 1  # within the range of the paired differences


def test_bootstrap_is_reproducible():
    ref, alt = np.arange(10.0), np.arange(10.0) + np.linspace(-1, 2, 10)
    assert stats.paired_effect(ref, alt) == stats.paired_effect(ref, alt)


def test_zero_reference_gives_no_relative_change():
    e = stats.paired_effect(np.zeros(5), np.ones(5))
    assert math.isnan(e["relative_change"]) and math.isnan(e["difference_in_sd"])
    assert e["difference"] == 1.0 and e["ci_low"] == e["ci_high"] == 1.0


def test_unequal_series_are_refused():
    with pytest.raises(ValueError):
        stats.paired_effect(np.ones(3), np.ones(4))


def test_band_per_week_covers_the_true_difference():
    rng = np.random.default_rng(2)
    ref = rng.normal(0, 50, size=(30, 12)).cumsum(axis=1)
    noise = rng.normal(0, 0.5, size=(30, 12))
    truth = np.arange(12) * 3.0
    alt = ref + truth + noise - noise.mean(axis=0)  # the mean paired difference is exactly the truth
    band = stats.paired_band(ref, alt)
    assert np.allclose(band["difference"], truth)
    assert np.all(band["low"] <= truth + 1e-9) and np.all(truth - 1e-9 <= band["high"])
    assert np.all(band["high"] - band["low"] < 1.0)


def test_wilson_interval_stays_within_0_and_1():
    assert stats.wilson_interval(0, 10)[0] == 0.0
    low, high = stats.wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and 0.6 < low < 0.8
    low, high = stats.wilson_interval(5, 10)
    assert low < 0.5 < high
    assert all(math.isnan(x) for x in stats.wilson_interval(0, 0))


def test_nonnegative_interval_is_clipped():
    assert stats.nonnegative_interval(-3.0, 5.0) == (0.0, 5.0)
