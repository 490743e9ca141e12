"""Parameters of what follows a camp's closure: army columns, contests for the site, and peace accords.

docs/ODD.md ("Handover of closing camps", "Peace accords") says how each enters the rules.
"""

from __future__ import annotations

from sahel_sim.scenario.parameters.base import Frozen, param


class HandoverParams(Frozen):
    """Army columns sent to take over closing camps, and the contest for a vacated site."""

    columns_per_country: int = param(
        2,
        0,
        20,
        "columns",
        "assumption (an army stretched across its country can mount few expeditions at once; "
        "in 2023 Mali's army and its partner moved on the northern camps one or two at a time)",
        "Columns a national army can have on the road at once to take over closing camps.",
    )
    column_personnel: float = param(
        500.0,
        50.0,
        5000.0,
        "personnel",
        "assumption",
        "Personnel of one column, drawn from all the army's posts in proportion to their strength.",
    )
    column_speed_km: float = param(
        100.0,
        10.0,
        1000.0,
        "km per week",
        "assumption (slower than a withdrawing convoy: it clears its road as it goes)",
        "Distance an army column covers per week.",
    )
    column_reach_km: float = param(
        600.0,
        0.0,
        3000.0,
        "km",
        "assumption (Gao to Kidal is about 300 km, Gao to Tessalit about 500 km by road)",
        "A column sets out from the nearest garrison within this distance of the camp that is not overstretched.",
    )
    dispatch_lead_weeks: int = param(
        8,
        0,
        104,
        "weeks",
        "assumption (closing dates were announced weeks ahead, some then brought forward)",
        "A column may set out this many weeks before a camp's closing date.",
    )
    garrison_radius_km: float = param(
        60.0,
        0.0,
        500.0,
        "km",
        "assumption (the garrison of the camp's own town)",
        "A closing camp passes to an active army post within this distance, if there is one.",
    )
    contest_radius_km: float = param(
        60.0,
        0.0,
        500.0,
        "km",
        "assumption (a town and the roads into it)",
        "Fighters within this distance of a vacated site take part in the contest for it.",
    )
    decisiveness: float = param(
        1.0,
        0.1,
        5.0,
        "exponent",
        "Hirshleifer 1989 (Public Choice 63): contest success function; 1 is the ratio (Tullock) form",
        "Exponent m of P(army wins) = A^m / (A^m + G^m), A and G the two sides' effective strengths.",
    )
    retry_weeks: int = param(
        26,
        1,
        520,
        "weeks",
        "assumption",
        "After a failed attempt, the army waits this long before sending another column to the same site.",
    )
    held_town_fighters: float = param(
        200.0,
        0.0,
        5000.0,
        "fighters",
        "assumption (Kidal was held by Tuareg armed groups from May 2014 to November 2023: a holder "
        "keeps an administration and a guard there whatever its bands do)",
        "Presence an armed group keeps at a site it holds, counted as this many fighters in the control balance.",
    )


class AccordParams(Frozen):
    """Peace accords and ceasefires: the weekly chance that one collapses."""

    base_hazard: float = param(
        0.0022,
        0.0,
        0.1,
        "per week",
        "Collier et al. 2003 (Breaking the Conflict Trap, World Bank): about 44 % of post-conflict "
        "countries return to conflict within five years, i.e. -ln(0.56)/260 weeks",
        "Weekly chance that an unmonitored accord collapses with no fighting between its parties.",
    )
    monitoring_reduction: float = param(
        0.7,
        0.0,
        1.0,
        "share of hazard",
        "Fortna 2004 (International Studies Quarterly 48(2)) and 2008: peacekeepers lower the risk "
        "of war resuming by roughly 55-85 % depending on specification; 0.7 is within that range",
        "Share of the collapse hazard removed while the monitoring mission is in the accord's country at the "
        "strength it has had since the accord (in proportion as it draws down).",
    )
    encroachment_gain: float = param(
        1.0,
        0.0,
        20.0,
        "hazard multiplier per site",
        "assumption",
        "Each site in a party's area newly garrisoned by the army multiplies the hazard by (1 + this).",
    )
    battle_collapse: float = param(
        1.0,
        0.0,
        1.0,
        "probability",
        "assumption: a battle between signatories over a vacated camp ends the ceasefire "
        "(as at Ber in August 2023, after which the separatist coalition left it)",
        "Chance that a battle between the state and a party to an accord collapses the accord.",
    )
