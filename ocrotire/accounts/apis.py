"""REST endpoints: sign-in for a token and its revocation, the signed-in user, institutions,
the territory's units."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrotire.accounts import security, services
from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.models import Institution, InstitutionKind
from ocrotire.accounts.permissions import acting_user, can_create_institution, role_codes
from ocrotire.accounts.selectors import (
    institution_get,
    institution_list,
    units_from_codes,
    user_profile,
    user_token_get,
)
from ocrotire.api.errors import error_body
from ocrotire.api.idempotency import idempotent
from ocrotire.geo.models import Unit, UnitLevel
from ocrotire.geo.selectors import unit_get, unit_list


class TokenApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    class TokenInputSerializer(serializers.Serializer[Any]):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=512, trim_whitespace=False)
        otp = serializers.CharField(
            max_length=32,
            required=False,
            allow_blank=True,
            help_text="The code from the authenticator app, or an unused recovery code",
        )

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: inline_serializer(
                "TokenOutput",
                {"token": serializers.CharField(), "expires_in": serializers.IntegerField()},
            ),
            429: OpenApiResponse(
                description="Too many failed sign-ins for this name or from this address; "
                "Retry-After says how many seconds to wait."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        payload = self.TokenInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            sign_in = services.credentials_check(
                username=data["username"], password=data["password"]
            )
        except services.SignInThrottled as throttled:
            return Response(
                error_body(throttled.code, throttled.message),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(throttled.retry_after)},
            )
        except services.AuthenticationFailed as failure:
            return Response(
                error_body(failure.code, failure.message), status=status.HTTP_401_UNAUTHORIZED
            )
        if sign_in.needs_otp:
            from django_otp import user_has_device

            if not user_has_device(sign_in.user, confirmed=True):
                return Response(
                    error_body(
                        "mfa_enrollment_required",
                        _(
                            "Two-factor authentication is required for your role. Set it up in the web interface first."
                        ),
                    ),
                    status=status.HTTP_403_FORBIDDEN,
                )
            if not data.get("otp"):
                return Response(
                    error_body(
                        "otp_required",
                        _("Enter the code from your authenticator app."),
                        {"otp": [_("This field is required.")]},
                    ),
                    status=status.HTTP_401_UNAUTHORIZED,
                )
            if services.otp_check(user=sign_in.user, otp=data["otp"]) is None:
                return Response(
                    error_body(
                        "invalid_otp",
                        _("The code is not correct or has expired."),
                        {"otp": [_("The code is not correct or has expired.")]},
                    ),
                    status=status.HTTP_401_UNAUTHORIZED,
                )
        from django.conf import settings

        token = services.api_token_issue(
            user=sign_in.user, user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        return Response({"token": token, "expires_in": settings.OCROTIRE_TOKEN_TTL_HOURS * 3600})


class TokenRevokeApi(APIView):
    """End an API token: the one this request is signed with, or one of one's own named by id
    (from the sessions page). It answers 401 from the next request on."""

    permission_classes = [IsAuthenticated]

    class TokenRevokeInputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="One of your own tokens; without it, the token this request is signed with",
        )

    @extend_schema(
        request=TokenRevokeInputSerializer,
        responses={
            204: OpenApiResponse(description="The token was ended."),
            400: OpenApiResponse(
                description="No token named, and the request is not signed with one."
            ),
            404: OpenApiResponse(description="No such token of yours."),
        },
    )
    def post(self, request: Request) -> Response:
        payload = self.TokenRevokeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = acting_user(request)
        pk = payload.validated_data.get("id")
        if pk is not None:
            token = user_token_get(user=user, pk=pk)
        else:
            used = (
                services.api_token_of(key=request.auth) if isinstance(request.auth, str) else None
            )
            if used is None:
                return Response(
                    error_body(
                        "invalid",
                        _("Name the token to end, or sign this request with it."),
                        {"id": [_("This field is required.")]},
                    ),
                    status=status.HTTP_400_BAD_REQUEST,
                )
            token = used
        security.api_token_revoke(actor=user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsMember]

    class MeSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        username = serializers.CharField()
        full_name = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())
        units = serializers.ListField(child=serializers.CharField())
        institution = serializers.IntegerField(allow_null=True)
        institution_name = serializers.CharField(allow_null=True)
        language = serializers.CharField()

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = user_profile(user=acting_user(request))
        return Response(
            self.MeSerializer(
                {
                    "id": user.pk,
                    "username": user.username,
                    "full_name": user.get_full_name(),
                    "roles": sorted(role_codes(user)),
                    "units": sorted(u.code for u in user.units.all()),
                    "institution": user.institution_id,
                    "institution_name": str(user.institution) if user.institution else None,
                    "language": user.language,
                }
            ).data
        )


class InstitutionOutputSerializer(serializers.ModelSerializer[Institution]):
    units = serializers.SerializerMethodField()

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "abbreviation",
            "kind",
            "country",
            "parent",
            "units",
            "name_verified",
            "active",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_units(self, institution: Institution) -> list[str]:
        return sorted(u.code for u in institution.units.all())


class InstitutionListApi(GenericAPIView[Institution]):
    permission_classes = [IsMember]
    serializer_class = InstitutionOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        search = serializers.CharField(required=False, max_length=100)
        kind = serializers.ChoiceField(choices=InstitutionKind.choices, required=False)
        unit = serializers.CharField(required=False, max_length=40)

    class InstitutionCreateSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=300)
        abbreviation = serializers.CharField(
            max_length=30, required=False, allow_blank=True, default=""
        )
        kind = serializers.ChoiceField(choices=InstitutionKind.choices)
        units = serializers.ListField(
            child=serializers.CharField(max_length=40),
            min_length=1,
            max_length=500,
            help_text="Codes of the units the institution serves",
        )
        parent = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=2**63 - 1
        )  # type: ignore[assignment]

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str),
            OpenApiParameter("kind", str, enum=InstitutionKind.values),
            OpenApiParameter("unit", str, description="Code of a unit served"),
        ],
        responses=InstitutionOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = institution_list(
            user=acting_user(request),
            search=f.get("search", ""),
            kind=f.get("kind", ""),
            unit_code=f.get("unit", ""),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(InstitutionOutputSerializer(page, many=True).data)

    @extend_schema(
        request=InstitutionCreateSerializer,
        responses={201: InstitutionOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_create_institution(user):
            return Response(
                error_body(
                    "permission_denied", _("You do not have permission to perform this action.")
                ),
                status=status.HTTP_403_FORBIDDEN,
            )
        payload = self.InstitutionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        parent = None
        if data.get("parent"):
            try:
                parent = institution_get(user=user, pk=data["parent"])
            except Exception as exc:
                raise ValidationError(
                    {"parent": [_("There is no such institution in your area.")]}
                ) from exc
        institution = services.institution_create(
            actor=user,
            name=data["name"],
            abbreviation=data["abbreviation"],
            kind=data["kind"],
            units=units_from_codes(data["units"]),
            parent=parent,
        )
        return Response(
            InstitutionOutputSerializer(institution).data, status=status.HTTP_201_CREATED
        )


class InstitutionDetailApi(GenericAPIView[Institution]):
    permission_classes = [IsMember]
    serializer_class = InstitutionOutputSerializer

    class InstitutionUpdateSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(
            min_value=0,
            max_value=2**31 - 1,
            help_text="The version you read; a newer one means a conflict (409)",
        )
        name = serializers.CharField(max_length=300, required=False)
        abbreviation = serializers.CharField(max_length=30, required=False, allow_blank=True)
        kind = serializers.ChoiceField(choices=InstitutionKind.choices, required=False)
        units = serializers.ListField(
            child=serializers.CharField(max_length=40), min_length=1, max_length=500, required=False
        )
        active = serializers.BooleanField(required=False)

    def get(self, request: Request, pk: int) -> Response:
        institution = institution_get(user=acting_user(request), pk=pk)
        return Response(InstitutionOutputSerializer(institution).data)

    @extend_schema(request=InstitutionUpdateSerializer, responses=InstitutionOutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        institution = institution_get(user=user, pk=pk)
        payload = self.InstitutionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        if "units" in data:
            data["units"] = units_from_codes(data["units"])
        updated = services.institution_update(
            actor=user, institution=institution, version=version, **data
        )
        return Response(InstitutionOutputSerializer(updated).data)


# -- the territory's units (reference data: any member may read them) -------------------------------


class UnitOutputSerializer(serializers.ModelSerializer[Unit]):
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    display_name = serializers.SerializerMethodField()
    names = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "display_name",
            "names",
            "level",
            "country",
            "parent",
            "iso_code",
            "is_urban",
            "depth",
            "path",
        ]

    def get_parent(self, unit: Unit) -> str | None:
        return unit.parent.code if unit.parent_id and unit.parent else None

    def get_display_name(self, unit: Unit) -> str:
        return unit.display_name()

    def get_names(self, unit: Unit) -> dict[str, str]:
        return {row.language: row.name for row in unit.names.all()}


class UnitListApi(GenericAPIView[Unit]):
    permission_classes = [IsMember]
    serializer_class = UnitOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        search = serializers.CharField(required=False, max_length=100)
        code = serializers.CharField(required=False, max_length=40)
        name = serializers.CharField(required=False, max_length=100)
        level = serializers.ChoiceField(choices=UnitLevel.choices, required=False)
        parent = serializers.CharField(required=False, max_length=40)  # type: ignore[assignment]
        within = serializers.CharField(required=False, max_length=40)
        country = serializers.CharField(required=False, min_length=2, max_length=2)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search", str, description="Part of a name in any language, or an exact code"
            ),
            OpenApiParameter("code", str),
            OpenApiParameter("name", str, description="Part of a name in any language"),
            OpenApiParameter("level", str, enum=UnitLevel.values),
            OpenApiParameter("parent", str, description="Code or id: direct children of this unit"),
            OpenApiParameter(
                "within", str, description="Code or id: this unit and all its descendants"
            ),
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-2"),
        ],
        responses=UnitOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        if "name" in data:
            data["search"] = data.pop("name")
        try:
            qs = unit_list(**data)
        except Http404 as exc:
            field = "within" if "within" in data else "parent"
            raise ValidationError({field: [_("There is no unit with this code.")]}) from exc
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(UnitOutputSerializer(page, many=True).data)


class UnitDetailApi(GenericAPIView[Unit]):
    permission_classes = [IsMember]
    serializer_class = UnitOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        unit = unit_get(pk=pk)
        return Response(UnitOutputSerializer(unit).data)
