"""REST endpoints of the provider register: /providers/, /services/ (service points) and the
country catalogues /service-types/."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
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
from ocrotire.accounts.selectors import institution_get, units_from_codes
from ocrotire.api.errors import error_body
from ocrotire.api.idempotency import idempotent
from ocrotire.cases.models import Referral, ReferralStatus
from ocrotire.cases.selectors import case_get
from ocrotire.cases.services import case_referral_send
from ocrotire.core.bounds import (
    MomentField,
    validate_moment,
    validate_past_date,
    validate_record_date,
)
from ocrotire.geo.models import Unit
from ocrotire.providers import services
from ocrotire.providers.models import (
    Enrolment,
    EnrolmentStatus,
    Provider,
    ProviderKind,
    ServicePoint,
    ServiceType,
)
from ocrotire.providers.permissions import can_create_provider, can_see_enrolments
from ocrotire.providers.referrals import referral_target
from ocrotire.providers.selectors import (
    enrolment_history,
    gap_analysis,
    point_figures,
    provider_get,
    provider_list,
    referral_get,
    referral_list,
    service_bundles,
    service_point_get,
    service_point_list,
    service_types,
    waiting_positions,
)

MAX_ID = 2**63 - 1


class _Version(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "The version you read; a newer one means a conflict (409)")
        super().__init__(min_value=0, max_value=2**31 - 1, **kwargs)


def _unit(code: str, field: str = "unit") -> Unit:
    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: [_("There is no unit with this code.")]})
    return found


def _service_type(country: str, code: str) -> ServiceType:
    found = ServiceType.objects.filter(country=country, code=code).first()
    if found is None:
        raise ValidationError(
            {"service_type": [_("This service is not in the catalogue of the unit's country.")]}
        )
    return found


def _service_code(code: str) -> str:
    """A catalogue code known in some country ('' when none was asked for)."""
    if code and not ServiceType.objects.filter(code=code).exists():
        raise ValidationError({"service_type": [_("Unknown service.")]})
    return code


class ProviderOutputSerializer(serializers.ModelSerializer[Provider]):
    name = serializers.CharField(source="institution.name", read_only=True)
    abbreviation = serializers.CharField(source="institution.abbreviation", read_only=True)
    country = serializers.CharField(source="institution.country", read_only=True)
    units = serializers.SerializerMethodField(help_text="Codes of the units it covers")
    licence_status = serializers.SerializerMethodField(
        help_text="'' (valid or none recorded), 'expiring' (within the warning window), 'expired'"
    )

    class Meta:
        model = Provider
        fields = [
            "id",
            "institution",
            "name",
            "abbreviation",
            "country",
            "kind",
            "legal_form",
            "registration_number",
            "licence_number",
            "licence_valid_from",
            "licence_valid_until",
            "licence_status",
            "contact_person",
            "phone",
            "email",
            "address",
            "target_groups",
            "units",
            "last_verified",
            "active",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_units(self, provider: Provider) -> list[str]:
        return sorted(u.code for u in provider.institution.units.all())

    def get_licence_status(self, provider: Provider) -> str:
        return provider.licence_status(timezone.localdate())


class _ProviderFields(serializers.Serializer[Any]):
    legal_form = serializers.CharField(max_length=120, required=False, allow_blank=True)
    registration_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    licence_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    licence_valid_from = serializers.DateField(
        required=False, allow_null=True, validators=[validate_record_date]
    )
    licence_valid_until = serializers.DateField(
        required=False, allow_null=True, validators=[validate_record_date]
    )
    contact_person = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=60, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    target_groups = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    last_verified = serializers.DateField(
        required=False, allow_null=True, validators=[validate_past_date]
    )


class ProviderCreateSerializer(_ProviderFields):
    kind = serializers.ChoiceField(choices=ProviderKind.choices)
    institution = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="An institution already known (a directorate that runs services); otherwise "
        "give name and units",
    )
    name = serializers.CharField(max_length=300, required=False, allow_blank=True)
    abbreviation = serializers.CharField(max_length=30, required=False, allow_blank=True)
    units = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=500,
        help_text="Codes of the units it covers",
    )


class ProviderUpdateSerializer(_ProviderFields):
    version = _Version()
    kind = serializers.ChoiceField(choices=ProviderKind.choices, required=False)
    active = serializers.BooleanField(required=False)


class ProviderListApi(GenericAPIView[Provider]):
    permission_classes = [IsMember]
    serializer_class = ProviderOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        search = serializers.CharField(required=False, max_length=100)
        kind = serializers.ChoiceField(choices=ProviderKind.choices, required=False)
        unit = serializers.CharField(required=False, max_length=40)
        service_type = serializers.CharField(required=False, max_length=60)
        licence = serializers.ChoiceField(choices=["expiring", "expired"], required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str),
            OpenApiParameter("kind", str, enum=ProviderKind.values),
            OpenApiParameter("unit", str, description="Code of a unit: providers covering it"),
            OpenApiParameter("service_type", str, description="Code of a catalogue service"),
            OpenApiParameter("licence", str, enum=["expiring", "expired"]),
        ],
        responses=ProviderOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        unit = _unit(f["unit"]) if f.get("unit") else None
        service_code = _service_code(f.get("service_type", ""))
        qs = provider_list(
            user=acting_user(request),
            search=f.get("search", ""),
            kind=f.get("kind", ""),
            unit=unit,
            service_code=service_code,
            licence=f.get("licence", ""),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ProviderOutputSerializer(page, many=True).data)

    @extend_schema(
        request=ProviderCreateSerializer,
        responses={201: ProviderOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_create_provider(user):
            return Response(
                error_body(
                    "permission_denied", _("You do not have permission to perform this action.")
                ),
                status=status.HTTP_403_FORBIDDEN,
            )
        payload = ProviderCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        institution = None
        if data.get("institution"):
            try:
                institution = institution_get(user=user, pk=data["institution"])
            except Exception as exc:
                raise ValidationError(
                    {"institution": [_("There is no such institution in your area.")]}
                ) from exc
        elif not data.get("units"):
            raise ValidationError({"units": [_("Name at least one unit that it covers.")]})
        provider = services.provider_create(
            actor=user,
            kind=data.pop("kind"),
            institution=institution,
            name=data.pop("name", ""),
            abbreviation=data.pop("abbreviation", ""),
            units=units_from_codes(data.pop("units")) if data.get("units") else None,
            **{k: v for k, v in data.items() if k not in ("institution", "units")},
        )
        provider = provider_get(user=user, pk=provider.pk)
        return Response(ProviderOutputSerializer(provider).data, status=status.HTTP_201_CREATED)


class ProviderDetailApi(GenericAPIView[Provider]):
    permission_classes = [IsMember]
    serializer_class = ProviderOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(
            ProviderOutputSerializer(provider_get(user=acting_user(request), pk=pk)).data
        )

    @extend_schema(request=ProviderUpdateSerializer, responses=ProviderOutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        provider = provider_get(user=user, pk=pk)
        payload = ProviderUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        services.provider_update(actor=user, provider=provider, version=version, **data)
        return Response(ProviderOutputSerializer(provider_get(user=user, pk=pk)).data)


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


class ServiceTypeOutputSerializer(serializers.ModelSerializer[ServiceType]):
    name = serializers.SerializerMethodField()
    bundles = serializers.SerializerMethodField()

    class Meta:
        model = ServiceType
        fields = [
            "code",
            "classifier_code",
            "name",
            "names",
            "group",
            "care_form",
            "bundles",
            "legal_reference",
            "verified",
        ]

    def get_name(self, service: ServiceType) -> str:
        return service.label()

    def get_bundles(self, service: ServiceType) -> list[str]:
        return sorted(b.code for b in service.bundles.all())


class ServiceTypeListApi(GenericAPIView[ServiceType]):
    """A country's catalogue of services (and, for each, the bundles it belongs to)."""

    permission_classes = [IsMember]
    serializer_class = ServiceTypeOutputSerializer
    pagination_class = None

    class FilterSerializer(serializers.Serializer[Any]):
        country = serializers.RegexField(r"^[A-Za-z]{2}$", max_length=2)
        bundle = serializers.CharField(required=False, max_length=60)

    @extend_schema(
        parameters=[
            OpenApiParameter("country", str, required=True, description="ISO code, e.g. MD"),
            OpenApiParameter("bundle", str, description="Only the services of this bundle"),
        ],
        responses=ServiceTypeOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = service_types(country=f["country"]).prefetch_related("bundles")
        if f.get("bundle"):
            if not service_bundles(country=f["country"]).filter(code=f["bundle"]).exists():
                raise ValidationError({"bundle": [_("Unknown bundle for this country.")]})
            qs = qs.filter(bundles__code=f["bundle"])
        return Response(ServiceTypeOutputSerializer(qs, many=True).data)


# -- referrals -------------------------------------------------------------------------------


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
