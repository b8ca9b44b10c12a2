"""The reports of the simulated history, day by day: channel, reporter and concerns drawn with
the weights of real registers, the child (a new one or one reported before), triage within
hours or days, and the case a report opens or joins (`cases`)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta

from ocrotire.core.bulk import Progress
from ocrotire.demo.synthetic.cases import case_simulate
from ocrotire.demo.synthetic.generation import Generation, generator_step
from ocrotire.demo.synthetic.simulation import TEXTS, Simulation, Subject, choice_table
from ocrotire.intake.models import ReportStatus

_CHANNELS = (
    ("notification_form", 30),
    ("phone", 20),
    ("hotline", 15),
    ("walk_in", 10),
    ("written", 8),
    ("online", 7),
    ("self_referral", 10),
)
_OFFICE = frozenset({"notification_form", "walk_in", "written", "self_referral"})
# Who reports through each channel.
_REPORTERS: dict[str, tuple[tuple[str, int], ...]] = {
    "notification_form": (("professional", 100),),
    "phone": (("professional", 55), ("citizen", 35), ("anonymous", 10)),
    "hotline": (("citizen", 45), ("anonymous", 35), ("child", 20)),
    "walk_in": (("citizen", 70), ("child", 10), ("professional", 20)),
    "written": (("professional", 50), ("citizen", 45), ("anonymous", 5)),
    "online": (("citizen", 55), ("anonymous", 40), ("child", 5)),
    "self_referral": (("professional", 100),),
}
_SECTORS = (("education", 40), ("public_order", 25), ("health", 20), ("social", 10), ("other", 5))
_SCHOOL_MONTHS = frozenset({1, 2, 3, 4, 5, 9, 10, 11, 12})
_DANGER = 0.08
_REDIRECT_SHARE = 0.3
_UNTRIAGED_DAYS = 3
_CHANNEL_TABLE = choice_table(_CHANNELS)
_REPORTER_TABLES = {channel: choice_table(pairs) for channel, pairs in _REPORTERS.items()}
_SECTOR_TABLE = choice_table(_SECTORS)


def _child_for(sim: Simulation, day: date) -> tuple[int, int]:
    rng = sim.rng
    if sim.recent and rng.random() < 0.2:
        child = sim.recent[rng.randrange(len(sim.recent))]
        return child, -1
    ordinal = day.toordinal()
    lo = bisect_right(sim.births, ordinal - 6574)
    hi = bisect_right(sim.births, ordinal - 30)
    if hi <= lo:
        lo, hi = 0, len(sim.children)
    index = rng.randrange(lo, hi)
    return sim.children[index], sim.child_units[index]


def report_simulate(sim: Simulation, day: date, reports_left: int) -> None:
    rng = sim.rng
    sim.reports_left = reports_left
    channels, channel_cum = _CHANNEL_TABLE
    channel = rng.choices(channels, cum_weights=channel_cum)[0]
    working = sim.clock.working(day)
    if channel in _OFFICE and not working:
        channel = "hotline" if rng.random() < 0.6 else "phone"
    if channel in ("hotline", "online", "phone"):
        hour = rng.uniform(0, 24) if rng.random() < 0.2 else rng.uniform(8, 21)
    else:
        hour = rng.uniform(8.5, 17)
    received = sim.clock.at(day, hour)
    kinds, kind_cum = _REPORTER_TABLES[channel]
    reporter = rng.choices(kinds, cum_weights=kind_cum)[0]
    sector = ""
    if channel == "self_referral":
        sector = "social"
    elif reporter == "professional":
        sectors, sector_cum = _SECTOR_TABLE
        sector = rng.choices(sectors, cum_weights=sector_cum)[0]
        if sector == "education" and day.month not in _SCHOOL_MONTHS:
            sector = "social"
    anonymous = reporter == "anonymous" or (reporter == "citizen" and rng.random() < 0.05)
    child, unit = _child_for(sim, day)
    if unit == -1 or rng.random() < 0.15:
        unit = sim.unit_ids[rng.randrange(len(sim.unit_ids))]
    count = 1 if rng.random() < 0.7 else (2 if rng.random() < 0.8 else 3)
    codes = sorted(set(rng.choices(sim.concern_codes, cum_weights=sim.concern_cum, k=count)))
    serious = [c for c in sim.violence if c in codes]
    danger = rng.random() < _DANGER
    report_id = sim.report_ids.take()
    number = sim.number(unit, received, "report")
    staff = sim.specialists[unit]
    filer = staff[rng.randrange(len(staff))]
    subject = Subject(sim, case=None, report=report_id, unit=unit)
    context = {"immediate_danger": danger, "channel": channel, "reporter_kind": reporter}
    subject.fire(
        "report_received", received, filer, {"number": number, "channel": channel}, context
    )
    form_at = None
    phone_at = None
    if channel in ("phone", "hotline", "walk_in") and reporter == "professional":
        phone_at = received
        draw = rng.random()
        if draw < 0.75:
            form_at = received + timedelta(hours=rng.uniform(1, 23))
        elif draw < 0.9:
            form_at = received + timedelta(hours=rng.uniform(25, 96))
        if form_at is not None and form_at < sim.cutoff:
            subject.fire("form_received", form_at, filer, {})
        else:
            form_at = None
    # Triage: within hours when the child is in danger, else within a few working days.
    if danger:
        triaged = received + timedelta(hours=rng.uniform(0.5, 30))
    else:
        lag = rng.choices((0, 1, 2, 3, 4, 6), cum_weights=(25, 55, 75, 87, 95, 100))[0]
        moment = received
        for _n in range(lag):
            moment = sim.clock.office(moment + timedelta(days=1), rng)
        triaged = sim.clock.office(moment, rng)
    status = ReportStatus.NEW
    decision = ""
    reason = ""
    cases: list[int] = []
    version = 1
    triaged_at: datetime | None = None
    triager: int | None = None
    if triaged < sim.cutoff and (sim.scale.until - day).days > _UNTRIAGED_DAYS:
        triaged_at = triaged
        version = 2
        current = sim.open_case.get(child)
        open_id = None
        may_open = True
        if current is not None:
            case_id, opened_at, ends, gaps = current
            in_gap = any(a <= triaged < b for a, b in gaps)
            if triaged < opened_at or in_gap:
                may_open = False
            elif ends is None or triaged < ends:
                open_id = case_id
        if open_id is not None:
            status, decision = ReportStatus.LINKED, "link_case"
            reason = "The child already has an open case."
            cases = [open_id]
        else:
            wanted = (sim.scale.cases - sim.case_count) / max(reports_left, 1)
            if may_open and rng.random() < wanted * 1.3:
                status, decision = ReportStatus.CASE_OPENED, "open_case"
                reason = "Signs of risk: a case is opened."
            elif rng.random() < _REDIRECT_SHARE:
                status, decision = ReportStatus.REDIRECTED, "redirect"
                reason = "Outside our competence."
            else:
                status, decision = ReportStatus.CLOSED, "close"
                reason = "No sign of risk after checking."
        triager = staff[rng.randrange(len(staff))]
        subject.fire(
            "report_triaged",
            triaged,
            triager,
            {
                "decision": decision,
                "reason": reason,
                "redirect_to": "Police" if decision == "redirect" else "",
            },
        )
        if status == ReportStatus.CASE_OPENED:
            cases = [case_simulate(sim, report_id, number, child, unit, triaged, triager, danger)]
        elif status == ReportStatus.LINKED:
            sim.events.add(
                cases[0],
                None,
                triaged,
                triager,
                "report_linked",
                {"report": number, "report_id": report_id},
                None,
            )
            sim.event_count += 1
        for case in cases:
            sim.report_cases.add(report_id, case)
    subject.finish(cancel=status in (ReportStatus.REDIRECTED, ReportStatus.CLOSED))
    sim.recent.append(child)
    sim.report_count += 1
    sim.reports.add(
        report_id,
        number,
        sim.prefix[unit][1],
        received,
        channel,
        reporter,
        sector,
        anonymous,
        "" if anonymous else sim.names[sim.report_count % TEXTS],
        "" if anonymous else sim.contacts[sim.report_count % TEXTS],
        unit,
        sim.narratives[sim.report_count % TEXTS],
        rng.choice(("disclosure", "observation", "third_party")),
        sim.concern_ids[serious[0]] if serious else None,
        danger,
        phone_at,
        form_at,
        status,
        decision,
        reason,
        triaged_at,
        triager,
        "Police" if decision == "redirect" else "",
        filer,
        version,
        received,
        triaged_at or received,
    )
    for code in codes:
        sim.report_concerns.add(report_id, sim.concern_ids[code])
    sim.report_children.add(report_id, child)


@generator_step("reports_and_cases", order=30)
def _reports_and_cases(generation: Generation) -> None:
    simulation = Simulation(generation)
    days = simulation.days()
    progress = Progress(
        "reports", generation.scale.reports, stream=generation.stream, enabled=generation.progress
    )
    done = 0
    total = generation.scale.reports
    for day, count in days:
        for _n in range(count):
            report_simulate(simulation, day, total - done)
            done += 1
        if count:
            progress.update(count)
    progress.close()
    simulation.counters_save()
    generation.shared["simulation"] = simulation
