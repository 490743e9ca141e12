"""Mechanism parameters: every rate, scale and threshold the model's rules use.

This module and :mod:`sahel_sim.scenario.schema` together are the scenario schema, the single source of every
default, bound and unit. Each parameter is declared with :func:`param`, which records its unit and
where its default comes from (a figure in the reference facts, a paper, or "assumption"). The ODD
document (docs/ODD.md) explains how each one enters the rules; ``python -m sahel_sim params`` lists
them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Source of the defaults chosen by ``python -m sahel_sim calibrate scenarios/calibration/mali_2012_2022.yaml``.
CALIBRATED = "calibrated to Mali's deaths 2012-2022 (docs/CALIBRATION.md)"


class Frozen(BaseModel):
    """Base for every schema object: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def param(default: Any, ge: float, le: float, unit: str, source: str, description: str) -> Any:
    """Declare a bounded mechanism parameter.

    Args:
        default: The default value.
        ge: Lowest allowed value (inclusive).
        le: Highest allowed value (inclusive).
        unit: Unit of the value, e.g. "per week" or "km".
        source: Where the default comes from: a paper, a fact, or "assumption".
        description: What the parameter does, in one sentence.

    Returns:
        A pydantic ``Field`` carrying the unit and source as schema metadata.

    """
    return Field(
        default,
        ge=ge,
        le=le,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )


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


class InsurgencyParams(Frozen):
    """Armed bands: recruitment, desertion, movement, attacks and splitting."""

    mobilisation_cap: float = param(
        0.003313,
        0.0,
        0.2,
        "share of willing people",
        CALIBRATED,
        "Largest share of the willing people within reach who can be under arms at once (carrying capacity).",
    )
    recruit_rate: float = param(
        0.01322,
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
        0.5891,
        0.0,
        1.0,
        "attacks per band per week",
        CALIBRATED,
        "Chance that a band attacks something in a given week, before deterrence.",
    )
    lethality: float = param(
        0.1039,
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
        0.004707,
        0.0,
        1.0,
        "share of band per engagement at effectiveness 1",
        CALIBRATED,
        "Share of a band killed in an engagement by a unit of effectiveness 1 and equal size.",
    )
    force_loss: float = param(
        0.005658,
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
        1500.0,
        50.0,
        20000.0,
        "personnel",
        "derived from Hultman, Kathman & Shannon 2013 dose-response",
        "Local strength at which rebel violence against civilians falls to 37% of its unprotected level.",
    )
    deterrence_efold_personnel: float = param(
        500.0,
        50.0,
        50000.0,
        "personnel",
        "assumption (Hultman et al. 2014: troops reduce battle deaths)",
        "Local strength at which attacks on peacekeepers and their area fall to 37%.",
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
        0.25,
        0.0,
        1.0,
        "multiplier",
        "assumption from MINUSMA: 146 killed in hostile acts by Oct 2021 (UN) "
        "against hundreds of attacks a year (245 mine/IED attacks in 2021)",
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
    handover_radius_km: float = param(
        60.0,
        0.0,
        500.0,
        "km",
        "assumption",
        "A closing camp is handed to an army unit within this distance; otherwise it leaves a vacuum.",
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


class Mechanisms(Frozen):
    """All mechanism parameters, grouped by the part of the model that uses them."""

    population: PopulationParams = PopulationParams()
    insurgency: InsurgencyParams = InsurgencyParams()
    combat: CombatParams = CombatParams()
    peacekeeping: PeacekeepingParams = PeacekeepingParams()
    army: ArmyParams = ArmyParams()
    control: ControlParams = ControlParams()
    diplomacy: DiplomacyParams = DiplomacyParams()


def iter_parameters(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted_path, FieldInfo)`` for every bounded parameter under a schema class.

    Args:
        model: A schema class, e.g. :class:`Mechanisms`.
        prefix: Dotted path of ``model`` inside the scenario.

    Yields:
        Pairs of dotted path and pydantic field info (with ``json_schema_extra`` unit and source).

    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from iter_parameters(annotation, path + ".")
        elif isinstance(info.json_schema_extra, dict) and "unit" in info.json_schema_extra:
            yield path, info


def bounds(info: Any) -> tuple[float | None, float | None]:
    """Return the ``(ge, le)`` bounds recorded on a field, or ``None`` where unbounded."""
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi
