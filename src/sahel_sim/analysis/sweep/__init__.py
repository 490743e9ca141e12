"""Batch parameter sweeps: declarative, reproducible, resumable, parallel (local or Dask).

``python -m sahel_sim sweep FILE`` runs a sweep file (see :mod:`sahel_sim.analysis.sweep.spec`) into a sweep
folder (see :mod:`sahel_sim.analysis.sweep.store`); ``python -m sahel_sim report FOLDER`` summarises it.
Submodules import their heavy dependencies lazily; this package imports nothing at load time.
"""

from __future__ import annotations

from typing import Any

__all__ = ["export_run", "load_plan", "run_sweep"]


def __getattr__(name: str) -> Any:
    if name == "run_sweep":
        from sahel_sim.analysis.sweep.engine import run_sweep

        return run_sweep
    if name == "load_plan":
        from sahel_sim.analysis.sweep.plan import load_plan

        return load_plan
    if name == "export_run":
        from sahel_sim.analysis.sweep.replay import export_run

        return export_run
    raise AttributeError(name)
