"""Scenario parameters: countries, instruments, the answer model and the case process.

Everything the simulation draws from is here, typed and frozen. The nl and eu presets take
their volumes and nationality mix from the real figures (:mod:`retour.simulate.calibration`)
and their country picture from ``data/countries.csv``; every other value is an assumption
documented in docs/simulation.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from retour.domain.codes import InstrumentKind, InstrumentLevel, InstrumentStatus, YesNo
from retour.domain.errors import UsageError
from retour.simulate import calibration
from retour.simulate.calibration import Calibration
from retour.simulate.hard import HardWorld, World, parse_world

COUNTRIES_CSV = "countries.csv"
#: Seed of the fixed per-country jitter: countries of one tier differ, but the same way in
#: every run (the run's own seed drives drift and cases only).
JITTER_SEED = 20240126
YES = YesNo.YES.value  # the flags of countries.csv


class ScenarioName(StrEnum):
    NL = "nl"
    EU = "eu"


class EvidenceGroup(StrEnum):
    DOCUMENTED = "documented"
    MIXED = "mixed"
    UNDOCUMENTED = "undocumented"


#: Identity evidence at the first request (document, indirect, none) per group.
EVIDENCE_MIX: dict[EvidenceGroup, tuple[float, float, float]] = {
    EvidenceGroup.DOCUMENTED: (0.55, 0.30, 0.15),
    EvidenceGroup.MIXED: (0.30, 0.35, 0.35),
    EvidenceGroup.UNDOCUMENTED: (0.12, 0.33, 0.55),
}


@dataclass(frozen=True, slots=True)
class Tier:
    """A tier's latent cooperation (logit scale) and answer behaviour at that level."""

    cooperation: float
    answer_median_days: float
    never_answer: float


TIERS: dict[int, Tier] = {
    5: Tier(2.4, 20.0, 0.03),
    4: Tier(1.6, 35.0, 0.07),
    3: Tier(0.9, 60.0, 0.15),
    2: Tier(0.2, 100.0, 0.30),
    1: Tier(-0.6, 160.0, 0.50),
}
TIER_JITTER = 0.25  # sd of a country's offset from its tier, logit scale


class Course(IntEnum):
    """The course a case is set on when it enters (internal; never written out)."""

    WILLING = 0  # departs independently, sometimes after an LP application
    TARGETED = 1  # forced return pursued: requests, sometimes detention
    ABSCONDER = 2  # no requests; leaves without supervision
    STAYER = 3  # no requests; stays until another exit or the extraction date


@dataclass(frozen=True, slots=True)
class CountryParams:
    code: str
    weight: float  # share of the intake
    tier: int
    cooperation: float  # latent cooperation at baseline, logit scale
    answer_median_days: float
    never_answer: float
    evidence_mix: tuple[float, float, float]  # document, indirect, none
    cooperates_yes: float  # share of unwilling nationals who cooperate at the start
    lp_process: bool
    forced_return: bool


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    country: str
    kind: InstrumentKind
    level: InstrumentLevel
    status: InstrumentStatus
    start_on: dt.date
    end_on: dt.date | None
    title: str
    source: str | None
    effect: float  # shift of the latent cooperation while it applies, logit scale
    placebo: bool = False
    delay_days: int = 0  # the effect arrives this many days after the start (hard world)
    reactive: bool = False  # started the day after the country's worst quarter (hard world)


