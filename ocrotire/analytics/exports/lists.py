"""The lists that can be exported to CSV and Excel, and the two writers.

Each list is exported exactly as its page shows it to the same user: the page's own permission,
its own reading of the query string (`<app>.selectors.<entity>_list_from_query`, shared with the
page) and its user-scoped selector; the columns are those of the page, values as the reader
sees them (labels of choices, names, dates in ISO form). Free text that may tell what happened
to a child (narratives, findings, reasons) is never exported in a list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import can_view_audit, is_member
from ocrotire.core.forms import query_date
from ocrotire.core.tabular import Cell, write_csv, write_xlsx
from ocrotire.intake.permissions import keeps_register
from ocrotire.registry.permissions import can_use_registry

Rows = Callable[[list[Any], "Labels"], Iterable[list[Cell]]]
Query = Callable[..., tuple[QuerySet[Any], dict[str, str]]]

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Rows read from the database at a time (and progress written once per batch).
BATCH = 500
FLAG_VALUES = ("1", "on", "true")


class Labels:
    """Names read once per export: a unit's name in the reader's language costs a query."""

    def __init__(self) -> None:
        self._units: dict[int, str] = {}

    def unit(self, unit: Any) -> str:
        if unit is None:
            return ""
        if unit.pk not in self._units:
            self._units[unit.pk] = unit.display_name()
        return self._units[unit.pk]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def _local(moment: datetime | None) -> datetime | None:
    """A moment as the reader's clock shows it, to the minute."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


def _day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)


def _birth_date(person: Any) -> str:
    """As precise as it is known: a year, a year and month, or the day."""
    born = person.birth_date
    if born is None:
        return ""
    precision = getattr(person, "birth_date_precision", "day")
    if precision == "year":
        return f"{born:%Y}"
    if precision == "month":
        return f"{born:%Y-%m}"
    return str(born.isoformat())


# --- the lists ---------------------------------------------------------------------------------


