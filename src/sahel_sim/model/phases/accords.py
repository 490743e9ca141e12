"""Phase: accords in force may collapse each week (they come into force in the schedule phase).

The weekly collapse hazard of an accord in force is

    h = base_hazard x (1 - monitoring_reduction x m) x (1 + encroachment_gain) ^ n

where m is the share of its parties' fighters within the peacekeepers' reach this week and n the
number of sites in its parties' area that the army has taken since it was signed (docs/ODD.md,
"Peace accords"; sources in ``mechanisms.accords``). A battle between the parties collapses it in
the handover phase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sahel_sim.model import holdings
from sahel_sim.model.accords import AccordState, collapse

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def run(model: SahelModel) -> None:
    """Draw each standing accord's collapse (accords come into force in the schedule phase)."""
    for accord in model.accords:
        if not accord.in_force:
            continue
        m = monitored_share(model, accord)
        h = collapse_hazard(model, accord, m)
        if model.streams.handover.random() < h:
            collapse(
                model,
                accord,
                f"weekly hazard {h:.4f}: {100 * m:.0f} % of its fighters within peacekeepers' reach, "
                f"{accord.encroachments} site(s) in its area taken by the army",
            )


def monitored_share(model: SahelModel, accord: AccordState) -> float:
    """Share of the accord's parties' fighters standing where peacekeepers patrol (0-1; 0 with no fighters).

    The guards the parties keep at the sites and towns they hold count as fighters standing there.
    """
    parties = list(accord.parties)
    fighters = model.presence.fighters[parties].sum(axis=0)
    guards = holdings.held_fighters(model)
    if guards is not None:
        fighters = fighters + guards[parties].sum(axis=0)
    total = float(fighters.sum())
    if total <= 0:
        return 0.0
    return float(fighters[model.presence.peacekeepers_reach > 0].sum()) / total


def collapse_hazard(model: SahelModel, accord: AccordState, monitored: float) -> float:
    """This week's chance that the accord collapses (see the module's formula).

    Args:
        model: The model.
        accord: An accord in force.
        monitored: Share of its parties' fighters within the peacekeepers' reach (0-1).

    Returns:
        A probability per week, at most 1.

    """
    p = model.params.accords
    hazard = p.base_hazard * (1.0 - p.monitoring_reduction * monitored)
    return min(1.0, hazard * (1.0 + p.encroachment_gain) ** accord.encroachments)