@dataclass(frozen=True, slots=True)
class AnswerModel:
    """How a country answers a request (see docs/simulation.md, "answers")."""

    #: logit effect of id_evidence: document, indirect, none
    beta_evidence: tuple[float, float, float] = (0.0, -1.3, -2.8)
    #: logit effect of alien_cooperates: yes, no, unknown
    beta_cooperation: tuple[float, float, float] = (0.0, -1.5, -0.7)
    #: logit effect of the kind: LP, TO
    beta_kind: tuple[float, float] = (0.0, 0.3)
    #: log answer delay ~ Normal(log median - speed_slope * shift, sigma)
    answer_sigma: float = 0.7
    speed_slope: float = 0.4
    #: logit P(never answers) = logit(never_answer) - never_slope * shift
    never_slope: float = 0.8
    #: an unanswered request is withdrawn (no_response) after U(min, max) days
    withdraw_days: tuple[int, int] = (180, 365)
    horizon_days: int = 90  # the index counts positive answers within this many days
    drift_sd: float = 0.3  # stationary sd of a country's drift, logit scale
    drift_years: float = 3.0  # mean-reversion time of the drift


@dataclass(frozen=True, slots=True)
class CaseModel:
    """The life of a case (see docs/simulation.md, "cases"). Days unless said otherwise."""

    willing_cooperates: tuple[float, float, float] = (0.85, 0.05, 0.10)  # yes, no, unknown
    asylum_share: float = 0.15  # subsequent asylum application (willing: a third of it)
    asylum_start_days: tuple[int, int] = (7, 180)
    asylum_mean_days: float = 160.0
    asylum_lawful_share: float = 0.20
    lawful_stay: tuple[float, int, int] = (0.05, 90, 1500)  # share, window from opening
    transferred: tuple[float, int, int] = (0.04, 20, 180)
    deceased: tuple[float, int, int] = (0.003, 0, 2000)
    other_exit: tuple[float, int, int] = (0.02, 30, 1000)
    independent_mean_days: float = 120.0
    willing_request_share: float = 0.30
    willing_first_request_mean_days: float = 30.0
    first_request_mean_days: float = 50.0
    retry_after_negative: float = 0.45
    retry_after_no_response: float = 0.55
    retry_willing: float = 0.30
    retry_gap_days: tuple[int, int] = (30, 150)
    max_rounds: int = 5
    targeted_abscond_share: float = 0.5
    targeted_abscond_mean_days: float = 300.0
    absconder_mean_days: float = 150.0
    abscond_registration_days: tuple[int, int] = (0, 28)
    document_mean_days: float = 12.0
    # the document's wait after a positive answer follows the country's latent cooperation
    # z on the day of the request: its mean is document_mean_days * exp(-slope * z)
    document_cooperation_slope: float = 0.4
    procedure_after_positive: float = 0.06  # a new procedure blocks the document
    procedure_mean_days: float = 150.0
    forced_mean_days: float = 35.0
    detention_first_share: float = 0.17
    detention_later_share: float = 0.06
    detention_for_removal_share: float = 0.5  # of removals after a document, not detained
    detention_lead_days: tuple[int, int] = (0, 14)
    detention_review_share: float = 0.12
    detention_review_days: tuple[int, int] = (45, 120)
    court_order_share: float = 0.25
    court_order_days: tuple[int, int] = (14, 120)
    max_term_days: int = 180
    other_release_share: float = 0.05
    other_release_days: tuple[int, int] = (7, 90)
    release_abscond_share: float = 0.55
    release_abscond_mean_days: float = 10.0
    evidence_improves: tuple[float, float] = (0.15, 0.08)  # none->indirect, indirect->doc
    cooperation_turns: float = 0.10  # yes->no (no->yes) between requests
    cooperation_turns_after_negative: float = 0.25  # yes->no after a negative answer
    cooperation_after_detention: float = 0.35  # no->yes after detention
    unknown_resolves: float = 0.20  # unknown->yes, and as often unknown->no
    assisted_share: float = 0.55


#: Countries whose case mix the confounding option turns against their cooperation:
#: (cooperates well but its nationals bring no documents, cooperates poorly but they do).
CONFOUND_PAIRS: tuple[tuple[str, str], ...] = (("NG", "IQ"), ("GE", "AF"), ("AM", "SL"))
CONFOUND_HIDDEN = ((0.02, 0.10, 0.88), 0.05)  # evidence mix, cooperates_yes
CONFOUND_FLATTERED = ((0.85, 0.12, 0.03), 0.80)
DEFAULT_COOPERATES_YES = 0.25
MAX_PLACEBOS = 30  # placebos go to countries without another instrument; about 30 have volume


