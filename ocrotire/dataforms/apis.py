"""The API of the forms: each country's forms with their newest version's questions and the
answers' JSON Schema, so that a client knows what `answers` a case step takes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.dataforms.models import FormDefinition
from ocrotire.dataforms.spec import json_schema


class FormOutputSerializer(serializers.ModelSerializer[FormDefinition]):
    name = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(help_text="The newest version's number")
    version_id = serializers.SerializerMethodField(
        help_text="The newest version's id, as a record's `form_version` names the version filled"
    )
    sections = serializers.SerializerMethodField(
        help_text="The newest version's sections and questions (see dataforms/spec.py)"
    )
    answers_schema = serializers.SerializerMethodField(
        help_text="JSON Schema (draft 2020-12) of the `answers` a case step takes"
    )

    class Meta:
        model = FormDefinition
        fields = [
            "id",
            "country",
            "code",
            "step",
            "name",
            "names",
            "legal_reference",
            "verified",
            "version",
            "version_id",
            "sections",
            "answers_schema",
        ]

    def _latest(self, form: FormDefinition) -> Any:
        versions = list(form.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None

    def get_name(self, form: FormDefinition) -> str:
        return form.label()

    def get_version(self, form: FormDefinition) -> int | None:
        latest = self._latest(form)
        return latest.number if latest else None

    def get_version_id(self, form: FormDefinition) -> int | None:
        latest = self._latest(form)
        return latest.pk if latest else None

    def get_sections(self, form: FormDefinition) -> list[Any]:
        latest = self._latest(form)
        return list(latest.sections) if latest else []

    def get_answers_schema(self, form: FormDefinition) -> dict[str, Any]:
        return json_schema(self.get_sections(form))


class FormListApi(GenericAPIView[FormDefinition]):
    """Every country's forms (a member may read them all: they hold no case data)."""

    permission_classes = [IsMember]
    serializer_class = FormOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        country = serializers.CharField(required=False, min_length=2, max_length=2)
        step = serializers.CharField(required=False, max_length=40)

    @extend_schema(
        parameters=[
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-2"),
            OpenApiParameter("step", str, description="The case step that shows the form"),
        ],
        responses=FormOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = FormDefinition.objects.prefetch_related("versions").order_by("country", "code")
        if "country" in filters.validated_data:
            qs = qs.filter(country=filters.validated_data["country"].upper())
        if "step" in filters.validated_data:
            qs = qs.filter(step=filters.validated_data["step"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
