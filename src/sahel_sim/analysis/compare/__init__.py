"""Paired comparison of scenarios over seeds (common random numbers, shared history).

``python -m sahel_sim compare REFERENCE.yaml ALTERNATIVE.yaml ... --seeds N``:
:mod:`~sahel_sim.analysis.compare.plan` checks the scenarios, :mod:`~sahel_sim.analysis.compare.engine`
runs them on the sweep engine's store and executors, :mod:`~sahel_sim.analysis.compare.report` writes
the tables, figures and summary, computed by :mod:`~sahel_sim.analysis.compare.stats`.
"""
