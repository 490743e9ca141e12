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
    """Diplomatic posts: perceived threat and the open / reduced / closed decision."""

    vicinity_km: float = param(
        300.0,
        10.0,
        2000.0,
        "km",
        "assumption",
        "Radius around a post within which violence and insurgent control count as threat.",
    )
    violence_scale: float = param(
        100.0,
        0.1,
        1000.0,
        "fatalities per week",
        "assumption",
        "Recent fatalities near a post that make a threat of 1.",
    )
    weight_violence: float = param(
        1.0, 0.0, 10.0, "threat units", "assumption", "Weight of nearby violence in a post's threat."
    )
    weight_control: float = param(
        1.0,
        0.0,
        10.0,
        "threat units",
        "assumption",
        "Weight of the population share under insurgent control near the post.",
    )
    weight_international: float = param(
        0.05,
        0.0,
        10.0,
        "threat units per attack per week",
        "assumption (Radisson Blu 2015; Norway 2023)",
        "Weight of attacks on diplomatic and international targets in the covered countries.",
    )
    weight_peacekeepers: float = param(
        0.8,
        0.0,
        10.0,
        "threat units",
        "assumption (Norway cited the UN withdrawal, 31 Aug 2023)",
        "Reassurance from peacekeepers in the host country (subtracted at full mission strength).",
    )
    peacekeeper_reference: float = param(
        10000.0,
        100.0,
        100000.0,
        "personnel",
        "assumption",
        "Peacekeeper strength in the host country that gives the full reassurance.",
    )
    sustain_weeks: int = param(
        8,
        1,
        104,
        "weeks",
        "assumption",
        "Weeks of threat above tolerance before a post moves one step down (open to reduced to closed).",
    )
    calm_weeks: int = param(
        26,
        1,
        520,
        "weeks",
        "assumption",
        "Weeks of threat below half its tolerance before a post moves one step back up.",
    )
    threat_memory_weeks: float = param(
        4.0, 1.0, 52.0, "weeks", "assumption", "E-folding time of the international-attack component of threat."
    )
