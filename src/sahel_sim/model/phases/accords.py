"""Phase: accords in force may collapse each week (they come into force in the schedule phase).

The weekly collapse hazard of an accord in force is

    h = base_hazard x (1 - monitoring_reduction x m) x (1 + encroachment_gain) ^ n

where m is the monitoring mission's presence in the accord's country (its peacekeepers there this
week over the most it has had there since the accord came into force: Fortna's finding concerns
whether peacekeepers are deployed for a ceasefire, not where they patrol) and n the number of sites
in its parties' area that the army has taken since it was signed (docs/ODD.md, "Peace accords";
sources in ``mechanisms.accords``). A battle between the parties collapses it in
the handover phase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sahel_sim.model.accords import AccordState, collapse

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def run(model: SahelModel) -> None:
    """Draw each standing accord's collapse (accords come into force in the schedule phase)."""
    for accord in model.accords:
        if not accord.in_force:
            continue
        now = monitors_present(model, accord)
        accord.monitors_peak = max(accord.monitors_peak, now)
        m = now / accord.monitors_peak if accord.monitors_peak > 0 else 0.0
        h = collapse_hazard(model, accord, m)
        if model.streams.handover.random() < h:
            collapse(
                model,
                accord,
                f"weekly hazard {h:.4f}: the monitoring mission at {100 * m:.0f} % of its strength since the "
                f"accord, {accord.encroachments} site(s) in its area taken by the army",
            )


def monitors_present(model: SahelModel, accord: AccordState) -> float:
    """Peacekeepers in the accord's country this week, in camps and convoys (personnel; 0 if none host it)."""
    if model.pk_host != accord.spec.country:
        return 0.0
    return float(model.presence.peacekeepers[model.geo.mask(accord.spec.country)].sum())


def collapse_hazard(model: SahelModel, accord: AccordState, monitored: float) -> float:
    """This week's chance that the accord collapses (see the module's formula).

    Args:
        model: The model.
        accord: An accord in force.
        monitored: The monitoring mission's presence, a share of its strength since the accord (0-1).

    Returns:
        A probability per week, at most 1.

    """
    p = model.params.accords
    hazard = p.base_hazard * (1.0 - p.monitoring_reduction * monitored)
    return min(1.0, hazard * (1.0 + p.encroachment_gain) ** accord.encroachments)
