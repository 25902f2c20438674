"""The return chain, vectorised: every case at once, requests in a few rounds.

Each case's latent life is drawn in full (no extraction date here): its course, its exits,
its subsequent asylum application, its requests (one open at a time), its detentions and
its departure. Censoring at the extraction date happens when the tables are assembled.
Days are integers counted from the timeline's origin; NEVER stands for "does not happen".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from retour.domain.codes import (
    CloseReason,
    Condition,
    ConditionState,
    Cooperates,
    DepartureType,
    DetentionEndReason,
    IdEvidence,
    Outcome,
    RequestReason,
)
from retour.simulate.cooperation import GREEN_FROM, Timeline, answer_law, document_mean
from retour.simulate.hard import draw_delay, draw_wait
from retour.simulate.scenario import CaseModel, Course, Scenario

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
NEVER = 10**8


def code(member: Enum) -> int:
    """The position of an enum member in its enum: the integer code used in the arrays."""
    return list(type(member)).index(member)


DOCUMENT, INDIRECT, NO_EVIDENCE = (code(e) for e in IdEvidence)
YES, NO, UNKNOWN = (code(c) for c in Cooperates)
PENDING, POSITIVE, NEGATIVE, WITHDRAWN = (code(o) for o in Outcome)
GREEN, RED, UNSEEN = (code(s) for s in ConditionState)
REMOVABLE, COUNTRY, IDENTITY, AVAILABLE, ALIEN = (code(c) for c in Condition)
FORCED, INDEPENDENT, UNSUPERVISED = (code(t) for t in DepartureType)
R = {r: code(r) for r in RequestReason}
END = {e: code(e) for e in DetentionEndReason}
CLOSE = {c: code(c) for c in CloseReason}
NONE_CODE = -1
#: identity state by evidence: document green, indirect unknown, none red
IDENTITY_STATE = np.array([GREEN, UNSEEN, RED])
#: alien_cooperates state by cooperation: yes green, no red, unknown unknown
ALIEN_STATE = np.array([GREEN, RED, UNSEEN])
#: share of negative answers given as insufficient_information, by evidence
INSUFFICIENT = np.array([0.15, 0.5, 0.8])
OTHER_NEGATIVE = 0.03


@dataclass(slots=True)
class Records:
    """Columns of one table, gathered round by round."""

    parts: dict[str, list[NDArray[np.generic]]] = field(default_factory=dict)

    def add(self, **columns: NDArray[np.generic]) -> None:
        for name, values in columns.items():
            self.parts.setdefault(name, []).append(np.asarray(values))

    def column(self, name: str) -> NDArray[np.generic]:
        parts = self.parts.get(name, [])
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


@dataclass(slots=True)
class Chain:
    """All simulated lives. Case arrays are indexed by case; the records by row."""

    opened: IntArray
    nat: IntArray
    course: IntArray
    sex: IntArray
    birth_year: IntArray
    close_day: IntArray
    close_reason: IntArray
    depart_type: IntArray  # NONE_CODE if the case does not depart
    assisted: IntArray  # 1 yes, 0 no, NONE_CODE not applicable
    requests: Records
    detentions: Records
    conditions: Records


@dataclass(slots=True)
class _State:
    """What changes round by round."""

    abscond: IntArray
    ind: IntArray
    exit_day: IntArray
    exit_reason: IntArray
    forced: IntArray
    next_sub: IntArray
    done: BoolArray
    evidence: IntArray
    coop: IntArray
    det_count: IntArray
    last_det_end: IntArray
    last_country: IntArray
    last_identity: IntArray
    last_alien: IntArray
    asy_start: IntArray
    asy_end: IntArray


class _Sim:
    def __init__(
        self,
        scenario: Scenario,
        tl: Timeline,
        rng: np.random.Generator,
        *,
        record: bool,
    ) -> None:
        self.sc = scenario
        self.cm: CaseModel = scenario.cases
        self.tl = tl
        self.rng = rng
        self.record = record
        self.requests = Records()
        self.detentions = Records()
        self.conditions = Records()
        countries = scenario.countries
        self.evidence_cum = np.cumsum([c.evidence_mix for c in countries], axis=1)
        self.coop_yes = np.array([c.cooperates_yes for c in countries])
        model = scenario.answers
        self.beta_evidence = np.array(model.beta_evidence)
        self.beta_coop = np.array(model.beta_cooperation)
        self.z_flat = tl.z.ravel()
        self.readmission_flat = tl.readmission.ravel()
        self.possible_flat = tl.possible.ravel()
        self.lp_process = np.array([c.lp_process for c in countries])

    # --- draws ------------------------------------------------------------------------------

    def uniform(self, n: int) -> FloatArray:
        return self.rng.random(n)

    def days_between(self, low: int, high: int, n: int) -> IntArray:
        return self.rng.integers(low, high + 1, n).astype(np.int64)

    def gamma_days(self, mean: float, n: int, shape: float = 2.0) -> IntArray:
        return np.ceil(self.rng.gamma(shape, mean / shape, n)).astype(np.int64)

    def document_days(self, z: FloatArray) -> IntArray:
        """Days from a positive answer to the travel document: a gamma(2) wait whose mean
        falls as the country's latent cooperation `z` rises (scenario.CaseModel)."""
        mean = document_mean(self.cm.document_mean_days, self.cm.document_cooperation_slope, z)
        return np.ceil(self.rng.gamma(2.0, mean / 2.0)).astype(np.int64)

    def exp_days(self, mean: float, n: int) -> IntArray:
        return np.ceil(self.rng.exponential(mean, n)).astype(np.int64)

    def observe(self, case: IntArray, day: IntArray, condition: int, state: IntArray) -> None:
        if self.record and case.size:
            cond = np.full(case.size, condition, dtype=np.int8)
            self.conditions.add(
                case=case.astype(np.int32), day=day.astype(np.int32), condition=cond,
                state=state.astype(np.int8),
            )  # fmt: skip

    # --- the case -----------------------------------------------------------------------------

    def run(self, opened: IntArray, nat: IntArray, course: IntArray) -> Chain:
        n = opened.size
        st = self._start(opened, nat, course)
        self._open_conditions(np.arange(n), opened, nat, st)
        willing = course == Course.WILLING
        targeted = course == Course.TARGETED
        for _ in range(self.cm.max_rounds):
            if not self._round(st, opened, nat, willing, targeted):
                break
        return self._close(st, opened, nat, course)

    def _start(self, opened: IntArray, nat: IntArray, course: IntArray) -> _State:
        n, cm = opened.size, self.cm
        willing = course == Course.WILLING
        evidence = (self.uniform(n)[:, None] > self.evidence_cum[nat][:, :2]).sum(axis=1)
        coop = self._initial_cooperation(nat, willing)
        asy_start, asy_end, asy_lawful = self._asylum(opened, willing)
        exit_day, exit_reason = self._exits(opened)
        lawful = asy_lawful & (asy_end < exit_day)
        exit_day = np.where(lawful, asy_end, exit_day)
        exit_reason = np.where(lawful, CLOSE[CloseReason.LAWFUL_STAY], exit_reason)
        ind = np.where(willing, opened + self.gamma_days(cm.independent_mean_days, n), NEVER)
        in_asylum = (asy_start <= ind) & (ind < asy_end)
        ind = np.where(in_asylum, asy_end + self.gamma_days(45.0, n), ind)
        abscond = self._abscond(opened, course)
        return _State(
            abscond=abscond, ind=ind, exit_day=exit_day, exit_reason=exit_reason,
            forced=np.full(n, NEVER, dtype=np.int64),
            next_sub=self._first_submission(opened, course, asy_start, asy_end),
            done=np.zeros(n, dtype=bool), evidence=evidence.astype(np.int64),
            coop=coop, det_count=np.zeros(n, dtype=np.int64),
            last_det_end=opened - 1, last_country=np.full(n, NONE_CODE, dtype=np.int64),
            last_identity=IDENTITY_STATE[evidence], last_alien=ALIEN_STATE[coop],
            asy_start=asy_start, asy_end=asy_end,
        )  # fmt: skip

    def _initial_cooperation(self, nat: IntArray, willing: BoolArray) -> IntArray:
        n = nat.size
        yes = np.where(willing, self.cm.willing_cooperates[YES], self.coop_yes[nat])
        no = np.where(willing, self.cm.willing_cooperates[NO], (1.0 - yes) * 2.0 / 3.0)
        u = self.uniform(n)
        return np.where(u < yes, YES, np.where(u < yes + no, NO, UNKNOWN)).astype(np.int64)

    def _asylum(self, opened: IntArray, willing: BoolArray) -> tuple[IntArray, IntArray, BoolArray]:
        n, cm = opened.size, self.cm
        share = np.where(willing, cm.asylum_share / 3.0, cm.asylum_share)
        has = self.uniform(n) < share
        start = opened + self.days_between(*cm.asylum_start_days, n)
        end = start + self.gamma_days(cm.asylum_mean_days, n)
        lawful = has & (self.uniform(n) < cm.asylum_lawful_share)
        return np.where(has, start, NEVER), np.where(has, end, NEVER), lawful

    def _exits(self, opened: IntArray) -> tuple[IntArray, IntArray]:
        n, cm = opened.size, self.cm
        day = np.full(n, NEVER, dtype=np.int64)
        reason = np.full(n, NONE_CODE, dtype=np.int64)
        exits = (
            (CloseReason.LAWFUL_STAY, cm.lawful_stay),
            (CloseReason.TRANSFERRED, cm.transferred),
            (CloseReason.DECEASED, cm.deceased),
            (CloseReason.OTHER, cm.other_exit),
        )
        for why, (share, low, high) in exits:
            hit = self.uniform(n) < share
            when = np.where(hit, opened + self.days_between(low, high, n), NEVER)
            earlier = when < day
            day = np.where(earlier, when, day)
            reason = np.where(earlier, CLOSE[why], reason)
        return day, reason

    def _abscond(self, opened: IntArray, course: IntArray) -> IntArray:
        n, cm = opened.size, self.cm
        plain = opened + self.exp_days(cm.absconder_mean_days, n)
        targeted = opened + self.exp_days(cm.targeted_abscond_mean_days, n)
        targeted_goes = self.uniform(n) < cm.targeted_abscond_share
        return np.where(
            course == Course.ABSCONDER,
            plain,
            np.where((course == Course.TARGETED) & targeted_goes, targeted, NEVER),
        )

    def _first_submission(
        self, opened: IntArray, course: IntArray, asy_start: IntArray, asy_end: IntArray
    ) -> IntArray:
        n, cm = opened.size, self.cm
        asks = (course == Course.TARGETED) | (
            (course == Course.WILLING) & (self.uniform(n) < cm.willing_request_share)
        )
        mean = np.where(
            course == Course.WILLING, cm.willing_first_request_mean_days, cm.first_request_mean_days
        )
        first = opened + np.ceil(self.rng.gamma(2.0, mean / 2.0)).astype(np.int64)
        return np.where(asks, self._after_asylum(first, asy_start, asy_end), NEVER)

    def _after_asylum(self, day: IntArray, asy_start: IntArray, asy_end: IntArray) -> IntArray:
        during = (asy_start <= day) & (day < asy_end)
        return np.where(during, asy_end + self.days_between(7, 30, day.size), day)

    def _open_conditions(self, case: IntArray, opened: IntArray, nat: IntArray, st: _State) -> None:
        n = case.size
        flat = self.tl.at(nat, opened)
        green = self.possible_flat[flat] & (self.z_flat[flat] >= GREEN_FROM)
        st.last_country[:] = np.where(green, GREEN, RED)
        self.observe(case, opened, COUNTRY, st.last_country.copy())
        self.observe(case, opened, REMOVABLE, np.full(n, GREEN, dtype=np.int64))
        self.observe(case, opened, AVAILABLE, np.full(n, GREEN, dtype=np.int64))
        self.observe(case, opened, IDENTITY, st.last_identity)
        self.observe(case, opened, ALIEN, st.last_alien)
        has = np.flatnonzero(st.asy_start < NEVER)
        self.observe(has, st.asy_start[has], REMOVABLE, np.full(has.size, RED, dtype=np.int64))
        self.observe(has, st.asy_end[has], REMOVABLE, np.full(has.size, GREEN, dtype=np.int64))

    # --- one round of requests ----------------------------------------------------------------

    def _round(
        self, st: _State, opened: IntArray, nat: IntArray, willing: BoolArray, targeted: BoolArray
    ) -> bool:
        live = np.minimum(np.minimum(st.abscond, st.ind), st.exit_day)
        cand = np.flatnonzero((st.next_sub < live) & ~st.done)
        if not cand.size:
            return False
        sub = st.next_sub[cand]
        flat = self.tl.at(nat[cand], sub)
        possible = self.possible_flat[flat]
        st.done[cand[~possible]] = True
        cand, sub, flat = cand[possible], sub[possible], flat[possible]
        if not cand.size:
            return True
        req = self._answers(st, cand, sub, flat, nat[cand])
        self._submission_conditions(st, cand, sub, flat)
        detained = self._detain(st, cand, sub, req, opened, targeted)
        self._after_document(st, cand, req, willing, targeted)
        outcome, outcome_day, reason = self._outcome(st, cand, sub, req)
        doc = np.where(outcome == POSITIVE, req.doc, NEVER)
        self._answer_conditions(st, cand, outcome, outcome_day, req)
        if self.record:
            self.requests.add(
                case=cand, kind=req.to_kind.astype(np.int64), submitted=sub,
                evidence=st.evidence[cand].copy(), coop=st.coop[cand].copy(),
                outcome=outcome, outcome_day=outcome_day, reason=reason, document=doc,
            )  # fmt: skip
        self._retry(st, cand, outcome, outcome_day, reason, detained, willing)
        return True

    def _answers(
        self, st: _State, cand: IntArray, sub: IntArray, flat: IntArray, country: IntArray
    ) -> _Request:
        if self.tl.effects is not None:
            return self._hard_answers(st, cand, sub, flat, country)
        n, tl, model = cand.size, self.tl, self.sc.answers
        to_kind = self.readmission_flat[flat]
        law = answer_law(
            model, self.z_flat[flat], tl.base[country], tl.log_median0[country],
            tl.logit_never0[country], to_kind,
        )  # fmt: skip
        never = self.uniform(n) < law.never
        delay = np.ceil(np.exp(law.log_median + law.sigma * self.rng.standard_normal(n)))
        wait = self.days_between(*model.withdraw_days, n)
        answered = ~never & (delay <= wait)
        answer = np.where(answered, sub + delay.astype(np.int64), NEVER)
        logit_p = (
            law.z + self.beta_evidence[st.evidence[cand]] + self.beta_coop[st.coop[cand]]
            + law.kind_effect
        )  # fmt: skip
        positive = self.uniform(n) < expit(logit_p)
        blocked = positive & (self.uniform(n) < self.cm.procedure_after_positive)
        doc_at = answer + self.document_days(law.z)
        doc = np.where(answered & positive & ~blocked, doc_at, NEVER)
        return _Request(to_kind, answer, positive, blocked, doc, wait)

    def _hard_answers(
        self, st: _State, cand: IntArray, sub: IntArray, flat: IntArray, country: IntArray
    ) -> _Request:
        """The hard world (:mod:`retour.simulate.hard`): a share of T&O where an agreement
        applies, T&O faster and more often positive by the country's amount, country-specific
        case-mix effects on positivity and speed, fast/slow answer times, and withdrawals for
        want of an answer competing from day 30."""
        n, tl, model, hw = cand.size, self.tl, self.sc.answers, self.sc.hard
        fx = tl.effects
        assert fx is not None
        to_share = np.where(self.lp_process[country], fx.to_share[country], 1.0)
        to_kind = self.readmission_flat[flat] & (self.uniform(n) < to_share)
        z = self.z_flat[flat]
        law = answer_law(
            model, z, tl.base[country], tl.log_median0[country], tl.logit_never0[country], to_kind
        )
        shift = z - tl.base[country]
        ev, coop = st.evidence[cand], st.coop[cand]
        to_median = fx.to_log_median[country] - model.speed_slope * shift
        log_median = np.where(to_kind, to_median, law.log_median)
        log_median = log_median + fx.speed_evidence[country, ev]
        never = self.uniform(n) < law.never
        delay = np.ceil(draw_delay(hw, log_median, self.rng))
        wait = draw_wait(hw, n, self.rng)
        answered = ~never & (delay <= wait)
        answer = np.where(answered, sub + delay.astype(np.int64), NEVER)
        logit_p = (
            z + self.beta_evidence[ev] + fx.dev_evidence[country, ev] + self.beta_coop[coop]
            + fx.dev_cooperation[country, coop] + np.where(to_kind, fx.to_bonus[country], 0.0)
        )  # fmt: skip
        positive = self.uniform(n) < expit(logit_p)
        blocked = positive & (self.uniform(n) < self.cm.procedure_after_positive)
        doc_at = answer + self.document_days(z)
        doc = np.where(answered & positive & ~blocked, doc_at, NEVER)
        return _Request(to_kind, answer, positive, blocked, doc, wait)

    def _submission_conditions(
        self, st: _State, cand: IntArray, sub: IntArray, flat: IntArray
    ) -> None:
        country_state = np.where(self.z_flat[flat] >= GREEN_FROM, GREEN, RED).astype(np.int64)
        # requests are made only where possible, so possible is implied here
        for condition, state, last in (
            (COUNTRY, country_state, st.last_country),
            (IDENTITY, IDENTITY_STATE[st.evidence[cand]], st.last_identity),
            (ALIEN, ALIEN_STATE[st.coop[cand]], st.last_alien),
        ):
            changed = state != last[cand]
            self.observe(cand[changed], sub[changed], condition, state[changed])
            last[cand] = state

    def _detain(
        self,
        st: _State,
        cand: IntArray,
        sub: IntArray,
        req: _Request,
        opened: IntArray,
        targeted: BoolArray,
    ) -> BoolArray:
        cm, n = self.cm, cand.size
        share = np.where(
            st.det_count[cand] == 0, cm.detention_first_share, cm.detention_later_share
        )
        start = np.maximum(sub - self.days_between(*cm.detention_lead_days, n), opened[cand])
        start = np.maximum(start, st.last_det_end[cand] + 1)
        chosen = targeted[cand] & (st.det_count[cand] < 2) & (self.uniform(n) < share)
        chosen &= start <= sub
        d = np.flatnonzero(chosen)
        if d.size:
            self._detention(st, cand[d], start[d], sub[d], req.subset(d))
        return chosen

    def _detention(
        self, st: _State, case: IntArray, start: IntArray, sub: IntArray, req: _Request
    ) -> None:
        cm, n = self.cm, case.size
        removal = np.where(req.doc < NEVER, req.doc + self.days_between(1, 10, n), NEVER)
        review = np.where(
            self.uniform(n) < cm.detention_review_share,
            start + self.days_between(*cm.detention_review_days, n),
            NEVER,
        )
        answered = req.answer < NEVER
        no_prospect = np.minimum.reduce([
            np.where(req.answer > review, review, NEVER),
            np.where(answered & ~req.positive, req.answer + self.days_between(0, 7, n), NEVER),
            np.where(answered & req.positive & (req.doc == NEVER),
                     req.answer + self.days_between(14, 45, n), NEVER),
            np.where(~answered, sub + req.wait + self.days_between(0, 7, n), NEVER),
        ])  # fmt: skip
        court = np.where(
            self.uniform(n) < cm.court_order_share,
            start + self.days_between(*cm.court_order_days, n),
            NEVER,
        )
        other = np.where(
            self.uniform(n) < cm.other_release_share,
            start + self.days_between(*cm.other_release_days, n),
            st.exit_day[case],
        )
        # a detention starts up to two weeks before the request and ends after it
        court, other = np.maximum(court, sub + 1), np.maximum(other, sub + 1)
        ends = np.stack([removal, no_prospect, court, start + cm.max_term_days, other])
        which = np.argmin(ends, axis=0)
        end = ends[which, np.arange(n)]
        reasons = np.array([END[e] for e in _END_ORDER])[which]
        self._released(st, case, start, end, which)
        st.det_count[case] += 1
        st.last_det_end[case] = end
        if self.record:
            self.detentions.add(case=case, start=start, end=end, reason=reasons)

    def _released(
        self, st: _State, case: IntArray, start: IntArray, end: IntArray, which: IntArray
    ) -> None:
        cm, n = self.cm, case.size
        removed = which == 0
        st.forced[case[removed]] = end[removed]
        exited = (which == len(_END_ORDER) - 1) & (end == st.exit_day[case])
        released = ~removed & ~exited
        leaves = released & (self.uniform(n) < cm.release_abscond_share)
        after_release = end + self.gamma_days(cm.release_abscond_mean_days, n, shape=1.5)
        abscond = st.abscond[case]
        suspended = (abscond >= start) & (abscond <= end) & (abscond < NEVER)
        later = end + self.exp_days(cm.absconder_mean_days, n)
        st.abscond[case] = np.where(leaves, after_release, np.where(suspended, later, abscond))

    def _after_document(
        self, st: _State, cand: IntArray, req: _Request, willing: BoolArray, targeted: BoolArray
    ) -> None:
        """A document leads to a forced departure, or speeds up an independent one."""
        n = cand.size
        live = np.minimum(np.minimum(st.abscond[cand], st.ind[cand]), st.exit_day[cand])
        removed = st.forced[cand] < NEVER
        issued = req.doc < np.minimum(live, st.forced[cand])
        req.doc = np.where(issued, req.doc, NEVER)
        forced_at = req.doc + self.gamma_days(self.cm.forced_mean_days, n)
        goes = targeted[cand] & issued & ~removed & (forced_at < live)
        st.forced[cand[goes]] = forced_at[goes]
        self._detain_for_removal(st, cand[goes], req.doc[goes], forced_at[goes])
        leaves = req.doc + self.days_between(3, 30, n)
        helps = willing[cand] & issued
        st.ind[cand[helps]] = np.minimum(st.ind[cand[helps]], leaves[helps])

    def _detain_for_removal(
        self, st: _State, case: IntArray, doc: IntArray, removal: IntArray
    ) -> None:
        """Some removals after a document are prepared in detention."""
        cm, n = self.cm, case.size
        start = np.maximum(doc - self.days_between(0, 10, n), st.last_det_end[case] + 1)
        chosen = (self.uniform(n) < cm.detention_for_removal_share) & (start <= removal)
        case, start, removal = case[chosen], start[chosen], removal[chosen]
        st.det_count[case] += 1
        st.last_det_end[case] = removal
        if self.record:
            reason = np.full(case.size, END[DetentionEndReason.REMOVED], dtype=np.int64)
            self.detentions.add(case=case, start=start, end=removal, reason=reason)

    def _outcome(
        self, st: _State, cand: IntArray, sub: IntArray, req: _Request
    ) -> tuple[IntArray, IntArray, IntArray]:
        n = cand.size
        abscond, ind, exit_day = st.abscond[cand], st.ind[cand], st.exit_day[cand]
        live = np.minimum(np.minimum(abscond, ind), exit_day)
        term_reason = np.where(
            live == abscond,
            R[RequestReason.ALIEN_ABSCONDED],
            np.where(live == ind, R[RequestReason.DEPARTED_OTHERWISE], R[RequestReason.OTHER]),
        )
        asy = st.asy_start[cand]
        procedure = np.where((asy > sub) & (asy < NEVER), asy + self.days_between(0, 14, n), NEVER)
        term = np.where(live < NEVER, live + self.days_between(0, 14, n), NEVER)
        ends = np.stack([req.answer, sub + req.wait, procedure, term])
        which = np.argmin(ends, axis=0)
        day = ends[which, np.arange(n)]
        outcome = np.where(which == 0, np.where(req.positive, POSITIVE, NEGATIVE), WITHDRAWN)
        reason = np.choose(
            which,
            [
                self._negative_reason(st.evidence[cand]),
                np.full(n, R[RequestReason.NO_RESPONSE]),
                np.full(n, R[RequestReason.PROCEDURE_PENDING]),
                term_reason,
            ],
        )
        reason = np.where(outcome == POSITIVE, NONE_CODE, reason)
        return outcome.astype(np.int64), day, reason.astype(np.int64)

    def _negative_reason(self, evidence: IntArray) -> IntArray:
        u = self.uniform(evidence.size)
        return np.where(
            u < OTHER_NEGATIVE,
            R[RequestReason.OTHER],
            np.where(
                u < OTHER_NEGATIVE + INSUFFICIENT[evidence] * (1 - OTHER_NEGATIVE),
                R[RequestReason.INSUFFICIENT_INFORMATION],
                R[RequestReason.NATIONALITY_NOT_CONFIRMED],
            ),
        ).astype(np.int64)

    def _answer_conditions(
        self, st: _State, cand: IntArray, outcome: IntArray, day: IntArray, req: _Request
    ) -> None:
        pos = np.flatnonzero(outcome == POSITIVE)
        self.observe(cand[pos], day[pos], IDENTITY, np.full(pos.size, GREEN, dtype=np.int64))
        st.last_identity[cand[pos]] = GREEN
        blocked = np.flatnonzero((outcome == POSITIVE) & req.blocked)
        if blocked.size:
            case = cand[blocked]
            red = day[blocked] + self.days_between(0, 30, blocked.size)
            green = red + self.gamma_days(self.cm.procedure_mean_days, blocked.size)
            self.observe(case, red, REMOVABLE, np.full(case.size, RED, dtype=np.int64))
            self.observe(case, green, REMOVABLE, np.full(case.size, GREEN, dtype=np.int64))

    def _retry(
        self,
        st: _State,
        cand: IntArray,
        outcome: IntArray,
        day: IntArray,
        reason: IntArray,
        detained: BoolArray,
        willing: BoolArray,
    ) -> None:
        cm, n = self.cm, cand.size
        no_response = (outcome == WITHDRAWN) & (reason == R[RequestReason.NO_RESPONSE])
        procedure = (outcome == WITHDRAWN) & (reason == R[RequestReason.PROCEDURE_PENDING])
        share = np.where(
            willing[cand],
            cm.retry_willing,
            np.where(no_response, cm.retry_after_no_response, cm.retry_after_negative),
        )
        share = np.where(procedure, 1.0, share)
        failed = (outcome == NEGATIVE) | no_response | procedure
        live = np.minimum(np.minimum(st.abscond[cand], st.ind[cand]), st.exit_day[cand])
        open_case = (live > day) & (st.forced[cand] == NEVER)
        retry = failed & open_case & (self.uniform(n) < share)
        nxt = np.maximum(day + self.days_between(*cm.retry_gap_days, n), st.last_det_end[cand] + 7)
        nxt = self._after_asylum(nxt, st.asy_start[cand], st.asy_end[cand])
        st.next_sub[cand] = np.where(retry, nxt, NEVER)
        st.done[cand[~retry]] = True
        self._turn(st, cand, outcome == NEGATIVE, detained)

    def _turn(self, st: _State, cand: IntArray, negative: BoolArray, detained: BoolArray) -> None:
        """Evidence may improve and cooperation may change before the next request."""
        cm, n = self.cm, cand.size
        ev = st.evidence[cand]
        improves = np.array([0.0, cm.evidence_improves[1], cm.evidence_improves[0]])
        up = self.uniform(n) < improves[ev]
        st.evidence[cand] = np.where(up, ev - 1, ev)
        coop = st.coop[cand]
        u = self.uniform(n)
        to_no = np.where(negative, cm.cooperation_turns_after_negative, cm.cooperation_turns)
        to_yes = np.where(detained, cm.cooperation_after_detention, cm.cooperation_turns)
        coop = np.where(
            coop == YES,
            np.where(u < to_no, NO, YES),
            np.where(
                coop == NO,
                np.where(u < to_yes, YES, NO),
                np.where(
                    u < cm.unknown_resolves, YES, np.where(u < 2 * cm.unknown_resolves, NO, UNKNOWN)
                ),
            ),
        )
        st.coop[cand] = coop.astype(np.int64)

    # --- the end ------------------------------------------------------------------------------

    def _close(self, st: _State, opened: IntArray, nat: IntArray, course: IntArray) -> Chain:
        n = opened.size
        ends = np.stack([st.forced, st.abscond, st.ind, st.exit_day])
        which = np.argmin(ends, axis=0)
        day = ends[which, np.arange(n)]
        closes = day < NEVER
        depart_type = np.choose(which, [FORCED, UNSUPERVISED, INDEPENDENT, NONE_CODE])
        depart_type = np.where(closes, depart_type, NONE_CODE).astype(np.int64)
        gone = np.flatnonzero(depart_type == UNSUPERVISED)
        self.observe(gone, day[gone], AVAILABLE, np.full(gone.size, RED, dtype=np.int64))
        registered = day + self.days_between(*self.cm.abscond_registration_days, n)
        close_day = np.where(depart_type == UNSUPERVISED, registered, day)
        departed = CLOSE[CloseReason.DEPARTED]
        close_reason = np.where(depart_type != NONE_CODE, departed, st.exit_reason)
        close_reason = np.where(closes, close_reason, NONE_CODE).astype(np.int64)
        assisted = np.where(
            depart_type == INDEPENDENT, self.uniform(n) < self.cm.assisted_share, NONE_CODE
        ).astype(np.int64)
        sex, birth_year = self._person(opened)
        return Chain(
            opened=opened, nat=nat, course=course, sex=sex, birth_year=birth_year,
            close_day=np.where(closes, close_day, NEVER), close_reason=close_reason,
            depart_type=depart_type, assisted=assisted, requests=self.requests,
            detentions=self.detentions, conditions=self.conditions,
        )  # fmt: skip

    def _person(self, opened: IntArray) -> tuple[IntArray, IntArray]:
        n = opened.size
        u = self.uniform(n)
        sex = np.where(u < 0.78, 1, np.where(u < 0.99, 0, 2)).astype(np.int64)  # M, F, X
        year = self.tl.origin.year + opened // 365
        age = np.minimum(18 + np.floor(self.rng.gamma(2.0, 7.0, n)), 75).astype(np.int64)
        return sex, year - age


_END_ORDER = (
    DetentionEndReason.REMOVED,
    DetentionEndReason.NO_PROSPECT,
    DetentionEndReason.COURT_ORDER,
    DetentionEndReason.MAX_TERM,
    DetentionEndReason.OTHER,
)


@dataclass(slots=True)
class _Request:
    """One round's requests, before the case's own events settle them."""

    to_kind: BoolArray
    answer: IntArray
    positive: BoolArray
    blocked: BoolArray  # positive, but a new procedure blocks the document
    doc: IntArray
    wait: IntArray  # days until withdrawal for want of an answer

    def subset(self, rows: IntArray) -> _Request:
        return _Request(
            self.to_kind[rows], self.answer[rows], self.positive[rows], self.blocked[rows],
            self.doc[rows], self.wait[rows],
        )  # fmt: skip


def simulate_chain(
    scenario: Scenario,
    tl: Timeline,
    opened: IntArray,
    nat: IntArray,
    course: IntArray,
    rng: np.random.Generator,
    *,
    record: bool = True,
) -> Chain:
    """Draw the lives of the given cases (opened day, nationality index, Course each)."""
    return _Sim(scenario, tl, rng, record=record).run(opened, nat, course)
