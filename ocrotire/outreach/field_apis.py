"""REST endpoint of the field app (F8, issue 22 item 4): the pack a worker's device keeps for
working without network (outreach/field.py reads it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.permissions import acting_user
from ocrotire.outreach.field import field_pack
from ocrotire.outreach.models import Screening


class FieldChildSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)


class FieldFlagSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class FieldScreeningSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    screened_on = serializers.DateField()
    answers = serializers.DictField(help_text="{section: {question: answer}}")
    flags = FieldFlagSerializer(many=True)


class FieldServiceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="The service's code in the country's catalogue")
    name = serializers.CharField(help_text="In the user's language")
    group = serializers.CharField(help_text="The catalogue's group, in the user's language")


class FieldHouseholdSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    place = serializers.CharField()
    country = serializers.CharField()
    version = serializers.IntegerField()
    children = FieldChildSerializer(many=True, help_text="The members under 18")
    screening = FieldScreeningSerializer(allow_null=True, help_text="The latest screening")
    services = FieldServiceSerializer(
        many=True,
        help_text="The services the family may be given (a `delivery` change names one by its "
        "code): those of its plans of package services; with no plan, those of its country's "
        "packages; in a country with no package, the country's whole active catalogue",
    )


class FieldVisitChildSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FieldVisitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    household = serializers.IntegerField()
    screening = serializers.IntegerField()
    child = FieldVisitChildSerializer()
    visit_on = serializers.DateField()
    note = serializers.CharField()


class FieldPackSerializer(serializers.Serializer[Any]):
    wipe = serializers.BooleanField(
        help_text="True when the user may no longer work in the field: the device deletes "
        "everything it keeps"
    )
    households = FieldHouseholdSerializer(many=True)
    visits = FieldVisitSerializer(many=True, help_text="Follow-up visits of the coming 14 days")
    sheets = serializers.DictField(
        help_text="The screening sheet of each country, by country code: its sections and "
        "questions with their names in the user's language"
    )


class FieldPackApi(GenericAPIView[Screening]):
    # Signed in is enough: a user left with no role must still hear that the device is wiped.
    permission_classes = [IsAuthenticated]
    serializer_class = FieldPackSerializer

    @extend_schema(
        responses={200: FieldPackSerializer},
        description="What a worker's device keeps to work without network: the households of "
        "the user's area with their members under 18, latest screening and the services the "
        "family may be given, the planned "
        "follow-up visits of the coming 14 days and the country's screening sheet, in the "
        "user's language. A user who may not work in the field gets `wipe: true` and nothing "
        "else (a remote wipe of the device).",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        pack = field_pack(user=user, language=get_language() or "ro")
        return Response(pack)
