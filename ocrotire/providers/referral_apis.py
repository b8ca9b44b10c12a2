"""REST endpoints of referrals to service points: list, send, read, and the provider's answers."""

from __future__ import annotations

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
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.cases.models import Referral, ReferralStatus
from ocrotire.cases.selectors import case_get
from ocrotire.cases.services import case_referral_send
from ocrotire.providers import services
from ocrotire.providers.api_common import MAX_ID, _Version
from ocrotire.providers.models import Enrolment, EnrolmentStatus, ServicePoint
from ocrotire.providers.referrals import referral_target
from ocrotire.providers.selectors import referral_get, referral_list, waiting_positions


class ReferralOutputSerializer(serializers.ModelSerializer[Referral]):
    case = serializers.SerializerMethodField()
    child = serializers.SerializerMethodField()
    service_point = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField(help_text="Not answered by its due time")
    enrolment = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "child",
            "service_point",
            "service",
            "reason",
            "complex_case",
            "status",
            "sent_at",
            "response_due_at",
            "overdue",
            "answered_at",
            "decline_reason",
            "enrolment",
            "ended_at",
            "end_note",
            "version",
        ]

    def get_case(self, referral: Referral) -> dict[str, Any]:
        return {"id": referral.case_id, "number": referral.case.number}

    def get_child(self, referral: Referral) -> dict[str, Any]:
        child = referral.case.child
        return {
            "person": child.pk,
            "display_name": str(child),
            "birth_date": child.birth_date.isoformat() if child.birth_date else None,
            "sex": child.sex,
        }

    def get_service_point(self, referral: Referral) -> dict[str, Any] | None:
        point = referral.service_point
        if point is None:
            return None
        return {"id": point.pk, "name": point.name, "provider": point.provider.institution.name}

    def get_overdue(self, referral: Referral) -> bool:
        return bool(
            referral.status == ReferralStatus.SENT
            and referral.response_due_at
            and referral.response_due_at < timezone.now()
        )

    def get_enrolment(self, referral: Referral) -> dict[str, Any] | None:
        try:
            enrolment = referral.enrolment
        except Enrolment.DoesNotExist:
            return None
        position = None
        if enrolment.status == EnrolmentStatus.WAITING:
            positions = self.context.get("positions")
            if positions is None:
                positions = waiting_positions([referral])
            position = positions.get(enrolment.pk)
        return {
            "status": enrolment.status,
            "queued_at": _when(enrolment.queued_at),
            "waiting_position": position,
            "enrolled_at": _when(enrolment.enrolled_at),
            "ended_at": _when(enrolment.ended_at),
            "over_capacity_reason": enrolment.over_capacity_reason,
        }


def _when(value: Any) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


class ReferralCreateSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    version = _Version(help_text="The case version you read; a newer one is a conflict (409)")
    service_point = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=4000)
    complex_case = serializers.BooleanField(required=False, default=False)


class ReferralListApi(GenericAPIView[Referral]):
    permission_classes = [IsMember]
    serializer_class = ReferralOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
        service_point = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ReferralStatus.values),
            OpenApiParameter("service_point", int),
        ],
        responses=ReferralOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        user = acting_user(request)
        point = None
        if f.get("service_point"):
            point = ServicePoint.objects.filter(pk=f["service_point"]).first()
            if point is None:
                raise ValidationError({"service_point": [_("There is no such service point.")]})
        qs = referral_list(user=user, status=f.get("status", ""), service_point=point)
        page = list(self.paginate_queryset(qs) or [])
        return self.get_paginated_response(
            ReferralOutputSerializer(
                page, many=True, context={"positions": waiting_positions(page)}
            ).data
        )

    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: ReferralOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        payload = ReferralCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = case_get(user=user, pk=data["case"])
        # A case may be referred to any active service point of the register, in the case's area
        # or not (a specialised service of the capital for a child of a village).
        point = (
            ServicePoint.objects.select_related("provider__institution", "service_type", "unit")
            .filter(pk=data["service_point"], active=True)
            .first()
        )
        if point is None:
            raise ValidationError({"service_point": [_("There is no such service point.")]})
        referral = case_referral_send(
            actor=user,
            case=case,
            version=data["version"],
            service="",
            reason=data["reason"],
            complex_case=data["complex_case"],
            target=referral_target(point),
        )
        return Response(
            ReferralOutputSerializer(referral_get(user=user, pk=referral.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReferralDetailApi(GenericAPIView[Referral]):
    permission_classes = [IsMember]
    serializer_class = ReferralOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(
            ReferralOutputSerializer(referral_get(user=acting_user(request), pk=pk)).data
        )


class ReferralStepApi(GenericAPIView[Referral]):
    """One step of the provider's side of a referral: accept, decline, enrol, complete, drop."""

    permission_classes = [IsMember]
    serializer_class = ReferralOutputSerializer
    step = ""

    class StepSerializer(serializers.Serializer[Any]):
        version = _Version()
        reason = serializers.CharField(
            max_length=4000,
            required=False,
            allow_blank=True,
            help_text="Why it is declined (decline) or why the child left (drop)",
        )
        override_reason = serializers.CharField(
            max_length=4000,
            required=False,
            allow_blank=True,
            help_text="Enrol: why the child is enrolled although every place is taken",
        )

    @extend_schema(request=StepSerializer, responses=ReferralOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        referral = referral_get(user=user, pk=pk)
        payload = self.StepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.referral_step(
            actor=user,
            referral=referral,
            step=self.step,
            version=data["version"],
            reason=data.get("reason", ""),
            override_reason=data.get("override_reason", ""),
        )
        return Response(ReferralOutputSerializer(referral_get(user=user, pk=pk)).data)
