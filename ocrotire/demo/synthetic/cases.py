"""One case of the simulated history, from its opening to its closure: assessments, emergency
protection, plans submitted and decided, reviews and visits as the event budget allows, closure,
and now and then a reopening; cut where the history ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ocrotire.cases.models import ClosureReason, Stage
from ocrotire.demo.synthetic.simulation import TEXTS, Simulation, Stop, Subject, choice_table

_RISK = (("high", 20), ("medium", 45), ("low", 35))
_VISIT_KINDS = (("home", 55), ("school", 20), ("office", 15), ("phone", 10))
_REOPEN_SHARE = 0.04
_RISK_TABLE = choice_table(_RISK)
_VISIT_TABLE = choice_table(_VISIT_KINDS)


def case_simulate(
    sim: Simulation,
    report_id: int,
    report_number: str,
    child: int,
    unit: int,
    opened: datetime,
    opener: int,
    danger: bool,
) -> int:
    rng = sim.rng
    case_id = sim.case_ids.take()
    sim.case_count += 1
    number = sim.number(unit, opened, "case")
    staff = sim.specialists[unit]
    manager = staff[rng.randrange(len(staff))]
    boss = sim.supervisors[unit]
    risks, risk_cum = _RISK_TABLE
    risk = "high" if danger else rng.choices(risks, cum_weights=risk_cum)[0]
    subject = Subject(sim, case=case_id, report=None, unit=unit)
    subject.manager = manager
    state: dict[str, Any] = {
        "stage": Stage.INITIAL_ASSESSMENT,
        "stage_before": "",
        "risk": risk,
        "closure_reason": "",
        "closed_at": None,
        "approved_by": None,
        "reopened": 0,
        "version": 1,
        "plans": 0,
    }
    gaps: list[tuple[datetime, datetime]] = []
    # Events this case may still add to reach the events asked for, on average.
    reports_left = sim.reports_left
    budget = (sim.scale.events - sim.event_count - 2.2 * reports_left) / max(
        sim.scale.cases - sim.case_count + 1, 1
    )
    # Beyond the seven steps every worked case has, the budget goes to reviews and visits.
    extra = max(budget - 7, 0.0)

    def context() -> dict[str, Any]:
        return {"risk_level": state["risk"], "immediate_danger": danger}

    def step(
        at: datetime,
        kind: str,
        data: dict[str, Any],
        *,
        stage: str | None = None,
        actor: int | None = None,
        meets: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> datetime:
        if at >= sim.cutoff:
            raise Stop
        if stage is not None and stage != state["stage"]:
            state["stage_before"] = state["stage"]
            state["stage"] = stage
        state["version"] += 1
        subject.fire(
            kind,
            at,
            manager if actor is None else actor,
            data,
            {**context(), **(extra or {})},
            meets,
        )
        return at

    def later(at: datetime, low: float, high: float, late: float = 0.1) -> datetime:
        """A moment `low`–`high` days later, or up to three times as late now and then."""
        days = rng.uniform(low, high)
        if rng.random() < late:
            days *= rng.uniform(1.5, 3)
        return sim.clock.office(at + timedelta(days=days), rng)

    def assessment(at: datetime, kind: str, confirmed: str) -> int:
        assessment_id = sim.assessment_ids.take()
        sim.assessments.add(
            assessment_id,
            case_id,
            kind,
            at,
            kind == "initial" and rng.random() < 0.6,
            state["risk"],
            confirmed,
            sim.findings[sim.event_count % TEXTS],
            manager,
            at,
        )
        return assessment_id

    def close(at: datetime, reason: str) -> datetime:
        at = step(at, "closure_proposed", {"reason": reason, "note": ""}, stage="closure_proposed")
        state["closure_reason"] = reason
        decided = sim.clock.office(at + timedelta(days=rng.uniform(0.5, 9)), rng)
        step(
            decided,
            "case_closed",
            {"reason": reason, "note": ""},
            stage=Stage.CLOSED,
            actor=boss,
            meets=("closure_decided",),
        )
        state["closed_at"] = decided
        state["approved_by"] = boss
        subject.finish(cancel=True)
        return decided

    def work(at: datetime) -> datetime:
        """From the complex assessment to closure."""
        at = later(at, 5, 30, 0.15)
        state["risk"] = rng.choices(risks, cum_weights=risk_cum)[0]
        assessment_id = assessment(at, "complex", "yes")
        at = step(
            at,
            "complex_assessment_done",
            {
                "risk_level": state["risk"],
                "confirmed": "yes",
                "protection_interview_done": False,
                "assessment": assessment_id,
                "stage": Stage.PLANNING,
            },
            stage=Stage.PLANNING,
        )
        while True:
            at = later(at, 2, 12, 0.1)
            state["plans"] += 1
            plan = state["plans"]
            submitted = at
            step(at, "plan_submitted", {"plan": plan}, stage=Stage.PLAN_APPROVAL)
            at = later(at, 0.5, 6, 0.1)
            approved = rng.random() < 0.9
            try:
                step(
                    at,
                    "plan_approved" if approved else "plan_returned",
                    {"plan": plan, "note": "" if approved else "Goals need detail."},
                    stage=Stage.IMPLEMENTATION if approved else Stage.PLANNING,
                    actor=boss,
                    meets=("plan_decided",),
                )
            except Stop:
                sim.plans.add(
                    case_id,
                    plan,
                    "Synthetic plan goals.",
                    None,
                    "submitted",
                    manager,
                    submitted,
                    None,
                    None,
                    "",
                )
                raise
            sim.plans.add(
                case_id,
                plan,
                "Synthetic plan goals.",
                (at + timedelta(days=90)).date() if approved else None,
                "approved" if approved else "returned",
                manager,
                submitted,
                boss,
                at,
                "" if approved else "Goals need detail.",
            )
            if approved:
                break
        months = min(rng.uniform(1, 2 + 3 * extra), 24.0)
        # Quarterly reviews, and a last one before closure is proposed: every case that
        # reaches implementation is reviewed, whatever the event budget (at 1 M persons the
        # first steps spend it, and no case used to be reviewed at all).
        reviews = [at + timedelta(days=90 * k) for k in range(1, int(months / 3) + 1)]
        reviews.append(at + timedelta(days=30 * months - 20))  # jitter keeps it before `end`
        visits_wanted = max(0, round(rng.gauss(extra - len(reviews), 1)))
        end = at + timedelta(days=30 * months)
        visits = sorted(
            at + timedelta(days=rng.uniform(1, 30 * months)) for _n in range(visits_wanted)
        )
        moments = sorted([(v, "visit") for v in visits] + [(r, "review") for r in reviews])
        for moment, what in moments:
            moment = sim.clock.office(moment, rng)
            if what == "visit":
                kinds, kind_cum = _VISIT_TABLE
                kind = rng.choices(kinds, cum_weights=kind_cum)[0]
                step(moment, "visit_recorded", {"kind": kind, "risk_level": state["risk"]})
                sim.visits.add(
                    case_id,
                    moment,
                    kind,
                    sim.observations[sim.event_count % TEXTS],
                    state["risk"],
                    manager,
                )
            else:
                moment = moment + timedelta(days=rng.uniform(-5, 15))
                step(
                    moment,
                    "review_done",
                    {"outcome": "continue", "risk_level": state["risk"]},
                    extra={"outcome": "continue"},
                )
                sim.reviews.add(
                    case_id,
                    moment,
                    "continue",
                    sim.summaries[sim.event_count % TEXTS],
                    state["risk"],
                    manager,
                )
        reason = rng.choices(
            (
                ClosureReason.OBJECTIVES_ACHIEVED,
                ClosureReason.RISK_REMOVED,
                ClosureReason.MOVED_AWAY,
                ClosureReason.TURNED_18,
                ClosureReason.REFUSAL,
            ),
            cum_weights=(55, 80, 88, 95, 100),
        )[0]
        return close(sim.clock.office(max(end, at), rng), reason)

    ends: datetime | None = None
    try:
        step(
            opened,
            "case_opened",
            {"report": report_number, "report_id": report_id, "risk_level": risk},
            actor=opener,
        )
        hours = {"high": 20, "medium": 60, "low": 150}[risk]
        at = opened + timedelta(hours=rng.uniform(1, hours) * (2.5 if rng.random() < 0.12 else 1))
        confirmed = rng.choices(("yes", "partly", "no"), cum_weights=(50, 75, 100))[0]
        emergency = danger and confirmed != "no" and rng.random() < 0.5
        assessment_id = assessment(at, "initial", confirmed)
        next_stage = Stage.EMERGENCY_PROTECTION if emergency else Stage.COMPLEX_ASSESSMENT
        step(
            at,
            "initial_assessment_done",
            {
                "risk_level": state["risk"],
                "confirmed": confirmed,
                "protection_interview_done": False,
                "assessment": assessment_id,
                "stage": next_stage,
            },
            stage=next_stage,
        )
        if emergency:
            action = sim.action_ids.take()
            at = at + timedelta(hours=rng.uniform(0.5, 6))
            step(at, "child_removed", {"kind": "removal", "action": action})
            notified = at + timedelta(hours=rng.uniform(1, 30))
            filed = sim.clock.office(at + timedelta(days=rng.uniform(1, 5)), rng)
            sim.actions.add(
                action,
                case_id,
                "removal",
                at,
                notified if notified < sim.cutoff else None,
                filed if filed < sim.cutoff else None,
                manager,
            )
            step(notified, "prosecutor_notified", {"action": action})
            step(filed, "court_filed", {"action": action})
            at = later(filed, 10, 80)
            step(
                at,
                "emergency_ended",
                {"note": "The child is safe.", "stage": Stage.COMPLEX_ASSESSMENT},
                stage=Stage.COMPLEX_ASSESSMENT,
            )
        if confirmed == "no":
            ends = close(later(at, 0, 5), ClosureReason.NOT_CONFIRMED)
        else:
            ends = work(at)
        if rng.random() < _REOPEN_SHARE:
            reopened = ends + timedelta(days=rng.uniform(20, 200))
            gap = (ends, reopened)
            step(
                reopened,
                "case_reopened",
                {"reason": "A new report shows the risk again."},
                stage=Stage.COMPLEX_ASSESSMENT,
            )
            gaps.append(gap)
            state.update(closure_reason="", closed_at=None, approved_by=None)
            state["reopened"] += 1
            state["stage_before"] = ""
            ends = work(reopened)
    except Stop:
        pass
    closed = state["stage"] == Stage.CLOSED
    subject.finish(cancel=closed)
    sim.open_case[child] = (case_id, opened, state["closed_at"] if closed else None, gaps)
    sim.case_rows.add(
        case_id,
        number,
        child,
        unit,
        sim.prefix[unit][1],
        state["stage"],
        state["stage_before"] if state["stage"] == Stage.CLOSURE_PROPOSED else "",
        state["risk"],
        danger,
        manager,
        opened,
        opener,
        state["closure_reason"],
        state["closed_at"],
        state["approved_by"],
        state["reopened"],
        state["version"],
        state["closed_at"] or opened,
    )
    return case_id
