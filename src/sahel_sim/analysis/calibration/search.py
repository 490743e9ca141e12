"""The search: the calibration file's sweep, run by the sweep engine (parallel, resumable), then scored."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from sahel_sim.analysis.calibration.config import DERIVED_SPEC, SWEEP_DIR, CalibrationFile, load_calibration
from sahel_sim.analysis.calibration.outputs import write_outputs
from sahel_sim.analysis.calibration.scoring import CalibrationResult, score
from sahel_sim.scenario.loading import ScenarioError


def calibrate(
    path: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    resume: bool = False,
    progress: Callable | None = None,
) -> CalibrationResult:
    """Run a calibration file's sweep (resumable), score every point, write the outputs.

    Args:
        path: The calibration YAML file.
        out: The calibration folder (the sweep goes into ``out/sweep``).
        workers: Worker processes (default: every core; 1 runs in this process).
        resume: Continue a calibration in ``out`` (its sweep must come from the same file content,
            except ``replicates``, which may grow).
        progress: Called with :class:`sahel_sim.analysis.sweep.engine.Progress` as runs finish.

    Returns:
        The scored result, with ``folder`` set.

    Raises:
        ScenarioError: If the file, a design point or the folder cannot be used (nothing written then).
    """
    from sahel_sim.analysis.sweep.engine import check_store, run_sweep
    from sahel_sim.analysis.sweep.plan import load_plan

    cal = load_calibration(path)
    out = Path(out)
    sweep_dir = out / SWEEP_DIR
    if out.exists() and any(out.iterdir()) and not (out / DERIVED_SPEC).is_file():
        raise ScenarioError(str(out), None, None, "exists and is not a calibration folder; choose another --out")
    if (sweep_dir / "spec.json").is_file() and not resume:
        raise ScenarioError(
            str(out), None, None, "already holds a calibration; use --resume to continue it, or another --out"
        )
    derived_text = _derived_spec_text(cal)
    staging = out / f".{DERIVED_SPEC}.new"
    out.mkdir(parents=True, exist_ok=True)
    staging.write_text(derived_text, encoding="utf-8")
    try:
        plan = load_plan(staging)
        check_store(plan, sweep_dir, resume)
    except ScenarioError as exc:
        staging.unlink(missing_ok=True)
        _remove_if_empty(out)
        raise _relocate(exc, cal, staging) from None
    staging.replace(out / DERIVED_SPEC)
    shutil.copyfile(cal.path, out / "calibration.yaml")
    run_sweep(out / DERIVED_SPEC, sweep_dir, workers=workers, resume=resume, progress=progress)
    result = score(sweep_dir, cal.target, cal.sweep.replicates)
    result.folder = out
    write_outputs(result, cal, out, plan.spec_hash)
    return result


def _derived_spec_text(cal: CalibrationFile) -> str:
    header = (
        f"# Sweep part of {cal.path} (sha256 {cal.sha256}), written by `python -m sahel_sim "
        "calibrate`;\n# 'target' removed and 'base' made absolute. Do not edit.\n"
    )
    return header + yaml.safe_dump(cal.sweep_data, sort_keys=False, default_flow_style=False)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _relocate(exc: ScenarioError, cal: CalibrationFile, derived: Path) -> ScenarioError:
    """An error about the derived sweep file, pointed at the calibration file's line instead."""
    if exc.file != str(derived):
        return exc
    line = None
    if exc.field is not None:
        for loc in (("vary", exc.field), ("set", exc.field), (exc.field,)):
            if loc in cal.doc.lines:
                line = cal.doc.lines[loc][1]
                break
    return ScenarioError(str(cal.path), line, exc.field, exc.message)
