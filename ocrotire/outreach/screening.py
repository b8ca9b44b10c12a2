"""Household screening (F8): a community worker fills the country's screening sheet for a
household, the flags are computed from the answers, and each child of a flagged household is
followed up — reported to the child-protection authority in one step, or visited again.

Pack data, `geo/packs/<cc>/outreach.json` (else `common/outreach.json`): `screening_form`, the
code of the form used (a `dataforms` form of the country: Romania's observation sheet, Ukraine's
assessment of a family's needs, the common household sheet elsewhere), and `flags`, each
`{"code", "names", "any"?: [answer addresses], "all"?: [...], "group"?: false}`. A flag is raised
when any (or all) of its answers are "yes"; `group` flags are the groups the counts report (seed
004's: minor mothers, single parents, poor and overcrowded, migrant parents, no health cover, no
documents). Which answers raise which flag is the project's reading ([U] in the packs).

Every change of a screening carries the version it was based on (a device that worked offline
sends it): a stale one is a `Conflict`, never an overwrite (outreach/sync.py keeps both)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, Invalid, NotAllowed, NotFound
from ocrotire.core.models import AuditAction
from ocrotire.dataforms.models import FormDefinition, FormVersion
from ocrotire.dataforms.selectors import form_version_latest
from ocrotire.dataforms.spec import answers_clean, fields_of, name_in
from ocrotire.geo.models import Unit
from ocrotire.geo.services import PACKS_DIR
from ocrotire.intake.models import Channel, Report, ReporterKind
from ocrotire.intake.services import ChildInput, ReportInput, report_create
from ocrotire.outreach.models import FollowUp, FollowUpKind, Screening
from ocrotire.outreach.permissions import can_screen, can_screen_household
from ocrotire.registry.models import Household, Person

# --- the pack --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    names: dict[str, str]
    any: tuple[str, ...]
    all: tuple[str, ...]
    group: bool

    def label(self, language: str | None = None) -> str:
        return name_in(self.names, language)

    def raised(self, answers: dict[str, Any]) -> bool:
        def yes(where: str) -> bool:
            section, _dot, field = where.partition(".")
            return (answers.get(section) or {}).get(field) is True

        if self.all and not all(yes(a) for a in self.all):
            return False
        return not self.any or any(yes(a) for a in self.any)


@dataclass(frozen=True)
class ScreeningPack:
    country: str
    form_code: str
    flags: tuple[Flag, ...]

    def flag(self, code: str) -> Flag | None:
        return next((f for f in self.flags if f.code == code), None)


@cache
def screening_pack(country: str) -> ScreeningPack:
    path = PACKS_DIR / country.lower() / "outreach.json"
    if not path.is_file():
        path = PACKS_DIR / "common" / "outreach.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    flags = tuple(
        Flag(
            code=f["code"],
            names=f["names"],
            any=tuple(f.get("any", ())),
            all=tuple(f.get("all", ())),
            group=f.get("group", True),
        )
        for f in data["flags"]
    )
    if any(not (f.any or f.all) for f in flags):
        raise ImproperlyConfigured(f"{path}: every flag needs answers (any or all)")
    return ScreeningPack(country=country.upper(), form_code=data["screening_form"], flags=flags)


def group_flags() -> list[tuple[str, dict[str, str]]]:
    """The groups of every country's pack, each code once with its names (the first pack
    naming it), in the packs' order: what a strategy or a donor project may count."""
    found: dict[str, dict[str, str]] = {}
    countries = sorted(
        p.parent.name.upper()
        for p in PACKS_DIR.glob("*/outreach.json")
        if p.parent.name != "common"
    )
    for country in ["MD", *countries]:
        for flag in screening_pack(country).flags:
            if flag.group:
                found.setdefault(flag.code, flag.names)
    return list(found.items())


def pack_errors(country: str) -> list[str]:
    """What does not fit between the country's flags and its screening sheet (for the tests and
    the pack loader): a flag naming an answer the sheet has no yes/no question for."""
    pack = screening_pack(country)
    version = sheet_of(country)
    if version is None:
        return [f"{country}: no form {pack.form_code!r} for the screening"]
    questions = {
        f"{s['key']}.{f['key']}" for s, f in fields_of(version.sections) if f["type"] == "yesno"
    }
    return [
        f"{country}: flag {flag.code!r} reads {where!r}, not a yes/no question of the sheet"
        for flag in pack.flags
        for where in (*flag.any, *flag.all)
        if where not in questions
    ]


def sheet_of(country: str) -> FormVersion | None:
    """The newest version of the country's screening sheet."""
    definition = FormDefinition.objects.filter(
        country=country.upper(), code=screening_pack(country).form_code
    ).first()
    return form_version_latest(definition) if definition else None


def flags_of(country: str, answers: dict[str, Any]) -> list[str]:
    return [f.code for f in screening_pack(country).flags if f.raised(answers)]


def place_of(household: Household) -> Unit:
    return household.unit or household.scope_unit


# --- screenings ------------------------------------------------------------------------------


def check_household(actor: User, household: Household) -> None:
    """The actor may screen and follow up in this household (NotAllowed / NotFound)."""
    if not can_screen(actor):
        raise NotAllowed
    if not can_screen_household(actor, household):
        raise NotFound