@dataclass(frozen=True, slots=True)
class Scenario:
    name: ScenarioName
    countries: tuple[CountryParams, ...]
    instruments: tuple[InstrumentSpec, ...]
    calibration: Calibration
    volume_factor: float  # intake relative to DT&V's
    scale: float = 1.0
    answers: AnswerModel = field(default_factory=AnswerModel)
    cases: CaseModel = field(default_factory=CaseModel)
    confounded: tuple[tuple[str, str], ...] = ()
    placebos: int = 3
    warmup_years: int = 2
    pilot_cases: int = 4000  # per path and cohort year, for the calibration pilot
    world: World = World.EASY
    hard: HardWorld = field(default_factory=HardWorld)

    @property
    def is_hard(self) -> bool:
        return self.world is World.HARD

    def country_index(self) -> dict[str, int]:
        return {c.code: i for i, c in enumerate(self.countries)}


VOLUME_FACTOR: dict[ScenarioName, float] = {ScenarioName.NL: 1.0, ScenarioName.EU: 20.0}


def build_scenario(
    name: str,
    *,
    scale: float = 1.0,
    confound: bool = False,
    placebos: int = 3,
    world: str = World.EASY.value,
    real_dir: Path = calibration.REAL_DIR,
) -> Scenario:
    """The nl or eu preset. `scale` multiplies the volumes (0.25 for a mid-size run);
    `world` ``hard`` adds what the easy world leaves out (:mod:`retour.simulate.hard`)."""
    preset = parse_scenario(name)
    chosen = parse_world(world)
    if not 0 < scale <= 50:
        raise UsageError(f"scale {scale} is out of range.", hint="Give a scale above 0, up to 50.")
    if not 0 <= placebos <= MAX_PLACEBOS:
        raise UsageError(
            f"{placebos} placebo instruments is out of range.", hint=f"Give 0 to {MAX_PLACEBOS}."
        )
    cal = calibration.load(real_dir)
    countries = _countries(cal, preset)
    pairs = CONFOUND_PAIRS if confound else ()
    if pairs:
        countries = _confound(countries, pairs)
    if chosen is World.HARD:
        countries = _shrink(countries, HardWorld())
    return Scenario(
        name=preset,
        countries=countries,
        instruments=INSTRUMENTS,
        calibration=cal,
        volume_factor=VOLUME_FACTOR[preset],
        scale=scale,
        confounded=pairs,
        placebos=placebos,
        world=chosen,
    )


def _shrink(countries: tuple[CountryParams, ...], hw: HardWorld) -> tuple[CountryParams, ...]:
    """Small countries beside large ones: a band of mid-size ones at a fraction of their
    volume (at eu scale 0.25 they get some 20-60 requests a year)."""
    ranked = sorted(countries, key=lambda c: (-c.weight, c.code))
    small = {c.code for c in ranked[hw.small_countries[0] : hw.small_countries[1]]}
    return tuple(
        replace(c, weight=c.weight * hw.small_factor) if c.code in small else c for c in countries
    )


def parse_scenario(name: str) -> ScenarioName:
    try:
        return ScenarioName(name)
    except ValueError:
        known = ", ".join(s.value for s in ScenarioName)
        raise UsageError(f"unknown scenario {name!r}.", hint=f"Use one of: {known}.") from None


