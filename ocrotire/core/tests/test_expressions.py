"""InIds: a long id list as one array parameter on PostgreSQL, an IN list elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocrotire.core.expressions import InIds
from ocrotire.geo.models import Unit

pytestmark = pytest.mark.django_db


def test_filters_like_in_and_takes_one_parameter_on_postgresql(territory):
    ids = list(Unit.objects.order_by("id").values_list("pk", flat=True))[:3]
    wanted = [*ids, 10**12]  # an id that does not exist changes nothing
    with CaptureQueriesContext(connection) as captured:
        found = set(Unit.objects.filter(InIds("id", wanted)).values_list("pk", flat=True))
    assert found == set(ids)
    if connection.vendor == "postgresql":
        assert "ANY(" in captured.captured_queries[0]["sql"]
    assert not Unit.objects.filter(InIds("id", [])).exists()
    assert set(Unit.objects.exclude(InIds("id", ids)).values_list("pk", flat=True)).isdisjoint(ids)
