"""The API of the case steps: one endpoint per address of the step register, each validating the
step's input serializer, calling its service with the version read and answering with the case as
it is now. The URL map takes them all from `step_paths()`."""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.cases.models import Case
from ocrotire.cases.selectors import case_get
from ocrotire.cases.serializers import CaseDetailSerializer, detail_response, version_read
from ocrotire.cases.steps.registry import Step, api_input, steps_all


class TransferredAwaySerializer(serializers.Serializer[Any]):
    """The answer to a transfer that took the case out of the reader's area."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    unit = serializers.CharField(help_text="The code of the unit the case went to")
    transferred = serializers.BooleanField(help_text="Always true")


# The case as it is now when the reader still sees it, else only what was done.
MAY_LEAVE_ANSWER = PolymorphicProxySerializer(
    component_name="TransferResult",
    serializers=[CaseDetailSerializer, TransferredAwaySerializer],
    resource_type_field_name=None,
)


class CaseStepApi(GenericAPIView[Case]):
    """One stage step: validate the body, call the service with the version read, answer with
    the case as it is now."""

    permission_classes = [IsMember]
    serializer_class = CaseDetailSerializer
    step: ClassVar[Step]
    input_serializer: ClassVar[type[serializers.Serializer[Any]]]

    def post(self, request: Request, pk: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        payload = self.input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = version_read(request, data)
        moved = self.step.take_from_api(
            user, case, case.version if version is None else version, data, kwargs
        )
        if self.step.api is None or not self.step.api.may_leave:
            return detail_response(user, case.pk)
        try:
            return detail_response(user, moved.pk)
        except Http404:
            # Out of the reader's area now: the case is no longer theirs to see.
            return Response(
                {
                    "id": moved.pk,
                    "number": moved.number,
                    "unit": moved.unit.code,
                    "transferred": True,
                }
            )


def _endpoint(step: Step) -> type[CaseStepApi]:
    assert step.api is not None
    words = re.split(r"[-/]", step.api.url_name)
    input_serializer = api_input(step)
    view: type[CaseStepApi] = type(
        "".join(word.title() for word in words) + "Api",
        (CaseStepApi,),
        {"step": step, "input_serializer": input_serializer, "__module__": __name__},
    )
    view.post = extend_schema(  # type: ignore[method-assign]
        request=input_serializer,
        responses=MAY_LEAVE_ANSWER if step.api.may_leave else CaseDetailSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
    )(idempotent(CaseStepApi.post))
    return view


@functools.cache
def step_endpoints() -> dict[str, type[CaseStepApi]]:
    """One endpoint per address; steps sharing an address share its input and its service."""
    endpoints: dict[str, type[CaseStepApi]] = {}
    for step in steps_all():
        if step.api is None:
            continue
        known = endpoints.get(step.api.path)
        if known is None:
            endpoints[step.api.path] = _endpoint(step)
            continue
        if api_input(step) is not known.input_serializer or step.perform is not known.step.perform:
            raise ImproperlyConfigured(
                f"The steps {known.step.code} and {step.code} share an API address but not "
                "its input and service."
            )
    return endpoints


def step_paths() -> list[URLPattern]:
    """The URL patterns of every step's endpoint, named "case-<address>"."""
    patterns = []
    for address, view in step_endpoints().items():
        assert view.step.api is not None
        patterns.append(
            path(f"v1/cases/<id:pk>/{address}/", view.as_view(), name=view.step.api.url_name)
        )
    return patterns