def _countries(cal: Calibration, preset: ScenarioName) -> tuple[CountryParams, ...]:
    table = pl.read_csv(
        Path(str(resources.files("retour.simulate") / "data" / COUNTRIES_CSV)),
        comment_prefix="#",
        schema_overrides={"note": pl.String},
    ).sort("code")
    missing = set(cal.orders) - set(table["code"])
    if missing:
        raise ValueError(f"{COUNTRIES_CSV} lacks {sorted(missing)}")
    column = 0 if preset is ScenarioName.NL else 1
    total = sum(v[column] for v in cal.orders.values())
    jitter = np.random.default_rng(JITTER_SEED).normal(0.0, TIER_JITTER, table.height)
    out = []
    for row, offset in zip(table.iter_rows(named=True), jitter, strict=True):
        code = str(row["code"])
        if code not in cal.orders:
            continue
        tier = TIERS[int(row["tier"])]
        out.append(
            CountryParams(
                code=code,
                weight=cal.orders[code][column] / total,
                tier=int(row["tier"]),
                cooperation=round(tier.cooperation + float(offset), 4),
                answer_median_days=tier.answer_median_days,
                never_answer=tier.never_answer,
                evidence_mix=EVIDENCE_MIX[EvidenceGroup(row["evidence"])],
                cooperates_yes=DEFAULT_COOPERATES_YES,
                lp_process=row["lp_process"] == YES,
                forced_return=row["forced_return"] == YES,
            )
        )
    return tuple(out)


def _confound(
    countries: tuple[CountryParams, ...], pairs: tuple[tuple[str, str], ...]
) -> tuple[CountryParams, ...]:
    hidden = {good for good, _ in pairs}
    flattered = {bad for _, bad in pairs}
    out = []
    for c in countries:
        if c.code in hidden or c.code in flattered:
            mix, yes = CONFOUND_HIDDEN if c.code in hidden else CONFOUND_FLATTERED
            out.append(replace(c, evidence_mix=mix, cooperates_yes=yes))
        else:
            out.append(c)
    return tuple(out)


# --- instruments -----------------------------------------------------------------------------

K, L, S = InstrumentKind, InstrumentLevel, InstrumentStatus
D = dt.date
LETTER = "Letter to Parliament, 26 January 2024"
PRESS_ANSWER = "Answer to press questions on refused readmissions"
ILLUSTRATIVE = "; start date illustrative"
EU_RA = "EU readmission agreement, entry into force"


def _ra(country: str, start: dt.date) -> InstrumentSpec:
    return InstrumentSpec(
        country, K.READMISSION_AGREEMENT, L.EU, S.IN_FORCE, start, None,
        "EU readmission agreement", EU_RA, 0.4,
    )  # fmt: skip


