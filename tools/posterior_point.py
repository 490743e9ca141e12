"""One calibrated parameter set to stand for the posterior: its mode (the defaults) or its medoid.

The schema's defaults for the calibrated parameters are the posterior's **mode** (docs/CALIBRATION.md,
"Defaults"): the accepted set where a weighted Gaussian kernel density of the posterior (scipy's
``gaussian_kde`` with the importance weights) is highest. Values are compared with each parameter
scaled to [0, 1] over its prior (in log10 for log-scale priors; the priors are read from the
``abc.json`` written next to the posterior), so no parameter dominates by its units. ``--rule medoid``
gives instead the set with the smallest weighted mean distance to every other set; it was the first
choice and was dropped because it can sit where the posterior has almost no weight.

Usage (from the repository root)::

    PYTHONPATH=src python tools/posterior_point.py [POSTERIOR] [--rule mode|medoid]

prints the set's index, weight and values as a ``mechanisms:`` overlay.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from sahel_sim.scenario.posterior import load_posterior, shipped_posterior


def scaled(values: np.ndarray, keys: tuple[str, ...], priors: dict) -> np.ndarray:
    """Each column mapped to [0, 1] over its prior's range (log10 where the prior is log-scale)."""
    out = np.empty_like(values)
    for j, key in enumerate(keys):
        prior = priors[key]
        low, high, column = float(prior["low"]), float(prior["high"]), values[:, j]
        if prior.get("scale") == "log":
            low, high, column = np.log10(low), np.log10(high), np.log10(column)
        out[:, j] = (column - low) / (high - low)
    return out


def medoid(values: np.ndarray, weights: np.ndarray) -> int:
    """Index of the row with the smallest weighted mean Euclidean distance to all rows."""
    distances = np.sqrt(((values[:, None, :] - values[None, :, :]) ** 2).sum(axis=2))
    return int(np.argmin(distances @ weights))


def mode(values: np.ndarray, weights: np.ndarray) -> int:
    """Index of the row where the weighted Gaussian kernel density of all rows is highest."""
    from scipy.stats import gaussian_kde

    return int(np.argmax(gaussian_kde(values.T, weights=weights)(values.T)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posterior", nargs="?", default=None, help="posterior.parquet (default: the shipped one)")
    parser.add_argument("--rule", choices=("mode", "medoid"), default="mode", help="which set (default mode)")
    args = parser.parse_args()
    posterior = load_posterior(args.posterior or shipped_posterior())
    record = posterior.path.parent / "abc.json"  # written next to the posterior by the calibration
    priors = json.loads(record.read_text(encoding="utf-8"))["priors"]
    pick = mode if args.rule == "mode" else medoid
    index = pick(scaled(posterior.values, posterior.keys, priors), posterior.weights)
    print(f"# {args.rule} of {posterior.path} (sha256 {posterior.sha256[:12]}): set {index} of {len(posterior)},")
    print(f"# weight {posterior.weights[index]:.4f} (uniform would be {1 / len(posterior):.4f})")
    print("mechanisms:")
    section = None
    for key, value in posterior.parameters(index).items():
        _, group, name = key.split(".")
        if group != section:
            print(f"  {group}:")
            section = group
        print(f"    {name}: {value:.4g}")


if __name__ == "__main__":
    main()
