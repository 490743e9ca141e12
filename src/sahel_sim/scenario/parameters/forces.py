"""Parameters of the peacekeeping camps and the national armies with their partners."""

from __future__ import annotations

from sahel_sim.scenario.parameters.base import Frozen, param


class PeacekeepingParams(Frozen):
    """Peacekeeping contingents: protection, deterrence, casualties and withdrawal."""

    protection_radius_km: float = param(
        100.0,
        10.0,
        500.0,
        "km",
        "Fjelde, Hultman & Nilsson 2019 (local presence)",
        "Patrol radius of a camp of 1,000 personnel; it grows with the square root of strength, up to 3x.",
    )
    protection_efold_personnel: float = param(
        2015.0,
        50.0,
        50000.0,
        "personnel",
        "derived from Hultman, Kathman & Shannon 2013: 106 civilian deaths a month with no troops, "
        "fewer than 2 with 8,000; 8,000 / ln(106 / 2)",
        "Peacekeepers within reach at which rebel killing of civilians (attacks deterred and deaths per "
        "attack averted together) falls to 37% of its unprotected level.",
    )
    protection_max_personnel: float = param(
        8000.0,
        0.0,
        100000.0,
        "personnel",
        "Hultman, Kathman & Shannon 2013: their largest reported deployment, 8,000 troops",
        "Peacekeepers within reach beyond which civilians are protected no further (ceiling: 1 - 2/106 = 98.1% "
        "of rebel killing of civilians averted).",
    )
    deterrence_efold_personnel: float = param(
        7696.0,
        50.0,
        50000.0,
        "personnel",
        "derived from Hultman, Kathman & Shannon 2014: battle deaths 22 a month with no troops, 6 with "
        "10,000; 10,000 / ln(22 / 6)",
        "Peacekeepers within reach at which armed groups' attacks (on anyone, peacekeepers included) fall "
        "to 37% of their undeterred rate.",
    )
    deterrence_max_personnel: float = param(
        10000.0,
        0.0,
        100000.0,
        "personnel",
        "Hultman, Kathman & Shannon 2014: their largest reported deployment, 10,000 troops",
        "Peacekeepers within reach beyond which attacks are deterred no further (ceiling: 1 - 6/22 = 72.7%).",
    )
    ied_rate: float = param(
        0.004,
        0.0,
        0.1,
        "casualties per 1,000 personnel per week per unit insurgent presence",
        "assumption; MINUSMA: 245 mine/IED attacks in 2021",
        "Rate of peacekeeper deaths from mines and IEDs on patrols and supply roads.",
    )
    hardened_target_factor: float = param(
        1.0,
        0.0,
        1.0,
        "multiplier",
        "calibrated to MINUSMA's peacekeepers killed in hostile acts (UN: 21 in 2017, 19 in 2021, 14 in 2022, "
        "146 from July 2013 to October 2021), docs/CALIBRATION.md",
        "Lethality of an attack on peacekeepers (fortified camps, armoured convoys) relative to an attack on people.",
    )
    drawdown_weeks: int = param(
        6,
        1,
        52,
        "weeks",
        "assumption (closures took about 4-8 weeks each in 2023)",
        "Weeks before its closing date over which a camp's strength drains.",
    )
    convoy_share: float = param(
        0.3,
        0.0,
        1.0,
        "share of camp strength",
        "assumption",
        "Share of a camp's last personnel who leave by road in the final convoy.",
    )
    convoy_speed_km: float = param(
        150.0,
        10.0,
        1000.0,
        "km per week",
        "assumption (MINUSMA convoys from Kidal took weeks)",
        "Distance a withdrawing convoy covers per week.",
    )
    convoy_exposure: float = param(
        2.0,
        0.0,
        20.0,
        "dimensionless",
        "assumption (several closures brought forward under attack)",
        "How much more exposed to attack a moving convoy is than a camp.",
    )
    state_support: float = param(
        0.5,
        0.0,
        2.0,
        "dimensionless",
        "assumption",
        "Weight of peacekeepers in local state presence (0: they do not count towards state control).",
    )


class ArmyParams(Frozen):
    """National armies: garrisons, overstretch and reoccupation."""

    garrison_min_population: int = param(
        20000,
        0,
        1_000_000,
        "people",
        "assumption",
        "Towns at least this large get an army garrison (capitals always do).",
    )
    garrison_hold_km: float = param(
        25.0,
        0.0,
        500.0,
        "km",
        "assumption (state forces hold the towns they garrison; armed groups recruit in the countryside)",
        "People within this distance of an active national garrison (at least the garrison's own map cell) "
        "cannot be recruited by armed groups.",
    )
    overstretch_ratio: float = param(
        0.8,
        0.0,
        10.0,
        "unit strength / nearby fighters",
        "assumption",
        "A remote post whose strength falls below this multiple of nearby fighters is overstretched.",
    )
    overstretch_weeks: int = param(
        6, 1, 104, "weeks", "assumption", "Consecutive overstretched weeks after which a remote post is abandoned."
    )
    remote_km: float = param(
        300.0,
        0.0,
        3000.0,
        "km",
        "assumption",
        "Posts farther than this from the capital may be abandoned when overstretched.",
    )
    reoccupy_ratio: float = param(
        3.0,
        0.0,
        50.0,
        "unit strength / nearby fighters",
        "assumption",
        "An abandoned post is reoccupied when the army could hold it at this multiple of nearby fighters.",
    )
