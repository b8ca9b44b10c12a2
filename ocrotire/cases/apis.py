"""REST endpoints of cases: list and read (with tasks and the timeline), one endpoint per stage
step, "my work", and the triage of a report into cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.errors import error_body
from ocrotire.api.idempotency import idempotent
from ocrotire.api.pagination import keyset_page
from ocrotire.cases import services
from ocrotire.cases.casefile import case_file_disposition, case_file_pdf
from ocrotire.cases.models import (
    AssessmentKind,
    Case,
    ClosureReason,
    Confirmation,
    MeetingKind,
    ProtectiveActionKind,
    ReviewOutcome,
    RiskLevel,
    Stage,
    VisitKind,
)
from ocrotire.cases.selectors import (
    case_get,
    case_list,
    case_page_rows,
    case_tasks,
    case_timeline,
    my_work,
    removals_awaiting_return,
)
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import MomentField, validate_past_moment, validate_record_date
from ocrotire.core.models import AuditAction
from ocrotire.core.pdf import PdfUnavailable
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report, TriageDecision
from ocrotire.intake.selectors import report_get
from ocrotire.intake.serializers import ReportOutputSerializer, institution_by_id, report_output
from ocrotire.workflow.models import Task
from ocrotire.workflow.serializers import TaskSerializer, TimelineEventSerializer, timeline_rows

MAX_ID = 2**63 - 1
RISK_CHOICES = RiskLevel.choices


def _user_ref(user: User | None) -> dict[str, Any] | None:
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
        return _user_ref(case.manager)

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
    records = serializers.SerializerMethodField()
    return_required = serializers.SerializerMethodField(
        help_text="Removals whose court action was not filed in time while the child is still "
        "under emergency protection: the child must be returned [{action, removed_at, due_at}]"
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
            {**(_user_ref(m.user) or {}), "role": m.role}
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
                }
                for p in case.plans.all()
            ],
            "visits": [
                {
                    "id": v.pk,
                    "kind": v.kind,
                    "visited_at": v.visited_at.isoformat(),
                    "observations": v.observations,
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
                }
                for p in case.protective_actions.all()
            ],
        }


def _detail(user: User, pk: int) -> Response:
    case = case_get(user=user, pk=pk)
    response = Response(CaseDetailSerializer(case).data)
    response["ETag"] = f'"{case.version}"'
    return response


class CaseListApi(GenericAPIView[Case]):
    permission_classes = [IsMember]
    serializer_class = CaseOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        stage = serializers.ChoiceField(choices=Stage.choices, required=False)
        unit = serializers.CharField(required=False, max_length=40)
        risk_level = serializers.ChoiceField(choices=RISK_CHOICES, required=False)
        search = serializers.CharField(required=False, max_length=100)
        mine = serializers.BooleanField(required=False, default=False)
        open = serializers.BooleanField(required=False, default=False)
        after = serializers.CharField(
            required=False, max_length=200, help_text="Keyset cursor: the cases after this one"
        )
        before = serializers.CharField(
            required=False, max_length=200, help_text="Keyset cursor: the cases before this one"
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses=CaseOutputSerializer(many=True),
        description="Newest first. `?page=` pages by number; `?after=`/`?before=` (the cursors "
        "in `next` and `previous` of such a page) page by keyset, at the same cost however deep.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = case_list(
            user=user,
            stage=f.get("stage", ""),
            unit_code=f.get("unit", ""),
            risk_level=f.get("risk_level", ""),
            search=f.get("search", ""),
            manager=user if f.get("mine") else None,
            open_only=f.get("open", False),
        )
        assert self.paginator is not None
        keyset = keyset_page(
            request,
            qs,
            field="opened_at",
            page_size=self.paginator.get_page_size(request) or 50,  # type: ignore[attr-defined]
        )
        if keyset is not None:
            return Response(
                {
                    "count": qs.count(),
                    "next": keyset.next,
                    "previous": keyset.previous,
                    "results": CaseOutputSerializer(case_page_rows(keyset.ids), many=True).data,
                }
            )
        # The page is chosen on the ids alone (a deep page skips thousands of rows: they should
        # not be joined nor have their overdue steps counted), then its cases are read.
        ids = self.paginate_queryset(qs.values_list("pk", flat=True)) or []
        return self.get_paginated_response(
            CaseOutputSerializer(case_page_rows(ids), many=True).data
        )


class CaseDetailApi(GenericAPIView[Case]):
    permission_classes = [IsMember]
    serializer_class = CaseDetailSerializer

    class CaseUpdateSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(
            min_value=0, max_value=2**31 - 1, required=False, help_text="Or send If-Match"
        )
        risk_level = serializers.ChoiceField(choices=RISK_CHOICES, required=False)
        registration_disposition = serializers.CharField(
            max_length=60, required=False, allow_blank=True
        )

    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        audit_record(actor=user, action=AuditAction.VIEW, obj=case)
        return _detail(user, case.pk)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        payload = self.CaseUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = _version(request, data)
        if version is None:
            raise ValidationError(
                {"version": [_("Give the version you read (or an If-Match header).")]}
            )
        services.case_update(actor=user, case=case, version=version, values=data)
        return _detail(user, case.pk)


def _version(request: Request, data: dict[str, Any]) -> int | None:
    if "version" in data:
        return int(data.pop("version"))
    match = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    if match.isdigit() and len(match) < 10:
        return int(match)
    return None


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({field: [_("There is no active user with this number.")]})
    return user


def _unit(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=code, active=True).first()
    if unit is None:
        raise ValidationError({field: [_("There is no unit with this code.")]})
    return unit


def _institution(pk: int | None) -> Institution | None:
    if pk is None:
        return None
    found = Institution.objects.filter(pk=pk, active=True).first()
    if found is None:
        raise ValidationError({"to_institution": [_("There is no institution with this number.")]})
    return found


class CaseFilePdfApi(GenericAPIView[Case]):
    """The case file as a PDF for a court or commission, watermarked with who printed it and
    when on every page; the print is audited and written on the case's timeline."""

    permission_classes = [IsMember]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The document is returned as it is; an `Accept: application/pdf` client still gets its
        # errors as JSON rather than a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="v1_cases_file_pdf_retrieve",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such case, or not one the reader may open."),
            503: OpenApiResponse(description="This server cannot draw PDF documents."),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        try:
            document = case_file_pdf(actor=user, case=case)
        except PdfUnavailable:
            return Response(
                error_body("pdf_unavailable", _("This server cannot draw PDF documents.")),
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = case_file_disposition(case)
        response["Cache-Control"] = "no-store"
        return response


class VersionField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_value=0,
            max_value=2**31 - 1,
            required=False,
            help_text="The version you read (or send If-Match); a newer one means a conflict (409). "
            "Without it, the step is checked against the stage only.",
            **kwargs,
        )


