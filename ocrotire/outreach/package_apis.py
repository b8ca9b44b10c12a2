"""REST endpoints of the minimum package of services: a family's plan of package services, the
services given to it, and the coverage per community (outreach/package.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.api.pagination import MAX_ID
from ocrotire.core.errors import Invalid, NotAllowed
from ocrotire.outreach import package
from ocrotire.outreach.models import Delivery, PackagePlan
from ocrotire.outreach.permissions import can_screen
from ocrotire.providers.models import Provider, ServiceBundle, ServiceType
from ocrotire.registry.selectors import household_get


class PlanSerializer(serializers.ModelSerializer[PackagePlan]):
    bundle = serializers.CharField(source="bundle.code")
    services: serializers.SlugRelatedField[ServiceType] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = PackagePlan
        fields = ["id", "bundle", "services", "note", "version", "created_at"]


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    service = serializers.CharField(source="service.code")
    service_name = serializers.CharField(source="service.label")
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    worker = serializers.CharField(source="worker.username")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "service",
            "service_name",
            "provider",
            "worker",
            "delivered_on",
            "minutes",
            "note",
            "client_id",
        ]


class BundleSerializer(serializers.ModelSerializer[ServiceBundle]):
    name = serializers.CharField(source="label")
    services: serializers.SlugRelatedField[ServiceType] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code", source="types"
    )

    class Meta:
        model = ServiceBundle
        fields = ["code", "name", "services"]


class PackageSerializer(serializers.Serializer[Any]):
    packages = BundleSerializer(many=True)
    plans = PlanSerializer(many=True)
    deliveries = DeliverySerializer(many=True)


class PackagePlanInputSerializer(serializers.Serializer[Any]):
    bundle = serializers.CharField(max_length=60)
    services = serializers.ListField(child=serializers.CharField(max_length=60), max_length=50)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The plan's version the change is based on (to change an existing plan)",
    )


class DeliveryInputSerializer(serializers.Serializer[Any]):
    service = serializers.CharField(max_length=60)
    delivered_on = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=package.MAX_MINUTES)
    provider = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None)


def _body(household: Any) -> dict[str, Any]:
    return dict(
        PackageSerializer(
            {
                "packages": package.bundles_for(household),
                "plans": package.plans_of(household),
                "deliveries": package.deliveries_of(household),
            }
        ).data
    )


def _household(request: Request, pk: int) -> tuple[Any, Any]:
    user = acting_user(request)
    if not can_screen(user):
        raise NotAllowed
    return user, household_get(user=user, pk=pk)


class HouseholdPackageApi(GenericAPIView[PackagePlan]):
    permission_classes = [IsMember]
    serializer_class = PackageSerializer

    @extend_schema(
        description="The packages of the household's country, its plans and the "
        "services it received."
    )
    def get(self, request: Request, pk: int) -> Response:
        _user, household = _household(request, pk)
        return Response(_body(household))

    @extend_schema(
        request=PackagePlanInputSerializer,
        responses={200: PackageSerializer},
        description="The services of a package the family should receive; to change a plan, "
        "give the version it is based on (a newer one is a 409).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        user, household = _household(request, pk)
        payload = PackagePlanInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        bundle = package.bundles_for(household).filter(code=data["bundle"]).first()
        if bundle is None:
            raise Invalid({"bundle": [_("Choose a package of the household's country.")]})
        services = list(
            ServiceType.objects.filter(country=bundle.country, code__in=data["services"])
        )
        if len(services) != len(set(data["services"])):
            raise Invalid({"services": [_("Choose only services of this package.")]})
        package.package_plan_set(
            actor=user,
            household=household,
            bundle=bundle,
            services=services,
            note=data["note"],
            base_version=data["version"],
        )
        return Response(_body(household))


class HouseholdDeliveryApi(GenericAPIView[Delivery]):
    permission_classes = [IsMember]
    serializer_class = DeliverySerializer

    @extend_schema(
        request=DeliveryInputSerializer,
        responses={201: DeliverySerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        description="A service given to the family; the same `client_id` again returns the "
        "first record.",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user, household = _household(request, pk)
        payload = DeliveryInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        service = ServiceType.objects.filter(code=data["service"], active=True).first()
        if service is None:
            raise Invalid({"service": [_("Unknown service.")]})
        provider = None
        if data["provider"] is not None:
            provider = Provider.objects.filter(pk=data["provider"]).first()
            if provider is None:
                raise Invalid({"provider": [_("Unknown provider.")]})
        delivery = package.delivery_record(
            actor=user,
            household=household,
            data=package.DeliveryInput(
                service=service,
                delivered_on=data["delivered_on"],
                minutes=data["minutes"],
                provider=provider,
                note=data["note"],
                client_id=data["client_id"],
            ),
        )
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


class ServiceCoverageSerializer(serializers.Serializer[Any]):
    planned = serializers.IntegerField()
    served = serializers.IntegerField()
    offered = serializers.BooleanField()
    lacking = serializers.BooleanField()


class CommunitySerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    name = serializers.CharField()
    families = serializers.IntegerField()
    services = serializers.DictField(child=ServiceCoverageSerializer())


class ServiceNameSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class CoverageSerializer(serializers.Serializer[Any]):
    package = serializers.CharField()
    services = ServiceNameSerializer(many=True)
    communities = CommunitySerializer(many=True)


class CoverageApi(GenericAPIView[PackagePlan]):
    permission_classes = [IsMember]
    serializer_class = CoverageSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        package = serializers.CharField(max_length=60)
        country = serializers.CharField(max_length=2)
        since = serializers.DateField(required=False)
        until = serializers.DateField(required=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses=CoverageSerializer,
        description="Per community of the user's area with families planned for the package: "
        "families planned and served per service in the period, whether a provider offers it "
        "there, and `lacking` where a planned service reached no family and none offers it.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_screen(user):
            raise NotAllowed
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        bundle = ServiceBundle.objects.filter(
            country=f["country"].upper(), code=f["package"]
        ).first()
        if bundle is None:
            raise Invalid({"package": [_("Unknown package.")]})
        services, rows = package.coverage(
            user=user, bundle=bundle, since=f.get("since"), until=f.get("until")
        )
        by_pk = {s.pk: s.code for s in services}
        body = {
            "package": bundle.code,
            "services": [{"code": s.code, "name": s.label()} for s in services],
            "communities": [
                {
                    "unit": row.unit.code,
                    "name": row.unit.display_name(),
                    "families": row.families,
                    "services": {
                        by_pk[pk]: {
                            "planned": c.planned,
                            "served": c.served,
                            "offered": c.offered,
                            "lacking": c.lacking,
                        }
                        for pk, c in row.services.items()
                    },
                }
                for row in rows
            ],
        }
        return Response(CoverageSerializer(body).data)
