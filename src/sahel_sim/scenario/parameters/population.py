"""Parameters of the civilian population fields: grievance, activation, flight and return."""

from __future__ import annotations

from sahel_sim.scenario.parameters.base import Frozen, param


class PopulationParams(Frozen):
    """Civilian population fields: grievance, activation, flight and return."""

    hardship: float = param(
        0.6,
        0.0,
        1.5,
        "dimensionless",
        "assumption (Epstein 2002 draws hardship from U(0,1))",
        "Scale of hardship H; individual hardship is drawn from U(0, hardship) in each cell.",
    )
    hardship_violence_gain: float = param(
        0.3,
        0.0,
        2.0,
        "per unit violence exposure",
        "assumption",
        "How much recent violence in a cell adds to its hardship scale.",
    )
    activation_threshold: float = param(
        0.1,
        0.0,
        1.0,
        "dimensionless",
        "Epstein 2002 (T = 0.1)",
        "Net grievance a person must exceed to become willing to join an armed group.",
    )
    arrest_constant: float = param(
        2.3,
        0.1,
        10.0,
        "dimensionless",
        "Epstein 2002 (k = 2.3)",
        "Constant k in the estimated risk P = 1 - exp(-k * forces / (fighters + 1)).",
    )
    vision_km: float = param(
        150.0,
        25.0,
        500.0,
        "km",
        "assumption",
        "Radius over which people and bands sense forces, fighters and violence.",
    )
    violence_memory_weeks: float = param(
        8.0, 1.0, 52.0, "weeks", "assumption", "E-folding time of the recent-violence field."
    )
    flight_max_share: float = param(
        0.05,
        0.0,
        0.5,
        "share of cell population per week",
        "assumption (mechanism: Suleimenova et al. 2017)",
        "Largest share of a cell's people who flee in one week under extreme violence.",
    )
    flight_violence_scale: float = param(
        2.0,
        0.01,
        100.0,
        "fatalities per 100,000 people per week",
        "assumption",
        "Violence at which flight reaches 63% of its maximum.",
    )
    flight_radius_km: float = param(
        200.0,
        25.0,
        800.0,
        "km",
        "assumption (Suleimenova et al. 2017: most flee to nearby safe places)",
        "How far people flee in one week; destinations may be across a border.",
    )
    town_pull: float = param(
        1.0,
        0.0,
        5.0,
        "dimensionless",
        "assumption",
        "Exponent on population size in the attractiveness of a destination (towns and camps pull).",
    )
    return_rate: float = param(
        0.01,
        0.0,
        0.5,
        "share of displaced per week",
        "assumption",
        "Share of displaced people who return or settle each calm week.",
    )
    return_calm_weeks: int = param(
        13,
        0,
        260,
        "weeks",
        "assumption (a season without violence before people go home)",
        "Weeks the area within flight reach must stay calm before any displaced person there returns.",
    )
    return_calm_violence: float = param(
        0.2,
        0.0,
        100.0,
        "fatalities per 100,000 people per week",
        "assumption (a tenth of flight_violence_scale)",
        "Recent violence in the area within flight reach below which a week counts as calm.",
    )
    initial_displaced_km: float = param(
        75.0,
        10.0,
        800.0,
        "km",
        "assumption, set so that Mali's placed stock is about three quarters in its centre and north, as "
        "IOM DTM found in December 2020 (Mopti, Gao and Timbuktu regions 256,000 of 333,000; FACTS.md)",
        "Distance scale of exp(-d / scale) from the armed groups' start areas that places a run's registered "
        "displaced people at its start (with initial_displacement: registered).",
    )
    legitimacy_recovery: float = param(
        0.002,
        0.0,
        0.05,
        "per week",
        "assumption",
        "Rate at which national legitimacy recovers towards its scenario baseline after a shock.",
    )
    abuse_legitimacy_loss: float = param(
        0.3,
        0.0,
        5.0,
        "legitimacy per civilian killed per 10,000 people",
        "assumption (Bennett 2008 mechanism)",
        "Local loss of legitimacy caused by civilians killed by state or partner forces.",
    )
    abuse_memory_weeks: float = param(
        104.0, 4.0, 520.0, "weeks", "assumption", "E-folding time over which local anger at abusive forces fades."
    )
