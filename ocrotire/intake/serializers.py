"""How the API shows a report: in full to those who keep the register, its status to the one who
filed it. Shared by the register's endpoints and triage (cases), which answers with the report."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ocrotire.accounts.models import Institution, User
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report
from ocrotire.intake.permissions import keeps_register

_when = serializers.DateTimeField()


class ReportOutputSerializer(serializers.ModelSerializer[Report]):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    reporter = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    concerns = serializers.SerializerMethodField()
    most_serious = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="code", read_only=True, allow_null=True
    )
    agencies = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()
    registering_institution = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="abbreviation", read_only=True, allow_null=True
    )
    triage = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "number",
            "status",
            "received_at",
            "channel",
            "registering_institution",
            "reporter",
            "children",
            "concerns",
            "most_serious",
            "immediate_danger",
            "unit",
            "location",
            "narrative",
            "information_source",
            "alleged_perpetrator",
            "phone_notice_at",
            "form_received_at",
            "agencies",
            "triage",
            "cases",
            "version",
            "created_at",
        ]

    def get_reporter(self, report: Report) -> dict[str, Any]:
        return {
            "kind": report.reporter_kind,
            "sector": report.reporter_sector,
            "institution": report.reporter_institution_id,
            "name": report.reporter_name,
            "contact": report.reporter_contact,
            "relationship": report.reporter_relationship,
            "anonymous": report.is_anonymous,
        }

    def get_children(self, report: Report) -> list[dict[str, Any]]:
        # Sorted here, not by the database, so that the answer to a filing (built in memory)
        # and every later read list the children alike.
        children = sorted(report.children.all(), key=lambda p: (p.family_name, p.given_name, p.pk))
        return [{"person": p.pk, "display_name": str(p)} for p in children]

    def get_concerns(self, report: Report) -> list[str]:
        return sorted(c.code for c in report.concerns.all())

    def get_agencies(self, report: Report) -> list[dict[str, Any]]:
        return [
            {
                "agency": a.agency,
                "notified_at": _when.to_representation(a.notified_at),
                "note": a.note,
            }
            for a in report.agency_notices.all()
        ]

    def get_cases(self, report: Report) -> list[dict[str, Any]]:
        return [{"id": c.pk, "number": c.number, "stage": c.stage} for c in report.cases.all()]

    def get_triage(self, report: Report) -> dict[str, Any] | None:
        if not report.triage_decision:
            return None
        return {
            "decision": report.triage_decision,
            "reason": report.triage_reason,
            "at": report.triaged_at.isoformat() if report.triaged_at else None,
            "redirected_to": report.redirected_to_id,
            "redirected_to_text": report.redirected_to_text,
        }


class ReportStatusSerializer(serializers.ModelSerializer[Report]):
    """What a reporter sees of what they filed: that it was received, and where it stands."""

    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Report
        fields = ["id", "number", "status", "received_at", "channel", "unit", "created_at"]


def institution_by_id(pk: int | None, field: str) -> Institution | None:
    """An active institution named by its id, or None when none is named; refused on `field`."""
    if pk is None:
        return None
    found = Institution.objects.filter(pk=pk, active=True).first()
    if found is None:
        raise ValidationError({field: [_("There is no institution with this number.")]})
    return found


def report_output(user: User, report: Report) -> dict[str, Any]:
    """The report as an answer to its filing or its triage: in full to a register keeper, its
    status to anyone else (the one who filed it)."""
    if not keeps_register(user):
        return dict(ReportStatusSerializer(report).data)
    return dict(ReportOutputSerializer(report, context={"user": user}).data)