#: The seeds' real instruments (their effects are invented) and some others.
INSTRUMENTS: tuple[InstrumentSpec, ...] = (
    InstrumentSpec("GM", K.VISA_MEASURE, L.EU, S.IN_FORCE, D(2021, 10, 7), None,
                   "Visa measures under article 25a of the Visa Code",
                   f"Council Implementing Decision (EU) 2021/1781; {LETTER}", 0.9),
    InstrumentSpec("MN", K.READMISSION_AGREEMENT, L.BENELUX, S.IN_FORCE, D(2024, 1, 9), None,
                   "Benelux readmission agreement", LETTER, 0.6),
    InstrumentSpec("MA", K.PARTNERSHIP, L.BILATERAL, S.IN_FORCE, D(2022, 4, 1), None,
                   "Broad migration partnership",
                   f"{LETTER}; Kamerstuk 30 573, nr. 207{ILLUSTRATIVE}", 0.8),
    InstrumentSpec("NG", K.PARTNERSHIP, L.BILATERAL, S.IN_FORCE, D(2022, 10, 1), None,
                   "Migration partnership", f"{LETTER}{ILLUSTRATIVE}", 0.3),
    InstrumentSpec("BD", K.VISA_MEASURE, L.EU, S.PROPOSED, D(2021, 7, 15), None,
                   "Proposal for visa measures under article 25a of the Visa Code",
                   f"{LETTER}{ILLUSTRATIVE}", 0.2),
    InstrumentSpec("IQ", K.VISA_MEASURE, L.EU, S.PROPOSED, D(2021, 7, 15), None,
                   "Proposal for visa measures under article 25a of the Visa Code",
                   f"{LETTER}{ILLUSTRATIVE}", 0.3),
    InstrumentSpec("ET", K.VISA_MEASURE, L.EU, S.PROPOSED, D(2023, 9, 1), None,
                   "Proposal for visa measures under article 25a of the Visa Code",
                   f"{LETTER}{ILLUSTRATIVE}", 0.3),
    InstrumentSpec("SN", K.VISA_MEASURE, L.EU, S.PROPOSED, D(2023, 9, 1), None,
                   "Proposal for visa measures under article 25a of the Visa Code",
                   f"{LETTER}{ILLUSTRATIVE}", 0.3),
    InstrumentSpec("AF", K.WORKING_ARRANGEMENT, L.EU, S.IN_FORCE, D(2016, 10, 2), None,
                   "Joint Way Forward on migration issues", PRESS_ANSWER, 0.5),
    InstrumentSpec("BD", K.WORKING_ARRANGEMENT, L.EU, S.IN_FORCE, D(2017, 9, 1), None,
                   "Working arrangement on return", PRESS_ANSWER + ILLUSTRATIVE,
                   0.3),
    InstrumentSpec("ET", K.WORKING_ARRANGEMENT, L.EU, S.IN_FORCE, D(2018, 2, 1), None,
                   "Working arrangement on return", PRESS_ANSWER + ILLUSTRATIVE,
                   0.3),
    InstrumentSpec("GN", K.DIPLOMATIC, L.BILATERAL, S.IN_FORCE, D(2022, 3, 1), None,
                   "Diplomatic talks on return", f"{LETTER}{ILLUSTRATIVE}", 0.5),
    InstrumentSpec("GN", K.OPERATIONAL, L.EU, S.IN_FORCE, D(2022, 9, 1), None,
                   "Operational cooperation on identification", f"{LETTER}{ILLUSTRATIVE}",
                   0.2),
    InstrumentSpec("SO", K.OPERATIONAL, L.BILATERAL, S.IN_FORCE, D(2022, 3, 1), None,
                   "Operational cooperation on identification", f"{LETTER}{ILLUSTRATIVE}",
                   0.3),
    InstrumentSpec("TN", K.PARTNERSHIP, L.EU, S.IN_FORCE, D(2023, 7, 16), None,
                   "Memorandum of understanding on a strategic partnership", None, 0.3),
    InstrumentSpec("PK", K.TRADE_PREFERENCE, L.EU, S.PROPOSED, D(2021, 9, 22), None,
                   "Linking trade preferences (GSP) to readmission", LETTER, 0.1),
    InstrumentSpec("GH", K.OPERATIONAL, L.BILATERAL, S.ENDED, D(2019, 5, 1), D(2021, 5, 1),
                   "Identification missions", None, 0.3),
    _ra("LK", D(2005, 5, 1)), _ra("AL", D(2006, 5, 1)), _ra("RU", D(2007, 6, 1)),
    _ra("UA", D(2008, 1, 1)), _ra("MD", D(2008, 1, 1)), _ra("MK", D(2008, 1, 1)),
    _ra("RS", D(2008, 1, 1)), _ra("ME", D(2008, 1, 1)), _ra("BA", D(2008, 1, 1)),
    _ra("PK", D(2010, 12, 1)), _ra("GE", D(2011, 3, 1)), _ra("AM", D(2014, 1, 1)),
    _ra("AZ", D(2014, 9, 1)), _ra("TR", D(2014, 10, 1)), _ra("CV", D(2014, 12, 1)),
    _ra("BY", D(2020, 7, 1)),
)  # fmt: skip

PLACEBO_KINDS: dict[InstrumentKind, str] = {
    K.DIPLOMATIC: "Diplomatic talks on return",
    K.OPERATIONAL: "Operational cooperation on identification",
    K.WORKING_ARRANGEMENT: "Working arrangement on return",
}
