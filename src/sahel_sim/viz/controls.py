"""The page's controls: run buttons with the play loop, and the lever inputs.

Each lever is a slider and a number field holding the same value: the number field keeps the
scenario's exact value, and the slider's step is derived from that value so it never rounds it
(:meth:`~sahel_sim.viz.levers.Lever.step_for`). Value and unit are always shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import solara

from sahel_sim.viz.levers import Lever
from sahel_sim.viz.run import Run, friendly

log = logging.getLogger("sahel_sim.viz")

#: Pause between played weeks, seconds, by the speed menu's label.
SPEEDS = {"as fast as drawn": 0.0, "4 weeks a second": 0.25, "1 week a second": 1.0}


@solara.component
def RunButtons(run: Run, on_week: Callable[[], None], on_reset: Callable[[], None], on_error: Callable[[str], None]):
    """Reset, Play/Pause and Step, and the play loop of this tab.

    The loop is a Solara thread tied to this component: it ends when Pause is pressed, when the
    run reaches its end, and when the tab goes away (Solara then cancels the component's threads).
    """
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(next(iter(SPEEDS)))
    looping, set_looping = solara.use_state(False)  # a loop thread is still finishing its week

    def loop(cancel: threading.Event) -> None:
        if not playing:
            return
        set_looping(True)
        weeks = 0
        try:
            while not cancel.is_set():
                if not run.step():
                    break
                weeks += 1
                on_week()
                if not run.wait_drawn(run.week, cancel):  # every week is drawn before the next
                    break
                if cancel.wait(SPEEDS.get(speed, 0.0)):
                    break
        except Exception as exc:  # noqa: BLE001 - shown as a message, logged in full
            on_error(friendly(exc, "simulating a week"))
        finally:
            log.info("play loop stopped after %d weeks (%s)", weeks, "cancelled" if cancel.is_set() else "ended")
            try:
                if not cancel.is_set():
                    set_playing(False)
                set_looping(False)
            except Exception:  # noqa: BLE001 - the tab is gone: nothing to update
                log.debug("tab closed before its play loop ended")

    solara.use_thread(loop, dependencies=[playing, run, speed], intrusive_cancel=False)

    def step() -> None:
        try:
            if run.step():
                on_week()
        except Exception as exc:  # noqa: BLE001
            on_error(friendly(exc, "simulating a week"))

    def reset() -> None:
        set_playing(False)
        on_reset()

    with solara.Row(classes=["sahel-buttons"], style={"flex-wrap": "wrap", "gap": "6px"}):
        solara.Button("Reset", color="primary", on_click=reset, classes=["sahel-reset"])
        solara.Button(
            "Pause" if playing else "Play",
            color="primary",
            on_click=lambda: set_playing(not playing),
            disabled=not run.running and not playing,
            classes=["sahel-play"],
        )
        solara.Button(
            "Step",
            color="primary",
            on_click=step,
            disabled=playing or looping or not run.running,
            classes=["sahel-step"],
        )
    solara.Select(label="Play speed", values=list(SPEEDS), value=speed, on_value=set_speed)


@solara.component
def LeverInput(lever: Lever, value, error: str | None, on_value: Callable[[float | None], None]):
    """One lever: its label with value and unit, a slider, a number field and its problem, if any."""
    step = lever.step_for(value if isinstance(value, (int, float)) else lever.lo)
    shown = lever.describe_value(value) if isinstance(value, (int, float)) else "?"
    solara.Text(f"{lever.label}: {shown}", classes=["sahel-lever-label", f"sahel-lever-{lever.name}"])

    def from_slider(new: float) -> None:
        # Ignore a slider echoing the current value rounded to its step: only a move counts.
        if not isinstance(value, (int, float)) or abs(float(new) - float(value)) >= step / 2:
            on_value(int(round(new)) if lever.integer else float(new))

    def from_field(new) -> None:
        on_value(None if new is None else (int(new) if lever.integer and float(new).is_integer() else new))

    slider_value = min(max(value, lever.lo), lever.hi) if isinstance(value, (int, float)) else lever.lo
    with solara.Row(style={"align-items": "center", "gap": "4px"}, classes=[f"sahel-input-{lever.name}"]):
        with solara.Column(style={"flex": "1 1 auto", "min-width": "90px"}):
            if lever.integer:
                solara.SliderInt(
                    "",
                    value=int(slider_value),
                    min=int(lever.lo),
                    max=int(lever.hi),
                    on_value=from_slider,
                    thumb_label=False,
                )
            else:
                solara.SliderFloat(
                    "",
                    value=float(slider_value),
                    min=lever.lo,
                    max=lever.hi,
                    step=step,
                    on_value=from_slider,
                    thumb_label=False,
                )
        with solara.Column(style={"flex": "0 0 110px"}):
            field = solara.InputInt if lever.integer else solara.InputFloat
            field("", value=value, on_value=from_field, optional=True, dense=True, classes=["sahel-number"])
    if error:
        solara.Text(error, classes=["sahel-lever-error"], style={"color": "#c0392b", "font-size": "0.85em"})
