"""Merge of two person records moves their reports and cases to the surviving record (and back on undo)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ocrotire.registry import links


def _move_report_children(from_id: int, to_id: int) -> list[int]:
    from ocrotire.intake.models import ReportChild

    moved: list[int] = []
    for link in ReportChild.objects.filter(person_id=from_id):
        if ReportChild.objects.filter(report_id=link.report_id, person_id=to_id).exists():
            # Both records were on the same report: the link of the survivor already says it.
            continue
        ReportChild.objects.filter(pk=link.pk).update(person_id=to_id)
        moved.append(link.pk)
    return moved


def _move_report_children_back(ids: list[int], back_to: int) -> None:
    from ocrotire.intake.models import ReportChild

    ReportChild.objects.filter(pk__in=ids).update(person_id=back_to)


def _move_cases(from_id: int, to_id: int) -> list[int]:
    from ocrotire.cases.models import Case

    ids = list(Case.objects.filter(child_id=from_id).values_list("pk", flat=True))
    both_open = Case.objects.filter(child_id__in=[from_id, to_id]).exclude(stage="closed")
    if both_open.count() > 1:
        raise ValidationError(
            {
                "persons": _(
                    "Both records have an open case. Close one of the cases before merging the "
                    "records."
                )
            }
        )
    Case.objects.filter(pk__in=ids).update(child_id=to_id)
    return ids


def _move_cases_back(ids: list[int], back_to: int) -> None:
    from ocrotire.cases.models import Case

    Case.objects.filter(pk__in=ids).update(child_id=back_to)


def register_movers() -> None:
    links.register(
        links.LinkMover("intake.report_children", _move_report_children, _move_report_children_back)
    )
    links.register(links.LinkMover("cases.cases", _move_cases, _move_cases_back))
