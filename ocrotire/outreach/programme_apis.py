"""REST endpoints of benefit programmes: the programmes, one programme, its certificates (an
application is a POST), a decision, a redemption, and the donor's export (outreach/programmes.py
says who reads and who decides)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.core.errors import Invalid, NotAllowed
from ocrotire.geo.models import Unit
from ocrotire.outreach import certificate_export, certificates, programmes
from ocrotire.outreach.models import Certificate, CertificateStatus, Programme
from ocrotire.outreach.permissions import can_read_programmes

VERSION_HELP = "The version you read; an older one is refused with 409 and nothing changes."


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    unit = serializers.CharField(source="unit.code")
    left = serializers.SerializerMethodField(help_text="Certificates the budget still pays.")

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "country",
            "unit",
            "currency",
            "amount",
            "budget",
            "places",
            "taken",
            "left",
            "eligibility",
            "valid_days",
            "opens_on",
            "closes_on",
            "donor",
            "created_at",
        ]

    def get_left(self, obj: Programme) -> int:
        return programmes.places_left(obj)


class ProgrammeInputSerializer(serializers.Serializer[Any]):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$", max_length=30)
    name = serializers.CharField(max_length=300)
    unit = serializers.CharField(max_length=40, help_text="The code of the programme's area.")
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", max_length=3)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(required=False, allow_null=True, default=None)
    eligibility = serializers.JSONField(
        required=False,
        default=dict,
        help_text='Conditions, all of which must hold: {"children_min": 1, '
        '"flags_any": ["poverty"]}.',
    )
    valid_days = serializers.IntegerField(min_value=1, max_value=3650, default=365)
    donor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    household_name = serializers.CharField(source="household.__str__", read_only=True)
    applied_by = serializers.CharField(source="applied_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Certificate
        fields = [
            "id",
            "programme",
            "household",
            "household_name",
            "status",
            "number",
            "applied_at",
            "applied_by",
            "decided_at",
            "decided_by",
            "reason",
            "expires_on",
            "redeemed_at",
            "redeemed_with",
            "version",
        ]


class CertificateApplicationInputSerializer(serializers.Serializer[Any]):
    household = serializers.IntegerField(min_value=1, max_value=2**62)


class CertificateDecisionInputSerializer(serializers.Serializer[Any]):
    issue = serializers.BooleanField(help_text="true issues the certificate; false refuses.")
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for a refusal.",
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31,
        required=False,
        allow_null=True,
        default=None,
        help_text=VERSION_HELP,
    )


class CertificateRedemptionInputSerializer(serializers.Serializer[Any]):
    redeemed_with = serializers.CharField(
        max_length=300, help_text="What the certificate paid for, or the receipt's number."
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31,
        required=False,
        allow_null=True,
        default=None,
        help_text=VERSION_HELP,
    )


class ProgrammeListApi(GenericAPIView[Programme]):
    permission_classes = [IsMember]
    serializer_class = ProgrammeSerializer

    @extend_schema(
        responses=ProgrammeSerializer(many=True),
        description="The benefit programmes of the user's area, the newest first.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_read_programmes(user):
            raise NotAllowed
        page = self.paginate_queryset(programmes.programme_list(user=user))
        return self.get_paginated_response(ProgrammeSerializer(page or [], many=True).data)

    @extend_schema(
        request=ProgrammeInputSerializer,
        responses={201: ProgrammeSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        description="A programme of the keeper's area: its places are what the budget pays.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        payload = ProgrammeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        unit = Unit.objects.filter(code=data.pop("unit")).first()
        if unit is None:
            raise Invalid({"unit": [_("No place has this code.")]})
        programme = programmes.programme_create(
            actor=user, data=programmes.ProgrammeInput(unit=unit, **data)
        )
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)


class ProgrammeDetailApi(GenericAPIView[Programme]):
    permission_classes = [IsMember]
    serializer_class = ProgrammeSerializer

    def get(self, request: Request, pk: int) -> Response:
        programme = programmes.programme_get(user=acting_user(request), pk=pk)
        return Response(ProgrammeSerializer(programme).data)


class ProgrammeCertificatesApi(GenericAPIView[Certificate]):
    permission_classes = [IsMember]
    serializer_class = CertificateSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=CertificateStatus.choices, required=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses=CertificateSerializer(many=True),
        description="The programme's applications and certificates the user may read.",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        programme = programmes.programme_get(user=user, pk=pk)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = programmes.certificate_list(
            user=user, programme=programme, status=filters.validated_data.get("status", "")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CertificateSerializer(page or [], many=True).data)

    @extend_schema(
        request=CertificateApplicationInputSerializer,
        responses={201: CertificateSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        description="Apply for a household of the user's area: refused when it is not eligible "
        "(with the reason), already has a live application or certificate, or no place is left.",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        programme = programmes.programme_get(user=user, pk=pk)
        payload = CertificateApplicationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        household = programmes.household_for_application(
            user=user, pk=payload.validated_data["household"]
        )
        certificate = certificates.certificate_apply(
            actor=user, programme=programme, household=household
        )
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


class CertificateDecisionApi(GenericAPIView[Certificate]):
    permission_classes = [IsMember]
    serializer_class = CertificateSerializer

    @extend_schema(
        request=CertificateDecisionInputSerializer,
        responses={200: CertificateSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        description="Issue the certificate (a unique number; refused when no place is left in "
        "the budget) or refuse the application with a reason: the programme's keepers only.",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        certificate = programmes.certificate_get(user=user, pk=pk)
        payload = CertificateDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        certificates.certificate_decide(
            actor=user, certificate=certificate, **payload.validated_data
        )
        return Response(CertificateSerializer(certificate).data)


class CertificateRedemptionApi(GenericAPIView[Certificate]):
    permission_classes = [IsMember]
    serializer_class = CertificateSerializer

    @extend_schema(
        request=CertificateRedemptionInputSerializer,
        responses={200: CertificateSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        description="The household used its certificate: the programme's keepers only.",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        certificate = programmes.certificate_get(user=user, pk=pk)
        payload = CertificateRedemptionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        certificates.certificate_redeem(
            actor=user, certificate=certificate, **payload.validated_data
        )
        return Response(CertificateSerializer(certificate).data)


class _ExportApi(GenericAPIView[Certificate]):
    permission_classes = [IsMember]
    fmt = "csv"

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The file is returned as it is; its errors stay JSON rather than a 406.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, pk: int) -> HttpResponse:
        user = acting_user(request)
        return certificate_export.export_response(
            user, programmes.programme_get(user=user, pk=pk), self.fmt
        )


class CertificateCsvApi(_ExportApi):
    fmt = "csv"

    @extend_schema(
        operation_id="v1_programmes_certificates_csv",
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="Only the programme's keepers and planners."),
            404: OpenApiResponse(description="No such programme, or not one the user reads."),
        },
        description="The donor's list of the programme's certificates (CSV, UTF-8 with BOM).",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return super().get(request, pk)


class CertificateXlsxApi(_ExportApi):
    fmt = "xlsx"

    @extend_schema(
        operation_id="v1_programmes_certificates_xlsx",
        responses={
            (200, certificate_export.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="Only the programme's keepers and planners."),
            404: OpenApiResponse(description="No such programme, or not one the user reads."),
        },
        description="The donor's list of the programme's certificates (Excel workbook).",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return super().get(request, pk)
