"""REST endpoints of service points: /services/, their enrolments and the gap analysis."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user, scope_of
from ocrotire.api.idempotency import idempotent
from ocrotire.core.bounds import MomentField, validate_moment, validate_past_date
from ocrotire.providers import services
from ocrotire.providers.api_common import MAX_ID, _service_code, _service_type, _unit, _Version
from ocrotire.providers.models import Enrolment, EnrolmentStatus, Provider, ServicePoint
from ocrotire.providers.permissions import can_see_enrolments
from ocrotire.providers.selectors import (
    enrolment_history,
    gap_analysis,
    point_figures,
    provider_get,
    service_point_get,
    service_point_list,
)


class ServicePointOutputSerializer(serializers.ModelSerializer[ServicePoint]):
    provider_name = serializers.CharField(source="provider.institution.name", read_only=True)
    service_type = serializers.CharField(source="service_type.code", read_only=True)
    service_name = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.code", read_only=True)
    occupied = serializers.SerializerMethodField(help_text="Children enrolled now")
    waiting = serializers.SerializerMethodField(help_text="Children on the waiting list")
    free = serializers.SerializerMethodField(help_text="Places not taken (0 when over capacity)")
    refugees = serializers.SerializerMethodField(help_text="Of the children enrolled, refugees")
    served = serializers.SerializerMethodField(
        help_text="Children enrolled at some time in the last 365 days, still there or not"
    )

    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "provider",
            "provider_name",
            "service_type",
            "service_name",
            "name",
            "unit",
            "address",
            "capacity",
            "occupied",
            "waiting",
            "free",
            "refugees",
            "served",
            "age_min_months",
            "age_max_months",
            "eligibility",
            "opening_hours",
            "languages",
            "last_verified",
            "active",
            "closed_on",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_service_name(self, point: ServicePoint) -> str:
        return point.service_type.label()

    def _figures(self, point: ServicePoint) -> dict[str, int]:
        figures: dict[int, dict[str, int]] = self.context.get("figures") or {}
        if point.pk not in figures:
            figures.update(point_figures([point]))
        return figures[point.pk]

    def get_occupied(self, point: ServicePoint) -> int:
        return self._figures(point)["occupied"]

    def get_waiting(self, point: ServicePoint) -> int:
        return self._figures(point)["waiting"]

    def get_free(self, point: ServicePoint) -> int:
        return max(0, point.capacity - self._figures(point)["occupied"])

    def get_refugees(self, point: ServicePoint) -> int:
        return self._figures(point)["refugees"]

    def get_served(self, point: ServicePoint) -> int:
        return self._figures(point)["served"]


class _PointFields(serializers.Serializer[Any]):
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    age_min_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=360
    )
    age_max_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=360
    )
    eligibility = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    opening_hours = serializers.CharField(max_length=300, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=5), required=False, max_length=10
    )
    last_verified = serializers.DateField(
        required=False, allow_null=True, validators=[validate_past_date]
    )


class ServicePointCreateSerializer(_PointFields):
    provider = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    service_type = serializers.CharField(max_length=60, help_text="Code of a catalogue service")
    unit = serializers.CharField(max_length=40, help_text="Code of the unit where it is")
    name = serializers.CharField(max_length=300)
    capacity = serializers.IntegerField(min_value=0, max_value=100_000, help_text="Places")


class ServicePointUpdateSerializer(_PointFields):
    version = _Version()
    name = serializers.CharField(max_length=300, required=False)
    capacity = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    active = serializers.BooleanField(required=False)


def _provider_for(user: User, pk: int) -> Provider:
    try:
        return provider_get(user=user, pk=pk)
    except Exception as exc:
        raise ValidationError({"provider": [_("There is no such provider in your area.")]}) from exc


class ServicePointListApi(GenericAPIView[ServicePoint]):
    permission_classes = [IsMember]
    serializer_class = ServicePointOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        search = serializers.CharField(required=False, max_length=100)
        unit = serializers.CharField(required=False, max_length=40)
        service_type = serializers.CharField(required=False, max_length=60)
        provider = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str),
            OpenApiParameter("unit", str, description="Code of a unit: service points in it"),
            OpenApiParameter("service_type", str, description="Code of a catalogue service"),
            OpenApiParameter("provider", int),
        ],
        responses=ServicePointOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        user = acting_user(request)
        unit = _unit(f["unit"]) if f.get("unit") else None
        service_code = _service_code(f.get("service_type", ""))
        provider = _provider_for(user, f["provider"]) if f.get("provider") else None
        qs = service_point_list(
            user=user,
            unit=unit,
            service_code=service_code,
            provider=provider,
            search=f.get("search", ""),
        )
        page = list(self.paginate_queryset(qs) or [])
        return self.get_paginated_response(
            ServicePointOutputSerializer(
                page, many=True, context={"figures": point_figures(page)}
            ).data
        )

    @extend_schema(
        request=ServicePointCreateSerializer,
        responses={201: ServicePointOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        payload = ServicePointCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        provider = _provider_for(user, data.pop("provider"))
        unit = _unit(data.pop("unit"))
        service_type = _service_type(unit.country, data.pop("service_type"))
        point = services.service_point_create(
            actor=user, provider=provider, service_type=service_type, unit=unit, **data
        )
        point = service_point_get(user=user, pk=point.pk)
        return Response(ServicePointOutputSerializer(point).data, status=status.HTTP_201_CREATED)


class ServicePointDetailApi(GenericAPIView[ServicePoint]):
    permission_classes = [IsMember]
    serializer_class = ServicePointOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        point = service_point_get(user=acting_user(request), pk=pk)
        return Response(ServicePointOutputSerializer(point).data)

    @extend_schema(request=ServicePointUpdateSerializer, responses=ServicePointOutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        point = service_point_get(user=user, pk=pk)
        payload = ServicePointUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        services.service_point_update(actor=user, point=point, version=version, **data)
        return Response(ServicePointOutputSerializer(service_point_get(user=user, pk=pk)).data)


class EnrolmentOutputSerializer(serializers.ModelSerializer[Enrolment]):
    child = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "child",
            "status",
            "queued_at",
            "enrolled_at",
            "ended_at",
            "referral",
            "over_capacity_reason",
        ]

    def get_child(self, enrolment: Enrolment) -> dict[str, Any]:
        return {"person": enrolment.child_id, "display_name": str(enrolment.child)}


class ServicePointEnrolmentsApi(GenericAPIView[Enrolment]):
    """Who was enrolled at a service point and when (`at`: those enrolled at that moment)."""

    permission_classes = [IsMember]
    serializer_class = EnrolmentOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        at = MomentField(required=False, validators=[validate_moment])
        status = serializers.ChoiceField(choices=EnrolmentStatus.choices, required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("at", str, description="A moment (ISO 8601): who was enrolled then"),
            OpenApiParameter("status", str, enum=EnrolmentStatus.values),
        ],
        responses=EnrolmentOutputSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        point = service_point_get(user=user, pk=pk)
        if not can_see_enrolments(user, point):
            raise PermissionDenied
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = enrolment_history(
            point,
            at=filters.validated_data.get("at"),
            status=filters.validated_data.get("status", ""),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EnrolmentOutputSerializer(page, many=True).data)


class GapRowSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    service_type = serializers.CharField()
    points = serializers.IntegerField()
    capacity = serializers.IntegerField()
    occupied = serializers.IntegerField()
    free = serializers.IntegerField()
    waiting = serializers.IntegerField()
    pending_referrals = serializers.IntegerField()
    unmet_needs = serializers.IntegerField(
        help_text="Needs of the latest assessment of open cases that no service answers yet"
    )


class GapAnalysisSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    units = serializers.ListField(child=serializers.CharField())
    rows = GapRowSerializer(many=True)
    uncovered = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Units with no active service point of a type: [{unit, service_type}]",
    )


class GapAnalysisApi(GenericAPIView[ServicePoint]):
    """Per unit under the one asked for and per service type: places, children enrolled and
    waiting, referrals awaiting an answer, and the units with no service of a type."""

    permission_classes = [IsMember]
    serializer_class = GapAnalysisSerializer
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("unit", str, required=True, description="Code of a unit")],
        responses=GapAnalysisSerializer,
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        code = request.query_params.get("unit", "")
        if not code:
            raise ValidationError({"unit": [_("Choose a unit.")]})
        unit = _unit(code[:40])
        if not scope_of(user).covers_path(unit.path):
            raise ValidationError({"unit": [_("This unit is outside your area.")]})
        gaps = gap_analysis(unit=unit)
        return Response(
            {
                "unit": unit.code,
                "units": [a.code for a in gaps["areas"]],
                "rows": gaps["rows"],
                "uncovered": [{"unit": u, "service_type": t} for u, t in gaps["uncovered"]],
            }
        )
