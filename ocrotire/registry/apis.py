"""REST endpoints of the registry: persons, live match, households, relationships, duplicates, merge."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.core.errors import NotAllowed
from ocrotire.geo.models import Unit
from ocrotire.registry import services
from ocrotire.registry.matching import Probe, candidate_reason_codes, match, reason_text
from ocrotire.registry.models import (
    BirthDatePrecision,
    Household,
    HouseholdRole,
    Merge,
    Person,
    Relationship,
    RelationshipKind,
    Sex,
)
from ocrotire.registry.permissions import can_review_duplicates, can_use_registry, covers_unit
from ocrotire.registry.selectors import (
    candidate_queue,
    household_get,
    household_list,
    merge_get,
    person_get,
    person_list,
    person_scope,
)
from ocrotire.registry.serializers import PersonInputSerializer, person_input, unit_by_code

MAX_ID = 2**63 - 1


def _require_registry(request: Request) -> Any:
    user = acting_user(request)
    if not can_use_registry(user):
        raise NotAllowed
    return user


class PersonOutputSerializer(serializers.ModelSerializer[Person]):
    identifiers = serializers.SerializerMethodField()
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    scope_unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    vulnerabilities = serializers.SerializerMethodField()
    display_name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "display_name",
            *services.PERSON_FIELDS,
            "scope_unit",
            "identifiers",
            "vulnerabilities",
            "status",
            "merged_into",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_identifiers(self, person: Person) -> list[dict[str, str]]:
        return [
            {"scheme": i.scheme, "value": i.value} for i in person.identifiers.all() if i.active
        ]

    def get_vulnerabilities(self, person: Person) -> list[str]:
        return sorted(v.code for v in person.vulnerabilities.all())


class PersonUpdateSerializer(PersonInputSerializer):
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        help_text="The version you read; a newer one means a conflict (409)",
    )


class PersonListApi(GenericAPIView[Person]):
    permission_classes = [IsMember]
    serializer_class = PersonOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        search = serializers.CharField(required=False, max_length=100)
        unit = serializers.CharField(required=False, max_length=40)
        birth_year = serializers.IntegerField(required=False, min_value=1900, max_value=2100)
        sex = serializers.ChoiceField(choices=Sex.choices, required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Name in any script, or an identifier"),
            OpenApiParameter("unit", str),
            OpenApiParameter("birth_year", int),
            OpenApiParameter("sex", str, enum=Sex.values),
        ],
        responses=PersonOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _require_registry(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = person_list(
            user=user,
            search=f.get("search", ""),
            unit_code=f.get("unit", ""),
            birth_year=f.get("birth_year"),
            sex=f.get("sex", ""),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PersonOutputSerializer(page, many=True).data)

    @extend_schema(
        request=PersonInputSerializer,
        responses={201: PersonOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = _require_registry(request)
        payload = PersonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person = services.person_create(actor=user, data=person_input(payload.validated_data))
        person = person_get(user=user, pk=person.pk)
        return Response(PersonOutputSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailApi(GenericAPIView[Person]):
    permission_classes = [IsMember]
    serializer_class = PersonOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        user = _require_registry(request)
        person = person_get(user=user, pk=pk)
        services.person_view_record(actor=user, person=person)
        return Response(PersonOutputSerializer(person).data)

    @extend_schema(request=PersonUpdateSerializer, responses=PersonOutputSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = _require_registry(request)
        person = person_get(user=user, pk=pk)
        payload = PersonUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "version" not in data:
            raise ValidationError({"version": [_("This field is required.")]})
        version = data.pop("version")
        for field in ("unit",):
            if field in data:
                data[field] = unit_by_code(data[field], field)
        if "identifiers" in data:
            data["identifiers"] = [(i["scheme"], i["value"]) for i in data["identifiers"]]
        if "scope_unit" in data:
            # The responsible unit is set when the record is made; one sent here that differs is
            # refused, never dropped without a word.
            wanted = unit_by_code(data.pop("scope_unit"), "scope_unit")
            if wanted is not None and wanted.pk != person.scope_unit_id:
                message = (
                    _("This unit is outside your area.")
                    if not covers_unit(user, wanted)
                    else _("The responsible unit of a record cannot be changed here.")
                )
                raise ValidationError({"scope_unit": [message]})
        updated = services.person_update(actor=user, person=person, version=version, data=data)
        return Response(PersonOutputSerializer(person_get(user=user, pk=updated.pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, required=True)], responses={204: None}
    )
    def delete(self, request: Request, pk: int) -> Response:
        user = _require_registry(request)
        person = person_get(user=user, pk=pk, include_inactive=False)
        version = request.query_params.get("version", "")
        if not version.isdigit() or len(version) > 9:
            raise ValidationError({"version": [_("Give the version you read, as ?version=N.")]})
        services.person_archive(actor=user, person=person, version=int(version))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MatchResultSerializer(serializers.Serializer[Any]):
    person = PersonOutputSerializer()
    score = serializers.FloatField(min_value=0, max_value=1)
    reasons = serializers.ListField(child=serializers.CharField())
    reason_codes = serializers.ListField(child=serializers.CharField())


class PersonMatchApi(GenericAPIView[Person]):
    permission_classes = [IsMember]
    serializer_class = MatchResultSerializer
    # The best candidates as a plain list (SPEC §3), not a page.
    pagination_class = None

    class MatchInputSerializer(PersonInputSerializer):
        limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

    @extend_schema(request=MatchInputSerializer, responses=MatchResultSerializer(many=True))
    def post(self, request: Request) -> Response:
        user = _require_registry(request)
        payload = self.MatchInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if not (data.get("given_name") or data.get("family_name") or data.get("identifiers")):
            raise ValidationError(
                {"family_name": [_("Give a name or an identifier to search for.")]}
            )
        probe = Probe(
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            patronymic=data.get("patronymic", ""),
            sex=data.get("sex", ""),
            birth_date=data.get("birth_date"),
            birth_date_precision=data.get("birth_date_precision", BirthDatePrecision.DAY),
            birth_date_estimated=data.get("birth_date_estimated", False),
            identifiers=[(i["scheme"], i["value"]) for i in data.get("identifiers", [])],
        )
        candidates = match(probe, persons=person_scope(user), limit=data["limit"])
        return Response(
            [
                {
                    "person": PersonOutputSerializer(c.person).data,
                    "score": c.score,
                    "reasons": [reason_text(code) for code in c.reasons],
                    "reason_codes": c.reasons,
                }
                for c in candidates
            ]
        )


class RelationshipApi(GenericAPIView[Relationship]):
    permission_classes = [IsMember]
    # A person's relationships are few and answered as a plain list, not a page.
    pagination_class = None

    class RelationshipInputSerializer(serializers.Serializer[Any]):
        related = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        kind = serializers.ChoiceField(choices=RelationshipKind.choices)
        legal_representative = serializers.BooleanField(required=False, default=False)
        notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    class RelationshipOutputSerializer(serializers.ModelSerializer[Relationship]):
        class Meta:
            model = Relationship
            fields = ["id", "person", "related", "kind", "legal_representative", "notes"]

    serializer_class = RelationshipOutputSerializer

    @extend_schema(
        request=RelationshipInputSerializer, responses={201: RelationshipOutputSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _require_registry(request)
        person = person_get(user=user, pk=pk, include_inactive=False)
        payload = self.RelationshipInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            related = person_get(user=user, pk=data["related"], include_inactive=False)
        except Exception as exc:
            raise ValidationError(
                {"related": [_("There is no such person in your area.")]}
            ) from exc
        relationship = services.relationship_add(
            actor=user,
            person=person,
            related=related,
            kind=data["kind"],
            legal_representative=data["legal_representative"],
            notes=data["notes"],
        )
        return Response(
            self.RelationshipOutputSerializer(relationship).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=RelationshipOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = _require_registry(request)
        person = person_get(user=user, pk=pk)
        rows = Relationship.objects.filter(person=person) | Relationship.objects.filter(
            related=person
        )
        return Response(self.RelationshipOutputSerializer(rows.order_by("id"), many=True).data)


class HouseholdOutputSerializer(serializers.ModelSerializer[Household]):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    scope_unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "name", "unit", "address", "scope_unit", "members", "version", "created_at"]

    def get_members(self, household: Household) -> list[dict[str, Any]]:
        return [
            {"person": m.person_id, "name": str(m.person), "role": m.role}
            for m in household.members.all()
        ]


class HouseholdFilterSerializer(serializers.Serializer[Any]):
    search = serializers.CharField(required=False, max_length=100)


class HouseholdListApi(GenericAPIView[Household]):
    permission_classes = [IsMember]
    serializer_class = HouseholdOutputSerializer

    class HouseholdInputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        unit = serializers.CharField(
            max_length=40, required=False, allow_null=True, allow_blank=True
        )
        address = serializers.CharField(
            max_length=300, required=False, allow_blank=True, default=""
        )
        members = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            max_length=50,
            default=list,
        )

    @extend_schema(
        parameters=[OpenApiParameter("search", str)], responses=HouseholdOutputSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = _require_registry(request)
        filters = HouseholdFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(
            household_list(user=user, search=filters.validated_data.get("search", ""))
        )
        return self.get_paginated_response(HouseholdOutputSerializer(page, many=True).data)

    @extend_schema(request=HouseholdInputSerializer, responses={201: HouseholdOutputSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        user = _require_registry(request)
        payload = self.HouseholdInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        members = []
        for person_id in data["members"]:
            try:
                members.append(person_get(user=user, pk=person_id, include_inactive=False))
            except Exception as exc:
                raise ValidationError(
                    {"members": [_("There is no such person in your area.")]}
                ) from exc
        from django.db import transaction

        with transaction.atomic():
            household = services.household_create(
                actor=user,
                name=data["name"],
                unit=unit_by_code(data.get("unit"), "unit"),
                address=data["address"],
            )
            for index, person in enumerate(members):
                services.household_member_add(
                    actor=user,
                    household=household,
                    person=person,
                    role=HouseholdRole.HEAD if index == 0 else HouseholdRole.MEMBER,
                )
        return Response(
            HouseholdOutputSerializer(household_get(user=user, pk=household.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class HouseholdDetailApi(GenericAPIView[Household]):
    permission_classes = [IsMember]
    serializer_class = HouseholdOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        user = _require_registry(request)
        return Response(HouseholdOutputSerializer(household_get(user=user, pk=pk)).data)


class HouseholdMemberApi(GenericAPIView[Household]):
    permission_classes = [IsMember]
    serializer_class = HouseholdOutputSerializer

    class MemberInputSerializer(serializers.Serializer[Any]):
        person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        role = serializers.ChoiceField(
            choices=HouseholdRole.choices, required=False, default=HouseholdRole.MEMBER
        )

    @extend_schema(request=MemberInputSerializer, responses={201: HouseholdOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = _require_registry(request)
        household = household_get(user=user, pk=pk)
        payload = self.MemberInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            person = person_get(
                user=user, pk=payload.validated_data["person"], include_inactive=False
            )
        except Exception as exc:
            raise ValidationError({"person": [_("There is no such person in your area.")]}) from exc
        services.household_member_add(
            actor=user, household=household, person=person, role=payload.validated_data["role"]
        )
        return Response(
            HouseholdOutputSerializer(household_get(user=user, pk=pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MergeOutputSerializer(serializers.ModelSerializer[Merge]):
    class Meta:
        model = Merge
        fields = [
            "id",
            "survivor",
            "merged",
            "merged_by",
            "merged_at",
            "survivor_before",
            "moved",
            "undone_at",
            "undone_by",
        ]


class PersonMergeApi(GenericAPIView[Merge]):
    permission_classes = [IsMember]
    serializer_class = MergeOutputSerializer

    class MergeInputSerializer(serializers.Serializer[Any]):
        survivor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        merged = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        fields = serializers.DictField(  # type: ignore[assignment]
            child=serializers.ChoiceField(choices=["survivor", "merged"]),
            required=False,
            default=dict,
            help_text='For each field whose value should come from the merged record: "merged"',
        )

    @extend_schema(request=MergeInputSerializer, responses={201: MergeOutputSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_review_duplicates(user):
            raise NotAllowed
        payload = self.MergeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        persons = {}
        for field in ("survivor", "merged"):
            try:
                persons[field] = person_get(user=user, pk=data[field], include_inactive=False)
            except Exception as exc:
                raise ValidationError(
                    {field: [_("There is no such person in your area.")]}
                ) from exc
        record = services.person_merge(
            actor=user,
            survivor=persons["survivor"],
            merged=persons["merged"],
            choices=data["fields"],
        )
        return Response(MergeOutputSerializer(record).data, status=status.HTTP_201_CREATED)


class MergeDetailApi(GenericAPIView[Merge]):
    permission_classes = [IsMember]
    serializer_class = MergeOutputSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(MergeOutputSerializer(merge_get(user=acting_user(request), pk=pk)).data)


class MergeUndoApi(GenericAPIView[Merge]):
    permission_classes = [IsMember]
    serializer_class = MergeOutputSerializer

    @extend_schema(request=None, responses=MergeOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        record = services.merge_undo(actor=user, merge=merge_get(user=user, pk=pk))
        return Response(MergeOutputSerializer(record).data)


class NotDuplicateApi(GenericAPIView[Person]):
    permission_classes = [IsMember]

    class NotDuplicateInputSerializer(serializers.Serializer[Any]):
        person_a = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        person_b = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    serializer_class = NotDuplicateInputSerializer

    @extend_schema(
        request=NotDuplicateInputSerializer,
        responses={
            201: inline_serializer("NotDuplicateOutput", {"id": serializers.IntegerField()})
        },
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_review_duplicates(user):
            raise NotAllowed
        payload = self.NotDuplicateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        persons = []
        for field in ("person_a", "person_b"):
            try:
                persons.append(person_get(user=user, pk=data[field], include_inactive=False))
            except Exception as exc:
                raise ValidationError(
                    {field: [_("There is no such person in your area.")]}
                ) from exc
        decision = services.not_duplicate_mark(
            actor=user, person_a=persons[0], person_b=persons[1], reason=data["reason"]
        )
        return Response({"id": decision.pk}, status=status.HTTP_201_CREATED)


class DuplicateQueueApi(GenericAPIView[Any]):
    permission_classes = [IsMember]

    class CandidateSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        person_low = PersonOutputSerializer()
        person_high = PersonOutputSerializer()
        score = serializers.FloatField()
        reasons = serializers.ListField(child=serializers.CharField())
        status = serializers.CharField()
        source = serializers.CharField()  # type: ignore[assignment]

    serializer_class = CandidateSerializer

    @extend_schema(responses=CandidateSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_review_duplicates(user):
            raise NotAllowed
        page = self.paginate_queryset(candidate_queue(user=user))
        data = [
            {
                "id": c.pk,
                "person_low": PersonOutputSerializer(c.person_low).data,
                "person_high": PersonOutputSerializer(c.person_high).data,
                "score": c.score,
                "reasons": [reason_text(code) for code in candidate_reason_codes(c)],
                "status": c.status,
                "source": c.source,
            }
            for c in page or []
        ]
        return self.get_paginated_response(data)


class DedupRunSerializer(serializers.ModelSerializer[Any]):
    class Meta:
        from ocrotire.registry.models import DedupRun

        model = DedupRun
        fields = [
            "id",
            "status",
            "progress",
            "stage",
            "records",
            "pairs",
            "proposed",
            "seconds",
            "error",
            "created_at",
            "finished_at",
        ]


class DedupRunListApi(GenericAPIView[Any]):
    permission_classes = [IsMember]
    serializer_class = DedupRunSerializer

    @extend_schema(request=None, responses={202: DedupRunSerializer})
    def post(self, request: Request) -> Response:
        """Start a registry-wide de-duplication in the background (or return the one already running)."""
        run = services.dedup_run_start(actor=acting_user(request))
        return Response(DedupRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class DedupRunDetailApi(GenericAPIView[Any]):
    permission_classes = [IsMember]
    serializer_class = DedupRunSerializer

    def get(self, request: Request, pk: int) -> Response:
        from ocrotire.registry.selectors import dedup_run_get

        return Response(DedupRunSerializer(dedup_run_get(user=acting_user(request), pk=pk)).data)


class RelationshipDetailApi(GenericAPIView[Relationship]):
    permission_classes = [IsMember]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Remove a relationship recorded by mistake (audited)."""
        user = _require_registry(request)
        relationship = Relationship.objects.filter(pk=pk).first()
        if relationship is None:
            raise Http404
        person_get(
            user=user, pk=relationship.person_id
        )  # 404 when the person is not in the user's area
        services.relationship_remove(actor=user, relationship=relationship)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HouseholdMemberDetailApi(GenericAPIView[Household]):
    permission_classes = [IsMember]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, person_pk: int) -> Response:
        """Take a person out of a household (audited)."""
        from ocrotire.registry.models import HouseholdMember

        user = _require_registry(request)
        household = household_get(user=user, pk=pk)
        member = HouseholdMember.objects.filter(household=household, person_id=person_pk).first()
        if member is None:
            raise Http404
        services.household_member_remove(actor=user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)