class CaseStepApi(GenericAPIView[Case]):
    """One stage step: validate the body, call the service with the version read, answer with
    the case as it is now."""

    permission_classes = [IsMember]
    serializer_class = CaseDetailSerializer
    input_serializer: ClassVar[type[serializers.Serializer[Any]]]
    step: ClassVar[Callable[..., Case]]
    # What the answer is documented as (the case as it is now, unless a step says otherwise).
    response_schema: ClassVar[Any] = CaseDetailSerializer

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        raise NotImplementedError

    def post(self, request: Request, pk: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        payload = self.input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = _version(request, data)
        self.perform(user, case, case.version if version is None else version, {**data, **kwargs})
        return _detail(user, case.pk)


def _step_schema(cls: type[CaseStepApi]) -> type[CaseStepApi]:
    cls.post = extend_schema(  # type: ignore[method-assign]
        request=cls.input_serializer,
        responses=cls.response_schema,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
    )(idempotent(cls.post))
    return cls


@_step_schema
class AssessmentApi(CaseStepApi):
    class AssessmentInput(serializers.Serializer[Any]):
        version = VersionField()
        kind = serializers.ChoiceField(choices=AssessmentKind.choices)
        findings = serializers.CharField(max_length=20000)
        risk_level = serializers.ChoiceField(choices=RISK_CHOICES)
        confirmed = serializers.ChoiceField(choices=Confirmation.choices)
        protection_interview_done = serializers.BooleanField(required=False, default=False)
        recommendation = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        needs = serializers.ListField(
            child=serializers.CharField(max_length=60), required=False, max_length=30
        )
        completed_at = MomentField(required=False, validators=[validate_past_moment])
        emergency = serializers.BooleanField(
            required=False, default=False, help_text="Initial assessment: the child is in danger"
        )

    input_serializer = AssessmentInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        kind = data.pop("kind")
        return services.case_assessment_record(
            actor=user, case=case, version=version, kind=kind, data=services.AssessmentInput(**data)
        )


@_step_schema
class ProtectiveActionApi(CaseStepApi):
    class ProtectiveActionInput(serializers.Serializer[Any]):
        version = VersionField()
        kind = serializers.ChoiceField(choices=ProtectiveActionKind.choices)
        decided_at = MomentField(required=False, validators=[validate_past_moment])
        description = serializers.CharField(
            max_length=4000, required=False, allow_blank=True, default=""
        )

    input_serializer = ProtectiveActionInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_protective_action_record(
            actor=user,
            case=case,
            version=version,
            kind=data["kind"],
            decided_at=data.get("decided_at"),
            description=data["description"],
        )


@_step_schema
class ProtectiveStepApi(CaseStepApi):
    class ProtectiveStepInput(serializers.Serializer[Any]):
        version = VersionField()
        step = serializers.ChoiceField(
            choices=[("prosecutor_notified", "prosecutor_notified"), ("court_filed", "court_filed")]
        )
        at = MomentField(required=False, validators=[validate_past_moment])

    input_serializer = ProtectiveStepInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_protective_step_record(
            actor=user,
            case=case,
            version=version,
            action_id=data["action_pk"],
            step=data["step"],
            at=data.get("at"),
        )


class NoteInput(serializers.Serializer[Any]):
    version = VersionField()
    note = serializers.CharField(max_length=4000)


@_step_schema
class EmergencyEndApi(CaseStepApi):
    input_serializer = NoteInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_emergency_end(
            actor=user, case=case, version=version, note=data["note"]
        )


@_step_schema
class PlanApi(CaseStepApi):
    class PlanInput(serializers.Serializer[Any]):
        version = VersionField()
        goals = serializers.CharField(max_length=20000)
        actions = serializers.ListField(
            child=serializers.DictField(
                child=serializers.CharField(max_length=500, allow_blank=True)
            ),
            required=False,
            max_length=100,
            help_text='[{"action", "responsible", "due"}]',
        )
        next_review_due = serializers.DateField(
            required=False, allow_null=True, validators=[validate_record_date]
        )

    input_serializer = PlanInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_plan_submit(
            actor=user,
            case=case,
            version=version,
            goals=data["goals"],
            actions=data.get("actions", []),
            next_review_due=data.get("next_review_due"),
        )


class DecisionInput(serializers.Serializer[Any]):
    version = VersionField()
    approve = serializers.BooleanField()
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to refuse",
    )


