"""Parameters of territorial control and of the diplomatic posts."""

from __future__ import annotations

from sahel_sim.scenario.parameters.base import Frozen, param


class ControlParams(Frozen):
    """Territorial control and faction influence."""

    control_threshold: float = param(
        0.6,
        0.5,
        1.0,
        "share of presence",
        "assumption",
        "An actor controls a cell when it holds at least this share of presence there; otherwise contested.",
    )
    influence_adjust_rate: float = param(
        0.15,
        0.01,
        1.0,
        "per week",
        "assumption",
        "Weekly rate at which presence shares move towards the current balance of force.",
    )
    state_admin_presence: float = param(
        0.5,
        0.0,
        10.0,
        "presence units",
        "assumption",
        "Presence of the state's administration in a settled cell at state capacity 1.",
    )
    force_presence_per_1000: float = param(
        1.0,
        0.0,
        20.0,
        "presence units per 1,000 personnel",
        "assumption",
        "Presence contributed by 1,000 soldiers or peacekeepers within their operating radius.",
    )
    fighter_presence_per_1000: float = param(
        4.0,
        0.0,
        50.0,
        "presence units per 1,000 fighters",
        "assumption (insurgents live among the people)",
        "Presence contributed by 1,000 fighters within their operating radius.",
    )


class DiplomacyParams(Frozen):
    """Diplomatic posts: the threat a post observes, its tolerance, and the reduce / close / reopen rule.

    Threat is a sum of continuous terms, each a weight times an observed quantity (docs/ODD.md,
    "Diplomatic posts"). Tolerance is the same rule for every post: ``tolerance_base`` times
    multipliers for characteristics shared by many posts, times a draw for what the model does not see.
    """

    vicinity_km: float = param(
        150.0,
        10.0,
        2000.0,
        "km",
        "assumption (the capital and its approach roads, about a day's drive)",
        "Radius around a post within which violence, insurgent control and armed forces are observed.",
    )
    violence_distance_km: float = param(
        75.0,
        5.0,
        2000.0,
        "km",
        "assumption",
        "E-folding distance of the weight a death near the post carries (1 at the post, 1/e at this distance).",
    )
    violence_scale: float = param(
        50.0,
        0.1,
        1000.0,
        "distance-weighted fatalities per week",
        "assumption",
        "Distance-weighted recent fatalities per week near a post that make a violence term of weight_violence.",
    )
    weight_violence: float = param(
        1.0, 0.0, 10.0, "threat units", "assumption", "Weight of distance-weighted violence near the post."
    )
    weight_control: float = param(
        1.0,
        0.0,
        10.0,
        "threat units",
        "assumption",
        "Weight of the population share under insurgent control within vicinity_km of the post.",
    )
    weight_force_balance: float = param(
        0.5,
        0.0,
        10.0,
        "threat units",
        "assumption",
        "Weight of the fighters' share of all armed personnel (fighters, army, partners, peacekeepers) "
        "within vicinity_km of the post.",
    )
    weight_international: float = param(
        0.05,
        0.0,
        10.0,
        "threat units per attack per week",
        "assumption (US authorised departure after the Radisson Blu attack, Bamako, 20 Nov 2015)",
        "Weight of recent attacks on peacekeepers and diplomatic posts in the host and covered countries.",
    )
    threat_memory_weeks: float = param(
        4.0, 1.0, 52.0, "weeks", "assumption", "E-folding time of the international-attack term."
    )
    weight_mission_loss: float = param(
        0.8,
        0.0,
        10.0,
        "threat units",
        "assumption (Norway cited the UN withdrawal, 31 Aug 2023)",
        "Weight of peacekeepers lost from the host country relative to their recent level "
        "(fades as the loss becomes the new normal).",
    )
    peacekeeper_reference: float = param(
        10000.0,
        100.0,
        100000.0,
        "personnel",
        "assumption (MINUSMA about 11,600 soldiers at the start of its withdrawal)",
        "Peacekeepers lost from the host country that make the full mission-loss term.",
    )
    mission_memory_weeks: float = param(
        52.0,
        1.0,
        520.0,
        "weeks",
        "assumption",
        "E-folding time of the remembered peacekeeper level the mission-loss term compares with.",
    )
    weight_hostility: float = param(
        1.0,
        0.0,
        10.0,
        "threat units per act",
        "assumption (Mali expelled the French ambassador, 31 Jan 2022; the embassy stayed open)",
        "Weight of a host government's hostile act (expulsion, recall, order to leave) against the "
        "post's sending country, a scenario input.",
    )
    hostility_memory_weeks: float = param(
        26.0, 1.0, 520.0, "weeks", "assumption", "E-folding time of a hostile act's effect on threat."
    )
    tolerance_base: float = param(
        1.0, 0.05, 20.0, "threat units", "assumption", "Threat an ordinary post accepts before it reduces staff."
    )
    tolerance_troop_contributor: float = param(
        1.25,
        0.2,
        5.0,
        "multiplier",
        "assumption (a contributor has its own forces and stake in the mission)",
        "Tolerance multiplier for posts whose sending country has troops in the mission.",
    )
    tolerance_delegation: float = param(
        1.25,
        0.2,
        5.0,
        "multiplier",
        "assumption (a multilateral delegation, e.g. the EU's, serves many members)",
        "Tolerance multiplier for delegations of international organisations.",
    )
    tolerance_spread: float = param(
        0.2,
        0.0,
        2.0,
        "standard deviation of log tolerance",
        "assumption",
        "Spread of a lognormal draw (median 1) on each post's tolerance, for what the model does not "
        "observe about a post.",
    )
    sustain_weeks: int = param(
        8,
        1,
        104,
        "weeks",
        "assumption",
        "Weeks of threat above tolerance before a post moves one step down (open to reduced to closed).",
    )
    reopen_share: float = param(
        0.5,
        0.0,
        1.0,
        "share of tolerance",
        "assumption",
        "Threat, as a share of tolerance, below which weeks count as calm.",
    )
    calm_weeks: int = param(
        26,
        1,
        520,
        "weeks",
        "assumption",
        "Weeks of calm (threat below reopen_share x tolerance) before a post moves one step back up.",
    )
