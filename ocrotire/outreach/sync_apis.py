"""REST endpoints of the devices' sync (F8, issue 22): a batch of offline changes answered change
by change, the user's open conflicts, and discarding one (outreach/sync.py does the work)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.pagination import MAX_ID
from ocrotire.core.bounds import validate_record_date
from ocrotire.core.errors import NotAllowed
from ocrotire.outreach import sync
from ocrotire.outreach.models import SyncChange
from ocrotire.outreach.permissions import can_sync

MAX_VERSION = 2**31 - 1


# Plain enums in the document: a named one would collide with the other `type`/`kind` enums.
@extend_schema_field({"type": "string", "enum": list(sync.OBJECT_TYPES)})
class ObjectTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=sync.OBJECT_TYPES, **kwargs)


@extend_schema_field({"type": "string", "enum": ["visit"]})
class FollowUpKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=["visit"], **kwargs)


@extend_schema_field({"type": "string", "enum": ["applied", "conflict", "rejected"]})
class OutcomeField(serializers.CharField):
    pass


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class HouseholdFieldsSerializer(serializers.Serializer[Any]):
    """`household` (id required): its name or address, or both."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(_send_one())
        return attrs


class ScreeningFieldsSerializer(serializers.Serializer[Any]):
    """`screening`: with no id, a new screening of `household`; with an id and the version it
    was based on, new answers. `answers` are the country's screening sheet's, by section."""

    household = _id(required=False, help_text="The household screened (a new screening only)")
    answers = serializers.DictField(
        child=serializers.DictField(), help_text="{section: {question: answer}}"
    )
    screened_on = serializers.DateField(
        required=False, allow_null=True, validators=[validate_record_date]
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.context.get("create") and "household" not in attrs:
            raise serializers.ValidationError({"household": [_required()]})
        return attrs


class FollowUpFieldsSerializer(serializers.Serializer[Any]):
    """`follow_up` (no id: recorded once): a follow-up visit to a child of a screened
    household, planned for today or later."""

    kind = FollowUpKindField()
    screening = _id()
    child = _id()
    visit_on = serializers.DateField(validators=[validate_record_date])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DeliveryFieldsSerializer(serializers.Serializer[Any]):
    """`delivery` (no id: recorded once, named by the change's client_id): a service of a
    package given to a family."""

    household = _id()
    service = serializers.CharField(max_length=60, help_text="The service's code in the catalogue")
    delivered_on = serializers.DateField(validators=[validate_record_date])
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


FIELDS_OF: dict[str, type[serializers.Serializer[Any]]] = {
    "household": HouseholdFieldsSerializer,
    "screening": ScreeningFieldsSerializer,
    "follow_up": FollowUpFieldsSerializer,
    "delivery": DeliveryFieldsSerializer,
}


def _send_one() -> str:
    return _("Send at least one field to change.")


def _required() -> str:
    return _("This field is required.")


def _unknown() -> str:
    return _("This kind of record has no such field.")


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="SyncChangeFields",
        serializers=list(FIELDS_OF.values()),
        resource_type_field_name=None,
    )
)
class ChangeFieldsField(serializers.DictField):
    """The fields of a change, checked by its type's serializer one change at a time (a bad
    field rejects that change, not the batch)."""


class SyncObjectSerializer(serializers.Serializer[Any]):
    type = ObjectTypeField()
    id = _id(required=False, allow_null=True, default=None, help_text="Null for a new record")


class SyncChangeSerializer(serializers.Serializer[Any]):
    client_id = serializers.UUIDField(help_text="Made by the device, unique to the change")
    object = SyncObjectSerializer()
    base_version = serializers.IntegerField(
        min_value=0,
        max_value=MAX_VERSION,
        default=0,
        help_text="The version of the record the change was made on (0 for a new record)",
    )
    # A declared field named like Serializer's own attributes (DRF keeps them apart).
    fields = ChangeFieldsField()  # type: ignore[assignment]
    settles = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The client_id of an open conflict this change settles",
    )


class SyncBatchSerializer(serializers.Serializer[Any]):
    changes = serializers.ListField(child=SyncChangeSerializer(), max_length=sync.BATCH_LIMIT)


class SyncObjectOutSerializer(serializers.Serializer[Any]):
    type = ObjectTypeField()
    id = serializers.IntegerField(allow_null=True)