@_step_schema
class PlanDecisionApi(CaseStepApi):
    input_serializer = DecisionInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_plan_decide(
            actor=user, case=case, version=version, approve=data["approve"], note=data["note"]
        )


@_step_schema
class VisitApi(CaseStepApi):
    class VisitInput(serializers.Serializer[Any]):
        version = VersionField()
        kind = serializers.ChoiceField(choices=VisitKind.choices)
        observations = serializers.CharField(max_length=20000)
        visited_at = MomentField(required=False, validators=[validate_past_moment])
        risk_level = serializers.ChoiceField(choices=RISK_CHOICES, required=False, allow_blank=True)

    input_serializer = VisitInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_visit_record(
            actor=user,
            case=case,
            version=version,
            kind=data["kind"],
            observations=data["observations"],
            visited_at=data.get("visited_at"),
            risk_level=data.get("risk_level", ""),
        )


@_step_schema
class ReviewApi(CaseStepApi):
    class ReviewInput(serializers.Serializer[Any]):
        version = VersionField()
        outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
        summary = serializers.CharField(max_length=20000)
        risk_level = serializers.ChoiceField(choices=RISK_CHOICES)
        reviewed_at = MomentField(required=False, validators=[validate_past_moment])

    input_serializer = ReviewInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_review_record(
            actor=user,
            case=case,
            version=version,
            outcome=data["outcome"],
            summary=data["summary"],
            risk_level=data["risk_level"],
            reviewed_at=data.get("reviewed_at"),
        )


