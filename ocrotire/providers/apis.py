"""REST endpoints of the provider register: /providers/ and the country catalogues /service-types/.
Service points (/services/, their enrolments, the gap analysis) are in service_point_apis.py and
referrals in referral_apis.py; their endpoints are offered here too, so that the URL map finds
every endpoint of the app in `apis`."""

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
from ocrotire.accounts.selectors import institution_get, units_from_codes
from ocrotire.api.errors import error_body
from ocrotire.api.idempotency import idempotent
from ocrotire.core.bounds import validate_past_date, validate_record_date
from ocrotire.providers import services
from ocrotire.providers.api_common import MAX_ID, _service_code, _unit, _Version
from ocrotire.providers.models import Provider, ProviderKind, ServiceType
from ocrotire.providers.permissions import can_create_provider
from ocrotire.providers.referral_apis import ReferralCreateSerializer as ReferralCreateSerializer
from ocrotire.providers.referral_apis import ReferralDetailApi as ReferralDetailApi
from ocrotire.providers.referral_apis import ReferralListApi as ReferralListApi
from ocrotire.providers.referral_apis import ReferralOutputSerializer as ReferralOutputSerializer
from ocrotire.providers.referral_apis import ReferralStepApi as ReferralStepApi
from ocrotire.providers.selectors import provider_get, provider_list, service_bundles, service_types
from ocrotire.providers.service_point_apis import (
    EnrolmentOutputSerializer as EnrolmentOutputSerializer,
)
from ocrotire.providers.service_point_apis import GapAnalysisApi as GapAnalysisApi
from ocrotire.providers.service_point_apis import GapAnalysisSerializer as GapAnalysisSerializer
from ocrotire.providers.service_point_apis import GapRowSerializer as GapRowSerializer
from ocrotire.providers.service_point_apis import (
    ServicePointCreateSerializer as ServicePointCreateSerializer,
)
from ocrotire.providers.service_point_apis import ServicePointDetailApi as ServicePointDetailApi
from ocrotire.providers.service_point_apis import (
    ServicePointEnrolmentsApi as ServicePointEnrolmentsApi,
)
from ocrotire.providers.service_point_apis import ServicePointListApi as ServicePointListApi
from ocrotire.providers.service_point_apis import (
    ServicePointOutputSerializer as ServicePointOutputSerializer,
)
from ocrotire.providers.service_point_apis import (
    ServicePointUpdateSerializer as ServicePointUpdateSerializer,
)


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