class SyncResultSerializer(serializers.Serializer[Any]):
    client_id = serializers.UUIDField()
    outcome = OutcomeField()
    object = SyncObjectOutSerializer()
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="The record's new version (applied)"
    )
    server = serializers.DictField(
        required=False, help_text="The record as the server holds it, with its version (conflict)"
    )
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The messages of each refused field (rejected)",
    )


class SyncAnswerSerializer(serializers.Serializer[Any]):
    results = SyncResultSerializer(many=True)


class SyncConflictSerializer(serializers.Serializer[Any]):
    client_id = serializers.UUIDField()
    object = serializers.SerializerMethodField()
    base_version = serializers.IntegerField()
    fields = serializers.DictField(  # type: ignore[assignment]
        help_text="The device's change, kept as sent"
    )
    server = serializers.DictField(
        source="server_value", help_text="The record as the server held it then"
    )
    received_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(SyncObjectOutSerializer)
    def get_object(self, row: SyncChange) -> dict[str, Any]:
        return {"type": row.object_type, "id": row.object_id}


def _messages(errors: Any) -> dict[str, list[str]]:
    """DRF's errors of one change's fields as {field: [messages]}."""
    flat: dict[str, list[str]] = {}
    for key, value in dict(errors).items():
        items = value if isinstance(value, list) else [value]
        flat[str(key)] = [str(item) for item in items]
    return flat


def _change(data: dict[str, Any]) -> sync.Change:
    kind = data["object"]["type"]
    object_id = data["object"]["id"]
    raw = data["fields"]
    reader = FIELDS_OF[kind](data=raw, context={"create": object_id is None})
    errors = {} if reader.is_valid() else _messages(reader.errors)
    errors.update({str(k): [_unknown()] for k in raw if k not in reader.fields})
    return sync.Change(
        client_id=data["client_id"],
        object_type=kind,
        object_id=object_id,
        base_version=data["base_version"],
        fields=dict(reader.validated_data) if not errors else dict(raw),
        settles=data["settles"],
        errors=errors,
    )


class SyncApi(GenericAPIView[SyncChange]):
    permission_classes = [IsMember]
    serializer_class = SyncAnswerSerializer

    @extend_schema(
        request=SyncBatchSerializer,
        responses={200: SyncAnswerSerializer},
        description="A batch of changes made offline (at most 200), each answered in the order "
        "sent: `applied` with the record's new version, `conflict` with the server's value "
        "when the record changed since `base_version` (nothing is written; the change is kept "
        "in the open conflicts), or `rejected` with the messages of its fields. Each change is "
        "applied on its own: a rejected one undoes no other. A `client_id` already received "
        "gets its first answer again and changes nothing. Object types: `household` (id; "
        "`name`, `address`), `screening` (no id: `household`, `answers`, `screened_on`; an id: "
        "`answers`, `screened_on`), `delivery` (no id: `household`, `service`, `delivered_on`, "
        "`minutes`, `note`), `follow_up` (no id: `kind` visit, `screening`, `child`, "
        "`visit_on`, `note`).",
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_sync(user):
            raise NotAllowed
        payload = SyncBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = [_change(item) for item in payload.validated_data["changes"]]
        return Response({"results": sync.sync_batch(actor=user, changes=changes)})


class SyncConflictListApi(GenericAPIView[SyncChange]):
    permission_classes = [IsMember]
    serializer_class = SyncConflictSerializer

    @extend_schema(
        responses=SyncConflictSerializer(many=True),
        description="The user's conflicts not yet settled or discarded, with both values: the "
        "device's change and the server's record. Settle one by sending a change with the "
        "current version and `settles`, or discard it.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_sync(user):
            raise NotAllowed
        page = self.paginate_queryset(sync.open_conflicts(user=user))
        return self.get_paginated_response(SyncConflictSerializer(page or [], many=True).data)


class SyncConflictDiscardApi(GenericAPIView[SyncChange]):
    permission_classes = [IsMember]
    serializer_class = SyncConflictSerializer

    @extend_schema(
        request=None,
        responses={200: SyncConflictSerializer},
        description="Keep the server's value: the device's change is set aside (and kept).",
    )
    def post(self, request: Request, client_id: Any) -> Response:
        user = acting_user(request)
        if not can_sync(user):
            raise NotAllowed
        conflict = sync.sync_conflict_discard(actor=user, client_id=client_id)
        return Response(SyncConflictSerializer(conflict).data)