def _reports(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.intake.selectors import report_list_from_query

    return report_list_from_query(user=user, params=params)


def _report_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    for report in batch:
        yield [
            report.number,
            _local(report.received_at),
            report.get_channel_display(),
            "; ".join(str(child) for child in report.children.all()),
            labels.unit(report.unit),
            report.get_status_display(),
            _yes_no(report.immediate_danger),
            _yes_no(bool(getattr(report, "overdue", False))),
            "; ".join(concern.label() for concern in report.concerns.all()),
            report.most_serious.label() if report.most_serious_id else "",
        ]


def _cases(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.cases.selectors import case_list_from_query

    return case_list_from_query(user=user, params=params)


def _case_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    for case in batch:
        yield [
            case.number,
            str(case.child),
            case.get_stage_display(),
            case.get_risk_level_display(),
            _user_name(case.manager),
            labels.unit(case.unit),
            _day(case.opened_at),
            int(getattr(case, "overdue_count", 0) or 0),
        ]


def _assessments(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.cases.selectors import assessment_list_from_query

    return assessment_list_from_query(user=user, params=params)


def _assessment_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    for assessment in batch:
        yield [
            assessment.case.number,
            str(assessment.case.child),
            assessment.get_kind_display(),
            _local(assessment.completed_at),
            assessment.get_risk_level_display(),
            assessment.form_version.definition.label(),
            assessment.form_version.number,
        ]


def _visits(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.cases.selectors import visit_list_from_query

    return visit_list_from_query(user=user, params=params)


def _visit_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    for visit in batch:
        yield [
            visit.case.number,
            str(visit.case.child),
            visit.get_kind_display(),
            _local(visit.visited_at),
            visit.get_risk_level_display(),
            visit.form_version.definition.label(),
            visit.form_version.number,
        ]


def _form_columns(qs: QuerySet[Any]) -> tuple[list[str], Callable[[Any], list[Cell]]]:
    """One column per question of the forms the rows were filled with (every version's, the
    newest naming it); a long text is left out, as every narrative is. A cell is the answer as
    the record's own version names it."""
    from ocrotire.dataforms.models import FormVersion
    from ocrotire.dataforms.spec import NARRATIVE, answer_text, fields_of, name_in

    versions = (
        FormVersion.objects.filter(pk__in=qs.values("form_version"))
        .select_related("definition")
        .order_by("definition__country", "definition__code", "-number")
    )
    columns: dict[tuple[int, str, str], str] = {}
    for version in versions:
        for section, question in fields_of(version.sections):
            at = (version.definition_id, section["key"], question["key"])
            if question["type"] not in NARRATIVE and at not in columns:
                columns[at] = ": ".join(
                    (
                        version.definition.label(),
                        name_in(section["names"]),
                        name_in(question["names"]),
                    )
                )
    by_version: dict[int, dict[tuple[str, str], dict[str, Any]]] = {}

    def cells(record: Any) -> list[Cell]:
        version = record.form_version
        if version.pk not in by_version:
            by_version[version.pk] = {
                (s["key"], f["key"]): f for s, f in fields_of(version.sections)
            }
        questions = by_version[version.pk]
        row: list[Cell] = []
        for form, section, key in columns:
            question = questions.get((section, key))
            answer = (record.answers.get(section) or {}).get(key)
            same = form == version.definition_id
            row.append(answer_text(question, answer) if same and question is not None else "")
        return row

    return list(columns.values()), cells


def _persons(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.registry.selectors import person_list_from_query

    return person_list_from_query(user=user, params=params)


def _person_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    for person in batch:
        yield [
            str(person),
            _birth_date(person),
            _yes_no(person.birth_date_estimated) if person.birth_date else "",
            person.get_sex_display(),
            " ".join(i.value for i in person.identifiers.all() if i.active),
            labels.unit(person.unit),
        ]


def _referrals(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.providers.selectors import referral_list_from_query

    return referral_list_from_query(user=user, params=params)


def _referral_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    now = timezone.now()
    for referral in batch:
        point = referral.service_point
        overdue = (
            referral.status == "sent"
            and referral.response_due_at is not None
            and referral.response_due_at < now
        )
        yield [
            str(referral.case.child),
            _birth_date(referral.case.child),
            referral.case.number,
            referral.get_status_display(),
            point.name if point else "",
            point.provider.institution.name if point else "",
            point.service_type.label() if point else referral.service,
            labels.unit(referral.case.unit),
            _local(referral.sent_at),
            _local(referral.response_due_at),
            _yes_no(overdue),
        ]


def _placements(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.care.selectors import placement_list_from_query

    return placement_list_from_query(user=user, params=params)


def _placement_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    for placement in batch:
        yield [
            str(placement.child),
            placement.case.number if placement.case_id else "",
            placement.get_form_display(),
            placement.national_type,
            _yes_no(placement.emergency),
            placement.facility.name if placement.facility_id else placement.carer_name,
            _day(placement.started_at),
            _day(placement.next_review_at) if not placement.ended_at else None,
            _day(placement.ended_at),
            placement.get_end_reason_display() if placement.ended_at else "",
        ]


def _providers(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.providers.selectors import provider_list_from_query

    return provider_list_from_query(user=user, params=params)


def _provider_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    today = timezone.localdate()
    status = {"expiring": _("expiring soon"), "expired": _("expired")}
    for provider in batch:
        yield [
            provider.institution.name,
            provider.get_kind_display(),
            ", ".join(labels.unit(unit) for unit in provider.institution.units.all()),
            provider.licence_number,
            provider.licence_valid_until,
            status.get(provider.licence_status(today), ""),
        ]


def _service_points(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.providers.selectors import service_point_list_from_query

    return service_point_list_from_query(user=user, params=params)


def _service_point_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    from ocrotire.providers.selectors import point_figures

    figures = point_figures(batch)
    for point in batch:
        occupied = figures[point.pk]["occupied"]
        yield [
            point.name,
            point.provider.institution.name,
            point.service_type.label(),
            labels.unit(point.unit),
            point.capacity,
            occupied,
            max(0, point.capacity - occupied),
            figures[point.pk]["waiting"],
        ]


def _audit(user: User, params: Mapping[str, Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    from ocrotire.accounts.audit_log import audit_list_from_query

    return audit_list_from_query(user=user, params=params)


def _audit_rows(batch: list[Any], labels: Labels) -> Iterator[list[Cell]]:
    for event in batch:
        yield [
            _local(event.at),
            event.actor_username,
            event.get_action_display(),
            event.object_type,
            event.object_id,
            event.object_repr,
            event.ip or "",
        ]


@dataclass(frozen=True)
class ExportKind:
    """One exportable list: who may export it (as who may open its page), how its page reads
    its filters and scopes its rows, and its columns."""

    code: str
    title: Promise
    object_type: str
    list_url: str
    allowed: Callable[[Any], bool]
    query: Query
    headers: tuple[Promise, ...]
    rows: Rows
    keys: tuple[str, ...]
    dates: tuple[str, ...] = ()
    flags: tuple[str, ...] = field(default=())
    # Columns known only from the rows (the questions of their forms): their headers, and the
    # cells of one row, read once per export from the rows' query.
    more: Callable[[QuerySet[Any]], tuple[list[str], Callable[[Any], list[Cell]]]] | None = None

    def header_texts(self) -> list[str]:
        return [str(header) for header in self.headers]


KINDS: dict[str, ExportKind] = {
    kind.code: kind
    for kind in (
        ExportKind(
            code="reports",
            title=gettext_lazy("Reports"),
            object_type="intake.report",
            list_url="intake:report-list",
            allowed=keeps_register,
            query=_reports,
            headers=(
                gettext_lazy("Number"),
                gettext_lazy("Received at"),
                gettext_lazy("Channel"),
                gettext_lazy("Children"),
                gettext_lazy("Unit"),
                gettext_lazy("Status"),
                gettext_lazy("Immediate danger"),
                gettext_lazy("Overdue"),
                gettext_lazy("Concerns"),
                gettext_lazy("Most serious form"),
            ),
            rows=_report_rows,
            keys=("q", "status", "channel", "danger", "received_from", "received_to"),
            dates=("received_from", "received_to"),
        ),
        ExportKind(
            code="cases",
            title=gettext_lazy("Cases"),
            object_type="cases.case",
            list_url="cases:list",
            allowed=is_member,
            query=_cases,
            headers=(
                gettext_lazy("Case"),
                gettext_lazy("Child"),
                gettext_lazy("Stage"),
                gettext_lazy("Risk level"),
                gettext_lazy("Case manager"),
                gettext_lazy("Unit"),
                gettext_lazy("Opened"),
                gettext_lazy("Overdue steps"),
            ),
            rows=_case_rows,
            keys=("q", "stage", "risk_level", "unit", "mine", "open"),
            flags=("mine", "open"),
        ),
        ExportKind(
            code="assessments",
            title=gettext_lazy("Assessments with their forms"),
            object_type="cases.assessment",
            list_url="cases:list",
            allowed=is_member,
            query=_assessments,
            headers=(
                gettext_lazy("Case"),
                gettext_lazy("Child"),
                gettext_lazy("Assessment"),
                gettext_lazy("Completed at"),
                gettext_lazy("Risk level"),
                gettext_lazy("Form"),
                gettext_lazy("Form version"),
            ),
            rows=_assessment_rows,
            keys=("q", "stage", "risk_level", "unit", "mine", "open"),
            flags=("mine", "open"),
            more=_form_columns,
        ),
        ExportKind(
            code="visits",
            title=gettext_lazy("Visits with their forms"),
            object_type="cases.visit",
            list_url="cases:list",
            allowed=is_member,
            query=_visits,
            headers=(
                gettext_lazy("Case"),
                gettext_lazy("Child"),
                gettext_lazy("Kind"),
                gettext_lazy("Visited at"),
                gettext_lazy("Risk level after the visit"),
                gettext_lazy("Form"),
                gettext_lazy("Form version"),
            ),
            rows=_visit_rows,
            keys=("q", "stage", "risk_level", "unit", "mine", "open"),
            flags=("mine", "open"),
            more=_form_columns,
        ),
        ExportKind(
            code="persons",
            title=gettext_lazy("Persons"),
            object_type="registry.person",
            list_url="registry:person-list",
            allowed=can_use_registry,
            query=_persons,
            headers=(
                gettext_lazy("Name"),
                gettext_lazy("Birth date"),
                gettext_lazy("Birth date estimated"),
                gettext_lazy("Sex"),
                gettext_lazy("Identifiers"),
                gettext_lazy("Address (unit)"),
            ),
            rows=_person_rows,
            keys=("q",),
        ),
        ExportKind(
            code="referrals",
            title=gettext_lazy("Referrals"),
            object_type="cases.referral",
            list_url="providers:referrals",
            allowed=is_member,
            query=_referrals,
            headers=(
                gettext_lazy("Child"),
                gettext_lazy("Birth date"),
                gettext_lazy("Case"),
                gettext_lazy("Status"),
                gettext_lazy("Service point"),
                gettext_lazy("Provider"),
                gettext_lazy("Service"),
                gettext_lazy("Unit"),
                gettext_lazy("Sent at"),
                gettext_lazy("Answer due"),
                gettext_lazy("Answer overdue"),
            ),
            rows=_referral_rows,
            keys=("status",),
        ),
        ExportKind(
            code="placements",
            title=gettext_lazy("Children in alternative care"),
            object_type="care.placement",
            list_url="care:placements",
            allowed=is_member,
            query=_placements,
            headers=(
                gettext_lazy("Child"),
                gettext_lazy("Case"),
                gettext_lazy("Form of care"),
                gettext_lazy("National type"),
                gettext_lazy("Emergency placement"),
                gettext_lazy("Carer or facility"),
                gettext_lazy("Since"),
                gettext_lazy("Next review"),
                gettext_lazy("Ended"),
                gettext_lazy("End reason"),
            ),
            rows=_placement_rows,
            keys=("form", "state"),
        ),
        ExportKind(
            code="providers",
            title=gettext_lazy("Service providers"),
            object_type="providers.provider",
            list_url="providers:list",
            allowed=is_member,
            query=_providers,
            headers=(
                gettext_lazy("Name"),
                gettext_lazy("Kind"),
                gettext_lazy("Units covered"),
                gettext_lazy("Licence"),
                gettext_lazy("Licence valid until"),
                gettext_lazy("Licence status"),
            ),
            rows=_provider_rows,
            keys=("q", "kind", "licence"),
        ),
        ExportKind(
            code="services",
            title=gettext_lazy("Service points"),
            object_type="providers.servicepoint",
            list_url="providers:services",
            allowed=is_member,
            query=_service_points,
            headers=(
                gettext_lazy("Service point"),
                gettext_lazy("Provider"),
                gettext_lazy("Service"),
                gettext_lazy("Unit"),
                gettext_lazy("Places"),
                gettext_lazy("Enrolled"),
                gettext_lazy("Free"),
                gettext_lazy("Waiting"),
            ),
            rows=_service_point_rows,
            keys=("service",),
        ),
        ExportKind(
            code="audit",
            title=gettext_lazy("Audit log"),
            object_type="core.auditevent",
            list_url="core:audit",
            allowed=can_view_audit,
            query=_audit,
            headers=(
                gettext_lazy("Time"),
                gettext_lazy("User"),
                gettext_lazy("Action"),
                gettext_lazy("Object type"),
                gettext_lazy("Object id"),
                gettext_lazy("Object"),
                gettext_lazy("IP address"),
            ),
            rows=_audit_rows,
            keys=("actor", "action", "object_type", "object_id", "since", "until"),
            dates=("since", "until"),
        ),
    )
}


# --- filters -----------------------------------------------------------------------------------


class FilterErrors(Exception):
    """Filters a list would not take: {filter name: [message]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def filters_from_query(kind: ExportKind, params: Mapping[str, Any]) -> dict[str, str]:
    """The list's filters out of an export link's query string (the page's own query string
    with `kind` and `format` added); anything else is left out. A date that is not a date is
    refused (the page would stop on it)."""
    filters = {key: str(params.get(key, "")) for key in kind.keys if params.get(key, "")}
    errors = _bad_dates(kind, filters)
    if errors:
        raise FilterErrors(errors)
    return filters


def _bad_dates(kind: ExportKind, filters: Mapping[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key in kind.dates:
        value = filters.get(key, "")
        if value and query_date(value) is None:
            errors[key] = [_("Enter a date as YYYY-MM-DD.")]
    return errors


def filters_checked(kind: ExportKind, user: User, raw: Any) -> dict[str, str]:
    """The filters of an API request, strictly: a name the list does not know, or a value the
    list page would not take as given (it would silently drop or change it), is an error."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise FilterErrors({"filters": [_("Send the filters as an object.")]})
    errors: dict[str, list[str]] = {}
    given: dict[str, str] = {}
    for key, value in raw.items():
        if key not in kind.keys:
            errors[str(key)] = [_("This list has no such filter.")]
        elif isinstance(value, bool):
            given[key] = "1" if value else ""
        elif isinstance(value, str) and "\x00" in value:
            errors[str(key)] = [_("Null characters are not allowed.")]
        elif isinstance(value, str | int) and not isinstance(value, bool):
            given[key] = str(value).strip()
        elif value is not None:
            errors[str(key)] = [_("Send a filter's value as text.")]
    if errors:
        raise FilterErrors(errors)
    given = {key: value for key, value in given.items() if value}
    errors = _bad_dates(kind, given)
    if not errors:
        understood = kind.query(user=user, params=given)[1]
        for key, value in given.items():
            if key in kind.dates:
                continue
            if key in kind.flags:
                accepted = value in FLAG_VALUES
            else:
                accepted = understood.get(key, value) == value
            if not accepted:
                errors[key] = [_("The list does not accept this value.")]
    if errors:
        raise FilterErrors(errors)
    return given


# --- writing -----------------------------------------------------------------------------------


def _batches(objects: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(objects)
    while batch := list(islice(iterator, size)):
        yield batch


def export_rows(
    kind: ExportKind,
    qs: QuerySet[Any],
    *,
    progress: Callable[[int], None] | None = None,
    more: Callable[[Any], list[Cell]] | None = None,
) -> Iterator[list[Cell]]:
    """The list's rows in batches read with a server-side cursor where there is one; `progress`
    hears how many rows were written after each batch; `more` adds a row's own columns."""
    labels = Labels()
    done = 0
    for batch in _batches(qs.iterator(chunk_size=BATCH), BATCH):
        if more is None:
            yield from kind.rows(batch, labels)
        else:
            for obj, row in zip(batch, kind.rows(batch, labels), strict=True):
                yield [*row, *more(obj)]
        done += len(batch)
        if progress is not None:
            progress(done)


def export_write(
    *,
    kind: ExportKind,
    fmt: str,
    qs: QuerySet[Any],
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the list to `out` in `fmt`; answer the number of rows written."""
    headers, more = kind.header_texts(), None
    if kind.more is not None:
        extra, more = kind.more(qs)
        headers += extra
    rows = export_rows(kind, qs, progress=progress, more=more)
    if fmt == "xlsx":
        return write_xlsx(out, headers, rows, title=kind.code)
    return write_csv(out, headers, rows)


def file_name(kind: ExportKind, fmt: str) -> str:
    return f"{kind.code}-{timezone.localdate():%Y-%m-%d}.{fmt}"