@_step_schema
class ReferralApi(CaseStepApi):
    class ReferralInput(serializers.Serializer[Any]):
        version = VersionField()
        service = serializers.CharField(max_length=200)
        reason = serializers.CharField(max_length=4000)
        to_institution = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=MAX_ID
        )
        complex_case = serializers.BooleanField(required=False, default=False)

    input_serializer = ReferralInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_referral_record(
            actor=user,
            case=case,
            version=version,
            service=data["service"],
            reason=data["reason"],
            to_institution=_institution(data.get("to_institution")),
            complex_case=data["complex_case"],
        )


@_step_schema
class MeetingApi(CaseStepApi):
    class MeetingInput(serializers.Serializer[Any]):
        version = VersionField()
        kind = serializers.ChoiceField(choices=MeetingKind.choices)
        decision = serializers.CharField(max_length=20000)
        held_at = MomentField(required=False, validators=[validate_past_moment])
        participants = serializers.CharField(
            max_length=4000, required=False, allow_blank=True, default=""
        )
        decision_number = serializers.CharField(
            max_length=60, required=False, allow_blank=True, default=""
        )

    input_serializer = MeetingInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_meeting_record(
            actor=user,
            case=case,
            version=version,
            kind=data["kind"],
            decision=data["decision"],
            held_at=data.get("held_at"),
            participants=data["participants"],
            decision_number=data["decision_number"],
        )


@_step_schema
class CloseApi(CaseStepApi):
    class CloseInput(serializers.Serializer[Any]):
        version = VersionField()
        reason = serializers.ChoiceField(choices=ClosureReason.choices)
        note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    input_serializer = CloseInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_closure_propose(
            actor=user, case=case, version=version, reason=data["reason"], note=data["note"]
        )


@_step_schema
class ClosureDecisionApi(CaseStepApi):
    input_serializer = DecisionInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_closure_decide(
            actor=user, case=case, version=version, approve=data["approve"], note=data["note"]
        )


@_step_schema
class ReopenApi(CaseStepApi):
    class ReopenInput(serializers.Serializer[Any]):
        version = VersionField()
        reason = serializers.CharField(max_length=4000)

    input_serializer = ReopenInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_reopen(actor=user, case=case, version=version, reason=data["reason"])


