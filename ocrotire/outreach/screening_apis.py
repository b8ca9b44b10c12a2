"""REST endpoints of household screening: record and read screenings with their flags, follow
up a flagged child (a report to the authority, or a visit), and the counts per place."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.api.pagination import MAX_ID
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed, NotFound
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.outreach import screening as screening_services
from ocrotire.outreach import selectors
from ocrotire.outreach.models import FollowUp, FollowUpKind, Screening
from ocrotire.outreach.permissions import can_screen
from ocrotire.registry.models import Person
from ocrotire.registry.selectors import household_get

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


class FlagSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


def _flags(screening: Screening) -> list[dict[str, str]]:
    pack = screening_services.screening_pack(screening.unit.country)
    return [
        {"code": code, "name": flag.label() if (flag := pack.flag(code)) else code}
        for code in screening.flags
    ]


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    report_number = serializers.CharField(
        source="report.number", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = FollowUp
        fields = ["id", "child", "kind", "report_number", "visit_on", "note", "created_at"]


class ScreeningSerializer(serializers.ModelSerializer[Screening]):
    household_name = serializers.CharField(source="household.name")
    unit = serializers.CharField(source="unit.code")
    form = serializers.CharField(source="form_version.definition.code")
    form_version = serializers.IntegerField(source="form_version.number")
    screened_by = serializers.CharField(source="screened_by.username")
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Screening
        fields = [
            "id",
            "household",
            "household_name",
            "unit",
            "form",
            "form_version",
            "screened_on",
            "screened_by",
            "flags",
            "version",
        ]

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, obj: Screening) -> list[dict[str, str]]:
        return _flags(obj)


class ChildSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)


class ScreeningDetailSerializer(ScreeningSerializer):
    answers = serializers.JSONField()
    children = serializers.SerializerMethodField()
    follow_ups = FollowUpSerializer(many=True)

    class Meta(ScreeningSerializer.Meta):
        fields = [*ScreeningSerializer.Meta.fields, "answers", "children", "follow_ups"]

    def get_children(self, obj: Screening) -> list[dict[str, Any]]:
        return [dict(ChildSerializer(p).data) for p in screening_services.children_of(obj)]


class ScreeningCreateSerializer(serializers.Serializer[Any]):
    household = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    answers = serializers.DictField(
        help_text="{section: {question: answer}} of the country's screening sheet "
        "(GET /api/v1/forms/ gives its questions)"
    )
    screened_on = serializers.DateField(required=False, allow_null=True, default=None)


class ScreeningUpdateSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField()
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The version the change is based on"
    )
    screened_on = serializers.DateField(required=False, allow_null=True, default=None)


class FollowUpCreateSerializer(serializers.Serializer[Any]):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    narrative = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list, max_length=20
    )
    visit_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _detail(user: Any, pk: int) -> dict[str, Any]:
    return dict(ScreeningDetailSerializer(selectors.screening_get(user=user, pk=pk)).data)


class ScreeningListApi(GenericAPIView[Screening]):
    permission_classes = [IsMember]
    serializer_class = ScreeningSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        household = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        unit = serializers.CharField(required=False, max_length=60)

    @extend_schema(
        parameters=[FilterSerializer],
        responses=ScreeningSerializer(many=True),
        description="The screenings of households in the user's area, the newest first.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_screen(user):
            raise NotAllowed
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        unit = Unit.objects.filter(code=f["unit"]).first() if f.get("unit") else None
        qs = selectors.screening_list(user=user, household=f.get("household"), unit=unit)
        if f.get("unit") and unit is None:
            qs = qs.none()  # a place that does not exist holds no screening
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ScreeningSerializer(page or [], many=True).data)

    @extend_schema(
        request=ScreeningCreateSerializer,
        responses={201: ScreeningDetailSerializer},
        parameters=[IDEMPOTENCY],
        description="A screening of a household of the user's area with the country's sheet; "
        "the flags are computed from the answers.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        payload = ScreeningCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = household_get(user=user, pk=data["household"])
        screening = screening_services.screening_record(
            actor=user,
            household=household,
            answers=data["answers"],
            screened_on=data["screened_on"],
        )
        return Response(_detail(user, screening.pk), status=status.HTTP_201_CREATED)


class ScreeningDetailApi(GenericAPIView[Screening]):
    permission_classes = [IsMember]
    serializer_class = ScreeningDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        screening = selectors.screening_get(user=user, pk=pk)
        audit_record(actor=user, action=AuditAction.VIEW, obj=screening)
        return Response(ScreeningDetailSerializer(screening).data)

    @extend_schema(
        request=ScreeningUpdateSerializer,
        responses={200: ScreeningDetailSerializer},
        description="New answers based on `version`; a newer version on the server is a 409 "
        "and nothing is written.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        screening = selectors.screening_get(user=user, pk=pk)
        payload = ScreeningUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        screening_services.screening_update(
            actor=user,
            screening=screening,
            answers=data["answers"],
            base_version=data["version"],
            screened_on=data["screened_on"],
        )
        return Response(_detail(user, pk))


class FollowUpApi(GenericAPIView[FollowUp]):
    permission_classes = [IsMember]
    serializer_class = FollowUpSerializer

    @extend_schema(
        request=FollowUpCreateSerializer,
        responses={201: FollowUpSerializer},
        parameters=[IDEMPOTENCY],
        description="Follow up a child of the screened household: `report` files a "
        "self-referral in the register of the household's place (the same child and screening "
        "give the same report again); `visit` plans a visit on `visit_on`.",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        screening = selectors.screening_get(user=user, pk=pk)
        payload = FollowUpCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        child = Person.objects.filter(pk=data["child"]).first()
        if child is None:
            raise NotFound
        if data["kind"] == FollowUpKind.REPORT:
            follow_up = screening_services.follow_up_report(
                actor=user,
                screening=screening,
                child=child,
                narrative=data["narrative"],
                concerns=data["concerns"],
            )
        else:
            if data["visit_on"] is None:
                raise serializers.ValidationError({"visit_on": [_("Give the day of the visit.")]})
            follow_up = screening_services.follow_up_visit(
                actor=user,
                screening=screening,
                child=child,
                visit_on=data["visit_on"],
                note=data["note"],
            )
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


class GroupCountSerializer(serializers.Serializer[Any]):
    households = serializers.IntegerField()
    children = serializers.IntegerField()


class PlaceCountsSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.display_name")
    households = serializers.IntegerField()
    children = serializers.IntegerField()
    flagged_children = serializers.IntegerField()
    groups = serializers.DictField(child=GroupCountSerializer())


class CountsSerializer(serializers.Serializer[Any]):
    groups = FlagSerializer(many=True)
    places = PlaceCountsSerializer(many=True)


class ScreeningCountsApi(GenericAPIView[Screening]):
    permission_classes = [IsMember]
    serializer_class = CountsSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        unit = serializers.CharField(required=False, max_length=60)
        since = serializers.DateField(required=False)
        until = serializers.DateField(required=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses=CountsSerializer,
        description="Per place screened, from each household's latest screening in the "
        "period: households and children screened, children in flagged households, and "
        "households and children of each group of the country's pack.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_screen(user):
            raise NotAllowed
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        unit = Unit.objects.filter(code=f["unit"]).first() if f.get("unit") else None
        if f.get("unit") and unit is None:
            raise NotFound
        groups, places = selectors.screening_counts(
            user=user, unit=unit, since=f.get("since"), until=f.get("until")
        )
        body = {"groups": [{"code": c, "name": n} for c, n in groups], "places": places}
        return Response(CountsSerializer(body).data)