def _screened_on(value: date | None) -> date:
    today = timezone.localdate()
    if value is None:
        return today
    if value > today:
        raise Invalid({"screened_on": [_("The day of the screening cannot be in the future.")]})
    return value


@transaction.atomic
def screening_record(
    *, actor: User, household: Household, answers: Any, screened_on: date | None = None
) -> Screening:
    """A new screening of the household with the country's sheet; its flags computed."""
    check_household(actor, household)
    unit = place_of(household)
    version = sheet_of(unit.country)
    if version is None:
        raise Invalid([_("This country has no screening sheet yet.")])
    day = _screened_on(screened_on)
    cleaned = answers_clean(version.sections, answers)
    screening = Screening.objects.create(
        household=household,
        unit=unit,
        form_version=version,
        answers=cleaned,
        flags=flags_of(unit.country, cleaned),
        screened_on=day,
        screened_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=screening,
        changes={"household": household.pk, "flags": screening.flags},
    )
    return screening


@transaction.atomic
def screening_update(
    *,
    actor: User,
    screening: Screening,
    answers: Any,
    base_version: int,
    screened_on: date | None = None,
) -> Screening:
    """New answers for a screening, based on `base_version`: a newer one is a Conflict and
    nothing is written (one conditional UPDATE, so two writers cannot both win)."""
    check_household(actor, screening.household)
    cleaned = answers_clean(screening.form_version.sections, answers)
    day = _screened_on(screened_on) if screened_on else screening.screened_on
    flags = flags_of(screening.unit.country, cleaned)
    written = Screening.objects.filter(pk=screening.pk, version=base_version).update(
        answers=cleaned,
        flags=flags,
        screened_on=day,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not written:
        raise Conflict
    screening.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=screening,
        changes={"version": screening.version, "flags": flags},
    )
    return screening


# --- follow-up of a flagged child ------------------------------------------------------------


def children_of(screening: Screening) -> list[Person]:
    """The members of the household under 18 on the day of the screening (a member with no
    birth date counts: the worker knows who the children are better than the register)."""
    day = screening.screened_on
    children = []
    for member in screening.household.members.select_related("person").order_by("person__pk"):
        born = member.person.birth_date
        if born is None or _age(born, day) < 18:
            children.append(member.person)
    return children


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _child_of(screening: Screening, child: Person) -> Person:
    if child.pk not in {c.pk for c in children_of(screening)}:
        raise Invalid({"child": [_("Choose a child of this household.")]})
    return child


def _flag_text(screening: Screening) -> str:
    pack = screening_pack(screening.unit.country)
    names = [flag.label() for code in screening.flags if (flag := pack.flag(code))]
    return ", ".join(names)


@transaction.atomic
def follow_up_report(
    *,
    actor: User,
    screening: Screening,
    child: Person,
    narrative: str = "",
    concerns: list[str] | None = None,
) -> FollowUp:
    """The child becomes a report in the register of the authority of the household's place
    (channel self-referral: the community's own notice), in the same step; a second press for
    the same child and screening returns the first report."""
    check_household(actor, screening.household)
    _child_of(screening, child)
    existing = FollowUp.objects.filter(
        screening=screening, child=child, kind=FollowUpKind.REPORT
    ).first()
    if existing is not None:
        return existing
    if not screening.flags:
        raise Invalid([_("Nothing was flagged at this screening: plan a visit instead.")])
    text = _("Flagged at the household screening of %(day)s: %(flags)s.") % {
        "day": screening.screened_on.isoformat(),
        "flags": _flag_text(screening),
    }
    if narrative.strip():
        text = f"{text}\n\n{narrative.strip()}"
    report: Report = report_create(
        actor=actor,
        data=ReportInput(
            channel=Channel.SELF_REFERRAL,
            reporter_kind=ReporterKind.PROFESSIONAL,
            reporter_sector="social",
            unit=screening.unit,
            narrative=text,
            concerns=concerns or ["other_risk"],
            children=[ChildInput(person=child)],
            information_source="observation",
        ),
    )
    try:
        with transaction.atomic():
            follow_up = FollowUp.objects.create(
                screening=screening,
                child=child,
                kind=FollowUpKind.REPORT,
                report=report,
                created_by=actor,
            )
    except IntegrityError:
        # Another press won the race: its report stands, this one is not kept.
        raise Conflict from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=follow_up,
        changes={"kind": "report", "report": report.number, "child": child.pk},
    )
    return follow_up


@transaction.atomic
def follow_up_visit(
    *, actor: User, screening: Screening, child: Person, visit_on: date, note: str = ""
) -> FollowUp:
    """A follow-up visit to the child, planned for a day to come."""
    check_household(actor, screening.household)
    _child_of(screening, child)
    if visit_on < timezone.localdate():
        raise Invalid({"visit_on": [_("Plan the visit for today or a day to come.")]})
    follow_up = FollowUp.objects.create(
        screening=screening,
        child=child,
        kind=FollowUpKind.VISIT,
        visit_on=visit_on,
        note=note.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=follow_up,
        changes={"kind": "visit", "visit_on": visit_on.isoformat(), "child": child.pk},
    )
    return follow_up