class TransferredAwaySerializer(serializers.Serializer[Any]):
    """The answer to a transfer that took the case out of the reader's area."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    unit = serializers.CharField(help_text="The code of the unit the case went to")
    transferred = serializers.BooleanField(help_text="Always true")


@_step_schema
class TransferApi(CaseStepApi):
    # The case as it is now when the reader still sees it, else only what was done.
    response_schema = PolymorphicProxySerializer(
        component_name="TransferResult",
        serializers=[CaseDetailSerializer, TransferredAwaySerializer],
        resource_type_field_name=None,
    )

    class TransferInput(serializers.Serializer[Any]):
        version = VersionField()
        unit = serializers.CharField(max_length=40)
        reason = serializers.CharField(max_length=4000)
        manager = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=MAX_ID
        )

    input_serializer = TransferInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        return services.case_transfer(
            actor=user,
            case=case,
            version=version,
            unit=_unit(data["unit"], "unit"),
            reason=data["reason"],
            manager=_user(data.get("manager"), "manager"),
        )

    def post(self, request: Request, pk: int, **kwargs: Any) -> Response:
        # After a transfer out of the area the case is no longer visible: answer with what was done.
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        payload = self.input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = _version(request, data)
        moved = self.perform(user, case, case.version if version is None else version, data)
        try:
            return _detail(user, moved.pk)
        except Http404:
            return Response(
                {
                    "id": moved.pk,
                    "number": moved.number,
                    "unit": moved.unit.code,
                    "transferred": True,
                }
            )


@_step_schema
class ReassignApi(CaseStepApi):
    class ReassignInput(serializers.Serializer[Any]):
        version = VersionField()
        manager = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        reason = serializers.CharField(max_length=4000)

    input_serializer = ReassignInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        manager = _user(data["manager"], "manager")
        assert manager is not None
        return services.case_reassign(
            actor=user, case=case, version=version, manager=manager, reason=data["reason"]
        )


@_step_schema
class TeamApi(CaseStepApi):
    class TeamInput(serializers.Serializer[Any]):
        version = VersionField()
        user = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        role = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    input_serializer = TeamInput

    def perform(self, user: User, case: Case, version: int, data: dict[str, Any]) -> Case:
        member = _user(data["user"], "user")
        assert member is not None
        return services.case_member_add(
            actor=user, case=case, version=version, user=member, role=data["role"]
        )


class TeamMemberApi(GenericAPIView[Case]):
    permission_classes = [IsMember]
    serializer_class = CaseDetailSerializer

    @extend_schema(parameters=[OpenApiParameter("version", int)], responses=CaseDetailSerializer)
    def delete(self, request: Request, pk: int, user_pk: int) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        raw = request.query_params.get("version", "")
        version = int(raw) if raw.isdigit() and len(raw) < 10 else case.version
        member = User.objects.filter(pk=user_pk).first()
        if member is None:
            raise Http404
        services.case_member_remove(actor=user, case=case, version=version, user=member)
        return _detail(user, case.pk)


class MyWorkApi(GenericAPIView[Task]):
    permission_classes = [IsMember]

    class MyWorkSerializer(serializers.Serializer[Any]):
        overdue = TaskSerializer(many=True)
        due_today = TaskSerializer(many=True)
        upcoming = TaskSerializer(many=True)
        approvals = serializers.ListField(child=serializers.DictField())

    serializer_class = MyWorkSerializer

    def get(self, request: Request) -> Response:
        user = acting_user(request)
        work = my_work(user=user)
        approvals = Case.objects.filter(pk__in=work["approvals"].values("pk")).order_by(
            "updated_at"
        )

        def tasks(qs: Any) -> list[dict[str, Any]]:
            rows = []
            for task in qs[:200]:
                row = dict(TaskSerializer(task).data)
                subject = task.case or task.report
                row["case"] = task.case_id
                row["report"] = task.report_id
                row["subject"] = subject.number if subject else ""
                rows.append(row)
            return rows

        return Response(
            {
                "overdue": tasks(work["overdue"]),
                "due_today": tasks(work["due_today"]),
                "upcoming": tasks(work["upcoming"]),
                "approvals": [
                    {"id": c.pk, "number": c.number, "stage": c.stage} for c in approvals[:200]
                ],
            }
        )


# Triage of a report (`/reports/<id>/triage/`), answered with the report as it is now. (No
# docstring: it would become the operation's description in the schema.)
class TriageApi(GenericAPIView[Report]):
    permission_classes = [IsMember]
    serializer_class = ReportOutputSerializer

    class TriageInputSerializer(serializers.Serializer[Any]):
        decision = serializers.ChoiceField(choices=TriageDecision.choices)
        reason = serializers.CharField(max_length=4000)
        risk_level = serializers.ChoiceField(
            choices=RiskLevel.choices,
            required=False,
            help_text="Required to open a case",
        )
        manager = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="User id of the case manager",
        )
        redirect_to = serializers.IntegerField(
            required=False, min_value=1, max_value=2**63 - 1, help_text="Institution id"
        )
        redirect_to_text = serializers.CharField(max_length=300, required=False, allow_blank=True)
        registration_disposition = serializers.CharField(
            max_length=60, required=False, allow_blank=True
        )
        at = MomentField(
            required=False,
            help_text="When the decision was taken",
            validators=[validate_past_moment],
        )
        version = serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=2**31 - 1,
            help_text="The version you read; a newer one means a conflict (409)",
        )

    @extend_schema(request=TriageInputSerializer, responses=ReportOutputSerializer)
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        report = report_get(user=user, pk=pk)
        payload = self.TriageInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        manager = None
        if data.get("manager") is not None:
            manager = User.objects.filter(pk=data["manager"], is_active=True).first()
            if manager is None:
                raise ValidationError({"manager": [_("There is no active user with this number.")]})
        result = report_triage(
            actor=user,
            report=report,
            version=data.get("version", report.version),
            data=TriageInput(
                decision=data["decision"],
                reason=data["reason"],
                risk_level=data.get("risk_level", ""),
                manager=manager,
                redirect_to=institution_by_id(data.get("redirect_to"), "redirect_to"),
                redirect_to_text=data.get("redirect_to_text", ""),
                registration_disposition=data.get("registration_disposition", ""),
                at=data.get("at"),
            ),
        )
        return Response(report_output(user, report_get(user=user, pk=result.pk)))
