"""The case as the API answers it (a row of the list, the whole case file), and what every case
endpoint reads alike: the version the client read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.models import User
from ocrotire.cases import services
from ocrotire.cases.models import Case
from ocrotire.cases.selectors import case_get, case_tasks, case_timeline, removals_awaiting_return
from ocrotire.geo.models import Unit
from ocrotire.workflow.serializers import TaskSerializer, TimelineEventSerializer, timeline_rows


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username}


class CaseOutputSerializer(serializers.ModelSerializer[Case]):
    child = serializers.SerializerMethodField()
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    manager = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "child",
            "stage",
            "risk_level",
            "immediate_danger",
            "manager",
            "unit",
            "opened_at",
            "closed_at",
            "closure_reason",
            "times_reopened",
            "overdue",
            "tasks",
            "version",
        ]

    def get_child(self, case: Case) -> dict[str, Any]:
        return {"id": case.child_id, "display_name": str(case.child)}

    def get_manager(self, case: Case) -> dict[str, Any] | None:
        return user_ref(case.manager)

    @extend_schema(responses=TaskSerializer(many=True))
    def get_tasks(self, case: Case) -> list[dict[str, Any]]:
        tasks = getattr(case, "prefetched_tasks", None)
        if tasks is None:
            tasks = list(case_tasks(case))
        # One task serializer for every case of a list: building one per case (its fields are
        # deep-copied each time) was a third of the time of a page.
        serializer = getattr(self, "_task_serializer", None)
        if serializer is None:
            serializer = self._task_serializer = TaskSerializer()
        return [serializer.to_representation(task) for task in tasks]

    def get_overdue(self, case: Case) -> int:
        count = getattr(case, "overdue_count", None)
        if count is not None:
            return int(count)
        from django.utils import timezone

        return case.tasks.filter(status="open", due_at__lt=timezone.now()).count()


class CaseDetailSerializer(CaseOutputSerializer):
    timeline = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    allowed_steps = serializers.SerializerMethodField()
    workflow = serializers.SerializerMethodField(
        help_text="The version of its country's workflow the case follows, kept from its opening "
        "(version 0: the country's pack is not loaded yet) {country, version}"
    )
    records = serializers.SerializerMethodField()
    return_required = serializers.SerializerMethodField(
        help_text="Removals whose court action was not filed in time and whose child was not "
        "returned, whether or not the emergency protection ended: the child must be returned "
        "[{action, removed_at, due_at}]"
    )

    class Meta(CaseOutputSerializer.Meta):
        fields = [
            *CaseOutputSerializer.Meta.fields,
            "return_required",
            "registration_disposition",
            "closure_note",
            "reports",
            "team",
            "allowed_steps",
            "workflow",
            "records",
            "timeline",
        ]

    @extend_schema(responses=TimelineEventSerializer(many=True))
    def get_timeline(self, case: Case) -> list[dict[str, Any]]:
        rows = timeline_rows(case_timeline(case), case.unit.country)
        return list(TimelineEventSerializer(rows, many=True).data)

    def get_reports(self, case: Case) -> list[dict[str, Any]]:
        return [
            {"id": r.pk, "number": r.number, "received_at": r.received_at.isoformat()}
            for r in case.reports.order_by("received_at")
        ]

    def get_team(self, case: Case) -> list[dict[str, Any]]:
        return [
            {**(user_ref(m.user) or {}), "role": m.role}
            for m in case.members.filter(active=True).select_related("user")
        ]

    def get_return_required(self, case: Case) -> list[dict[str, Any]]:
        return [
            {
                "action": item["action"].pk,
                "removed_at": item["action"].decided_at.isoformat(),
                "due_at": item["due_at"].isoformat(),
            }
            for item in removals_awaiting_return(case)
        ]

    def get_allowed_steps(self, case: Case) -> list[str]:
        return services.allowed_steps(case)

    def get_workflow(self, case: Case) -> dict[str, Any]:
        workflow = services.workflow_of(case)
        return {"country": case.unit.country, "version": workflow.version}

    def get_records(self, case: Case) -> dict[str, list[dict[str, Any]]]:
        return {
            "assessments": [
                {
                    "id": a.pk,
                    "kind": a.kind,
                    "completed_at": a.completed_at.isoformat(),
                    "risk_level": a.risk_level,
                    "confirmed": a.confirmed,
                    "protection_interview_done": a.protection_interview_done,
                    "findings": a.findings,
                    "recommendation": a.recommendation,
                    "needs": a.needs,
                    # The form's version row filled (GET /api/v1/forms/: `version_id`).
                    "form_version": a.form_version_id,
                    "answers": a.answers,
                }
                for a in case.assessments.all()
            ],
            "plans": [
                {
                    "id": p.pk,
                    "version": p.number,
                    "status": p.status,
                    "goals": p.goals,
                    "actions": p.actions,
                    "next_review_due": p.next_review_due.isoformat() if p.next_review_due else None,
                    "decision_note": p.decision_note,
                    "form_version": p.form_version_id,
                    "answers": p.answers,
                }
                for p in case.plans.all()
            ],
            "visits": [
                {
                    "id": v.pk,
                    "kind": v.kind,
                    "visited_at": v.visited_at.isoformat(),
                    "observations": v.observations,
                    "form_version": v.form_version_id,
                    "answers": v.answers,
                }
                for v in case.visits.all()
            ],
            "reviews": [
                {
                    "id": r.pk,
                    "outcome": r.outcome,
                    "reviewed_at": r.reviewed_at.isoformat(),
                    "summary": r.summary,
                }
                for r in case.reviews.all()
            ],
            "meetings": [
                {
                    "id": m.pk,
                    "kind": m.kind,
                    "held_at": m.held_at.isoformat(),
                    "decision": m.decision,
                    "decision_number": m.decision_number,
                }
                for m in case.meetings.all()
            ],
            "referrals": [
                {
                    "id": r.pk,
                    "service": r.service,
                    "to_institution": r.to_institution_id,
                    "status": r.status,
                    "sent_at": r.sent_at.isoformat(),
                }
                for r in case.referrals.all()
            ],
            "protective_actions": [
                {
                    "id": p.pk,
                    "kind": p.kind,
                    "decided_at": p.decided_at.isoformat(),
                    "prosecutor_notified_at": p.prosecutor_notified_at.isoformat()
                    if p.prosecutor_notified_at
                    else None,
                    "court_filed_at": p.court_filed_at.isoformat() if p.court_filed_at else None,
                    "returned_at": p.returned_at.isoformat() if p.returned_at else None,
                }
                for p in case.protective_actions.all()
            ],
        }


def detail_response(user: User, pk: int) -> Response:
    """The case as it is now, with its version as the ETag."""
    case = case_get(user=user, pk=pk)
    response = Response(CaseDetailSerializer(case).data)
    response["ETag"] = f'"{case.version}"'
    return response


def version_read(request: Request, data: dict[str, Any]) -> int | None:
    """The version the client read: the body's `version` (taken out of `data`), else If-Match."""
    if "version" in data:
        return int(data.pop("version"))
    match = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    if match.isdigit() and len(match) < 10:
        return int(match)
    return None
