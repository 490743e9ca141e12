"""Parameters of the armed bands and their fights: insurgency and combat."""

from __future__ import annotations

from sahel_sim.scenario.parameters.base import CALIBRATED, Frozen, param


class InsurgencyParams(Frozen):
    """Armed bands: recruitment, desertion, movement, attacks and splitting."""

    mobilisation_cap: float = param(
        0.003415,
        0.0,
        0.2,
        "share of willing people",
        CALIBRATED,
        "Largest share of the willing people within reach who can be under arms at once (carrying capacity).",
    )
    recruit_rate: float = param(
        0.01787,
        0.0,
        0.5,
        "share of the unmobilised capacity per week",
        CALIBRATED,
        "Share of the remaining mobilisation capacity within a band's reach that joins it each week.",
    )
    desertion_rate: float = param(
        0.01, 0.0, 0.2, "share of fighters per week", "assumption", "Share of a band's fighters who leave each week."
    )
    band_split_strength: int = param(
        400,
        20,
        5000,
        "fighters",
        "assumption",
        "A band larger than this splits in two, the new band in a neighbouring cell.",
    )
    band_min_strength: int = param(8, 1, 100, "fighters", "assumption", "A band smaller than this dissolves.")
    move_km: float = param(120.0, 0.0, 600.0, "km per week", "assumption", "Farthest a band moves in one week.")
    fear_of_force: float = param(
        1.0,
        0.0,
        10.0,
        "dimensionless",
        "assumption (Epstein 2002: agents avoid superior force)",
        "Weight of local force superiority against a band when it chooses where to move.",
    )
    attack_rate: float = param(
        0.6865,
        0.0,
        1.0,
        "attacks per band per week",
        CALIBRATED,
        "Chance that a band attacks something in a given week, before deterrence.",
    )
    lethality: float = param(
        0.05254,
        0.0,
        10.0,
        "fatalities per sqrt(fighter) per attack",
        CALIBRATED,
        "Expected deaths in an attack grow with the square root of the attacking band's size.",
    )
    reach_km: float = param(150.0, 10.0, 600.0, "km", "assumption", "Farthest target a band can strike in a week.")
    rival_clash_rate: float = param(
        0.3,
        0.0,
        1.0,
        "clashes per nearby rival pair per week",
        "assumption (JNIM and IS Sahel fight since 2020)",
        "Chance that rival bands within reach of each other fight in a week.",
    )
    influence_gain: float = param(
        0.002,
        0.0,
        0.1,
        "presence per fighter",
        "assumption",
        "How much one fighter adds to its faction's presence in the cells around its band.",
    )


class CombatParams(Frozen):
    """Engagements between state or partner forces and armed bands."""

    operating_radius_km: float = param(
        250.0, 10.0, 800.0, "km", "assumption", "Radius around a unit's post within which it engages bands."
    )
    engagement_rate: float = param(
        0.4,
        0.0,
        5.0,
        "operations per 1,000 personnel per week",
        "assumption",
        "Operations a unit mounts per week against bands in range, per 1,000 personnel (at least one unit's worth).",
    )
    insurgent_loss: float = param(
        0.008369,
        0.0,
        1.0,
        "share of band per engagement at effectiveness 1",
        CALIBRATED,
        "Share of a band killed in an engagement by a unit of effectiveness 1 and equal size.",
    )
    force_loss: float = param(
        0.0008803,
        0.0,
        0.5,
        "share of unit per engagement",
        CALIBRATED,
        "Share of a unit killed in an engagement with a band of equal size.",
    )
    collateral_rate: float = param(
        4.0,
        0.0,
        100.0,
        "civilian deaths per engagement at accuracy 0",
        "assumption (Bennett 2008 'accuracy')",
        "Civilians killed in an engagement by a completely inaccurate force; scaled by (1 - accuracy).",
    )
