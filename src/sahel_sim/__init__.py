"""sahel_sim: what happens to security in Mali and the Sahel when a UN peacekeeping force withdraws.

From Python (a notebook), see :mod:`sahel_sim.api`::

    import sahel_sim as ss
    r = ss.run("historical", seed=3, until="2016-01-01")   # tables in memory, nothing written
    r.timeseries, r.events, r.summary                      # pandas DataFrames
    s = ss.sweep("sweeps/withdrawal_timing", workers=2)    # s.runs, s.final, s.by_point("ML")
    c = ss.compare("baseline", ["baseline_no_withdrawal"], seeds=20, workers=2)  # c.effects, c.summary

The names (and ``__version__``) are looked up on first use, so ``import sahel_sim`` loads neither Mesa
nor pandas.
"""

from typing import Any

#: Public names, each imported from sahel_sim.api when first used.
__all__ = ["Comparison", "Run", "Sweep", "compare", "load_sweep", "run", "scenario_path", "sweep"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sahel_sim import api

        return getattr(api, name)
    if name == "__version__":  # importlib.metadata alone takes longer than the rest of the import
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("sahel_sim")
        except PackageNotFoundError:  # running from a source tree without installation
            return "0.0.0+unknown"
    raise AttributeError(f"module 'sahel_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__, "__version__"])
