"""REST endpoints for administrative units."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.geo.models import Unit, UnitLevel
from ocrotire.geo.selectors import unit_get, unit_list


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
            qs = unit_list(user=acting_user(request), **data)
        except Http404 as exc:
            field = "within" if "within" in data else "parent"
            raise ValidationError({field: [_("There is no unit with this code.")]}) from exc
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(UnitOutputSerializer(page, many=True).data)


class UnitDetailApi(GenericAPIView[Unit]):
    permission_classes = [IsMember]
    serializer_class = UnitOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        unit = unit_get(user=acting_user(request), pk=pk)
        return Response(UnitOutputSerializer(unit).data)
