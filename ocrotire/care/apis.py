"""REST endpoints of placements: /placements/ (list, start), /placements/{id}/,
/placements/{id}/decision/ (the gatekeeping decision given later), /placements/{id}/review/ and
/placements/{id}/end/."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user, scope_of
from ocrotire.api.idempotency import idempotent
from ocrotire.care import services
from ocrotire.care.models import (
    DecisionBy,
    DecisionOutcome,
    InstitutionChangeKind,
    Placement,
    PlacementEnd,
    PlacementForm,
    ReviewOutcome,
)
from ocrotire.care.selectors import institution_figures, placement_get, placement_list
from ocrotire.care.services import NOTE_LIMIT, Decision
from ocrotire.cases.selectors import case_get
from ocrotire.core.bounds import (
    MomentField,
    validate_past_date,
    validate_past_moment,
    validate_record_date,
)
from ocrotire.geo.models import Unit
from ocrotire.providers.models import ServicePoint
from ocrotire.providers.selectors import service_point_get, service_point_list
from ocrotire.registry.selectors import person_scope

MAX_ID = 2**63 - 1
MAX_PERIOD_DAYS = 20 * 366
EARLIEST = date(1990, 1, 1)


class PlacementOutputSerializer(serializers.ModelSerializer[Placement]):
    child = serializers.SerializerMethodField()
    facility = serializers.SerializerMethodField()
    family_based = serializers.BooleanField(read_only=True)
    active = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField(
        help_text="The body that decided it (the gatekeeping commission or the court), named in "
        "the reader's language; null for an emergency placement not yet decided."
    )
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = [
            "id",
            "child",
            "case",
            "form",
            "family_based",
            "national_type",
            "emergency",
            "decision_by",
            "decided_by",
            "decision_reference",
            "decision_date",
            "decision_outcome",
            "carer_name",
            "facility",
            "started_at",
            "reviews",
            "next_review_at",
            "active",
            "ended_at",
            "end_reason",
            "end_note",
            "version",
        ]

    def get_child(self, placement: Placement) -> dict[str, Any]:
        return {"person": placement.child_id, "display_name": str(placement.child)}

    def get_facility(self, placement: Placement) -> dict[str, Any] | None:
        point = placement.facility
        if point is None:
            return None
        return {"id": point.pk, "name": point.name, "provider": point.provider.institution.name}

    def get_active(self, placement: Placement) -> bool:
        return placement.ended_at is None

    def get_decided_by(self, placement: Placement) -> dict[str, Any] | None:
        if not placement.decision_by:
            return None
        gatekeeper = placement.gatekeeper
        return {
            "name": placement.decided_by_label,
            "legal_reference": gatekeeper.legal_reference if gatekeeper else "",
            "verified": gatekeeper.verified if gatekeeper else True,
        }

    def get_reviews(self, placement: Placement) -> list[dict[str, Any]]:
        return [
            {"reviewed_at": r.reviewed_at, "outcome": r.outcome, "note": r.note}
            for r in placement.reviews.all()
        ]


class PlacementCreateSerializer(serializers.Serializer[Any]):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    case = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    form = serializers.ChoiceField(choices=PlacementForm.choices)
    national_type = serializers.CharField(max_length=200, required=False, allow_blank=True)
    emergency = serializers.BooleanField(required=False, default=False)
    decision_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    decision_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_past_date]
    )
    decision_by = serializers.ChoiceField(
        choices=DecisionBy.choices,
        required=False,
        allow_blank=True,
        help_text="Required unless `emergency`: the gatekeeping commission or a court decided.",
    )
    decision_body = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The court's name (a court decision); the commission is the country's own.",
    )
    decision_outcome = serializers.ChoiceField(
        choices=DecisionOutcome.choices,
        required=False,
        allow_blank=True,
        help_text="The commission's decision: only `approved` allows a planned placement.",
    )
    carer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    facility = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    started_at = MomentField(
        required=False, help_text="Defaults to now", validators=[validate_past_moment]
    )


class PlacementListApi(GenericAPIView[Placement]):
    permission_classes = [IsMember]
    serializer_class = PlacementOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        active = serializers.BooleanField(required=False, allow_null=True, default=None)
        form = serializers.ChoiceField(choices=PlacementForm.choices, required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("child", int),
            OpenApiParameter("active", bool),
            OpenApiParameter("form", str, enum=PlacementForm.values),
        ],
        responses=PlacementOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = placement_list(
            user=acting_user(request),
            child=f.get("child"),
            active=f.get("active"),
            form=f.get("form", ""),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PlacementOutputSerializer(page, many=True).data)

    @extend_schema(
        request=PlacementCreateSerializer,
        responses={201: PlacementOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        payload = PlacementCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        child = person_scope(user).filter(pk=data["child"]).first()
        if child is None:
            raise ValidationError({"child": [_("There is no such child in your area.")]})
        case = case_get(user=user, pk=data["case"]) if data.get("case") else None
        facility = None
        if data.get("facility"):
            facility = ServicePoint.objects.filter(pk=data["facility"], active=True).first()
            if facility is None:
                raise ValidationError({"facility": [_("There is no such service point.")]})
        placement = services.placement_start(
            actor=user,
            child=child,
            case=case,
            form=data["form"],
            started_at=data.get("started_at") or timezone.now(),
            emergency=data["emergency"],
            national_type=data.get("national_type", ""),
            decision_reference=data.get("decision_reference", ""),
            decision_date=data.get("decision_date"),
            decision_by=data.get("decision_by", ""),
            decision_body=data.get("decision_body", ""),
            decision_outcome=data.get("decision_outcome", ""),
            carer_name=data.get("carer_name", ""),
            facility=facility,
        )
        return Response(
            PlacementOutputSerializer(placement_get(user=user, pk=placement.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PlacementDetailApi(GenericAPIView[Placement]):
    permission_classes = [IsMember]
    serializer_class = PlacementOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        placement = placement_get(user=acting_user(request), pk=pk)
        return Response(PlacementOutputSerializer(placement).data)


class PlacementEndApi(GenericAPIView[Placement]):
    permission_classes = [IsMember]
    serializer_class = PlacementOutputSerializer

    class EndSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
        end_reason = serializers.ChoiceField(choices=PlacementEnd.choices)
        ended_at = MomentField(required=False, validators=[validate_past_moment])
        note = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    @extend_schema(request=EndSerializer, responses=PlacementOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        placement = placement_get(user=user, pk=pk)
        payload = self.EndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.placement_end(
            actor=user,
            placement=placement,
            version=data["version"],
            end_reason=data["end_reason"],
            ended_at=data.get("ended_at"),
            note=data.get("note", ""),
        )
        return Response(PlacementOutputSerializer(placement_get(user=user, pk=pk)).data)


class PlacementDecisionApi(GenericAPIView[Placement]):
    """The gatekeeping commission's or a court's decision on an active placement that has none:
    an emergency placement becomes planned."""

    permission_classes = [IsMember]
    serializer_class = PlacementOutputSerializer

    class DecisionSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
        decision_by = serializers.ChoiceField(choices=DecisionBy.choices)
        decision_body = serializers.CharField(max_length=200, required=False, allow_blank=True)
        decision_reference = serializers.CharField(max_length=100, allow_blank=True)
        decision_date = serializers.DateField(allow_null=True, validators=[validate_past_date])
        decision_outcome = serializers.ChoiceField(
            choices=DecisionOutcome.choices, required=False, allow_blank=True
        )

    @extend_schema(request=DecisionSerializer, responses=PlacementOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        placement = placement_get(user=user, pk=pk)
        payload = self.DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.placement_decide(
            actor=user,
            placement=placement,
            version=data["version"],
            decision=Decision(
                by=data["decision_by"],
                body=data.get("decision_body", ""),
                reference=data["decision_reference"],
                on=data["decision_date"],
                outcome=data.get("decision_outcome", ""),
            ),
        )
        return Response(PlacementOutputSerializer(placement_get(user=user, pk=pk)).data)


class PlacementReviewApi(GenericAPIView[Placement]):
    """The periodic review of an active placement: it meets the review task and schedules the
    next; `end` ends the placement with `end_reason`."""

    permission_classes = [IsMember]
    serializer_class = PlacementOutputSerializer

    class ReviewSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
        outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
        note = serializers.CharField(max_length=NOTE_LIMIT)
        reviewed_at = MomentField(required=False, validators=[validate_past_moment])
        end_reason = serializers.ChoiceField(
            choices=PlacementEnd.choices,
            required=False,
            allow_blank=True,
            help_text="Required when the outcome is `end`.",
        )

    @extend_schema(request=ReviewSerializer, responses=PlacementOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        placement = placement_get(user=user, pk=pk)
        payload = self.ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.placement_review_record(
            actor=user,
            placement=placement,
            version=data["version"],
            outcome=data["outcome"],
            note=data["note"],
            reviewed_at=data.get("reviewed_at"),
            end_reason=data.get("end_reason", ""),
        )
        return Response(PlacementOutputSerializer(placement_get(user=user, pk=pk)).data)


class InstitutionChangeSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=InstitutionChangeKind.choices)
    decision_reference = serializers.CharField(max_length=100)
    decided_on = serializers.DateField(validators=[validate_past_date])
    effective_on = serializers.DateField(validators=[validate_record_date])
    successors = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=50,
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class InstitutionChangeApi(GenericAPIView[ServicePoint]):
    """Record that a residential institution is reorganised into other services or closed."""

    permission_classes = [IsMember]
    serializer_class = InstitutionChangeSerializer

    @extend_schema(
        request=InstitutionChangeSerializer,
        responses={201: InstitutionChangeSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        facility = service_point_get(user=user, pk=pk)
        payload = InstitutionChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        wanted = set(data["successors"])
        successors = list(service_point_list(user=user).filter(pk__in=wanted))
        if len(successors) != len(wanted):
            raise ValidationError({"successors": [_("There is no such service point.")]})
        change = services.institution_change_record(
            actor=user,
            facility=facility,
            kind=data["kind"],
            decision_reference=data["decision_reference"],
            decided_on=data["decided_on"],
            effective_on=data["effective_on"],
            successors=successors,
            note=data.get("note", ""),
        )
        return Response(
            {
                "facility": facility.pk,
                "kind": change.kind,
                "decision_reference": change.decision_reference,
                "decided_on": change.decided_on,
                "effective_on": change.effective_on,
                "successors": [p.pk for p in successors],
                "note": change.note,
            },
            status=status.HTTP_201_CREATED,
        )


class InstitutionFiguresApi(GenericAPIView[ServicePoint]):
    """Residential care and deinstitutionalisation in an area over a period (counts only)."""

    permission_classes = [IsMember]
    pagination_class = None

    class QuerySerializer(serializers.Serializer[Any]):
        unit = serializers.CharField(max_length=40)
        since = serializers.DateField(required=False, validators=[validate_record_date])
        until = serializers.DateField(required=False, validators=[validate_record_date])

    serializer_class = QuerySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True, description="Code of a unit"),
            OpenApiParameter("since", str, description="First day (default: a year ago)"),
            OpenApiParameter("until", str, description="Last day (default: today)"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        unit = Unit.objects.filter(code=q["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no unit with this code.")]})
        if not scope_of(user).covers_path(unit.path):
            raise ValidationError({"unit": [_("This unit is outside your area.")]})
        today = timezone.localdate()
        for field in ("since", "until"):
            day = q.get(field)
            if day is not None and not EARLIEST <= day <= today + timedelta(days=366):
                raise ValidationError(
                    {field: [_("Choose a day between 1990 and a year from now.")]}
                )
        until = q.get("until") or today
        since = q.get("since") or until - timedelta(days=365)
        if since > until:
            raise ValidationError({"since": [_("The first day comes after the last day.")]})
        if (until - since).days > MAX_PERIOD_DAYS:
            raise ValidationError({"since": [_("Choose a period of at most 20 years.")]})
        figures = institution_figures(unit=unit, since=since, until=until)
        return Response(
            {
                **{k: v for k, v in figures.items() if k not in ("unit", "facilities")},
                "unit": unit.code,
                "facilities": [
                    {k: v for k, v in f.items() if k != "point"} for f in figures["facilities"]
                ],
            }
        )
