"""Placement forms on the case page: who sees them, placing the child and ending the placement,
each refusal shown beside its field with what was typed kept (never a 500), a stale version as a
conflict, and no form and a 403 for those who may not place the child."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ocrotire.care.models import Placement
from ocrotire.care.services import placement_end, placement_start
from ocrotire.care.tests.factories import decided
from ocrotire.cases.models import Case
from ocrotire.cases.services import case_member_add
from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.core.models import AuditEvent
from ocrotire.geo.models import Unit
from ocrotire.providers.models import ServicePoint, ServiceType
from ocrotire.providers.services import provider_create, service_point_create
from ocrotire.workflow.models import TimelineEvent

pytestmark = pytest.mark.django_db

CARER = "Asistent parental profesionist A."
DECISION = "Dispoziția nr. 12"


@pytest.fixture(autouse=True)
def english(personas: dict[str, Any]) -> None:
    """The assertions read English sentences, whatever the catalogues translate later."""
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def case(api: Any, personas: dict[str, Any], casework: None, mfa_off: None) -> Case:
    return open_case(api, personas["specialist"])


@pytest.fixture
def points(
    personas: dict[str, Any], institutions: dict[str, Any], casework: None
) -> dict[str, Any]:
    """An emergency placement centre in another sector of the case's municipality (a place for a
    Botanica child), a day centre in Botanica and a Ukrainian shelter (neither is)."""
    admin = personas["admin"]

    def point(institution: str, country: str, code: str, unit: str, name: str) -> ServicePoint:
        provider = provider_create(
            actor=admin, kind="public", institution=institutions[institution]
        )
        return service_point_create(
            actor=admin,
            provider=provider,
            service_type=ServiceType.objects.get(country=country, code=code),
            unit=Unit.objects.get(code=unit),
            name=name,
            capacity=10,
        )

    return {
        "centre": point(
            "DGPDC", "MD", "emergency_placement_centre", "MD-CU-CEN", "Centrul de plasament"
        ),
        "day": point("DGPDC-BOT", "MD", "day_centre_risk", "MD-CU-BOT", "Centrul de zi"),
        "shelter": point("UA-SSD", "UA", "shelter", "UA-74", "Притулок"),
    }


def page(client: Any, user: Any, case: Case) -> str:
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return str(response.content.decode())


def place(client: Any, case: Case, **data: Any) -> Any:
    body = {
        "form": "professional_parental",
        "carer_name": CARER,
        "decision_by": "gatekeeper",
        "decision_outcome": "approved",
        "decision_reference": DECISION,
        "decision_date": timezone.localdate().isoformat(),
        **data,
    }
    return client.post(f"/cases/{case.pk}/placements/new/", body)


def end(client: Any, case: Case, placement: Placement, **data: Any) -> Any:
    placement.refresh_from_db()
    body = {"version": placement.version, "end_reason": "reintegrated", **data}
    return client.post(f"/cases/{case.pk}/placements/{placement.pk}/end/", body)


def placed(user: Any, case: Case) -> Placement:
    return placement_start(
        actor=user,
        child=case.child,
        case=case,
        form="foster",
        carer_name=CARER,
        started_at=timezone.now() - timedelta(days=3),
        **decided(),
    )


def field_errors(response: Any, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_the_case_page_offers_the_placement_form_with_the_area_s_facilities(
    client: Any, personas: dict[str, Any], case: Case, points: dict[str, Any]
) -> None:
    html = page(client, personas["specialist"], case)
    assert 'id="place-child"' in html
    assert f'action="/cases/{case.pk}/placements/new/"' in html
    assert f'<option value="{points["centre"].pk}">Centrul de plasament' in html
    assert "Centrul de zi" not in html
    assert "Притулок" not in html
    assert 'type="datetime-local"' in html
    assert "end-placement-" not in html


def test_placing_the_child_and_ending_the_placement(
    client: Any, personas: dict[str, Any], case: Case, points: dict[str, Any]
) -> None:
    client.force_login(personas["specialist"])
    response = place(
        client,
        case,
        form="emergency_centre",
        emergency="on",
        # The removal's disposition, not yet a commission's or a court's decision.
        decision_by="",
        decision_outcome="",
        national_type="Plasament de urgență",
        carer_name="",
        facility=points["centre"].pk,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    placement = Placement.objects.get(case=case)
    assert placement.child_id == case.child_id
    assert (placement.form, placement.emergency, placement.facility) == (
        "emergency_centre",
        True,
        points["centre"],
    )
    assert placement.decision_reference == DECISION
    assert abs((timezone.now() - placement.started_at).total_seconds()) < 60
    assert placement.next_review_at is not None

    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "The placement was recorded." in html
    assert f'data-placement="{placement.pk}"' in html
    assert f'id="end-placement-{placement.pk}"' in html
    assert f'action="/cases/{case.pk}/placements/{placement.pk}/end/"' in html
    assert f'name="version" value="{placement.version}"' in html

    response = end(client, case, placement, end_reason="transferred", note="  To a family home ")
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_at is not None
    assert (placement.end_reason, placement.end_note) == ("transferred", "To a family home")
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "The placement was ended." in html
    assert "Transferred to another placement" in html
    assert f'id="end-placement-{placement.pk}"' not in html
    kinds = list(
        TimelineEvent.objects.filter(case=case, kind__startswith="placement_")
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["placement_started", "placement_ended"]
    assert AuditEvent.objects.filter(object_type="care.placement").count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"carer_name": ""}, "carer_name", "Name the carer or choose the facility."),
        ({"started_at": "2999-01-01T10:00"}, "started_at", "This time cannot be in the future."),
        ({"started_at": "yesterday"}, "started_at", "Enter a valid date/time."),
        ({"form": ""}, "form", "This field is required."),
        ({"decision_date": "31.02.2026"}, "decision_date", "Enter a valid date."),
        ({"national_type": "x" * 201}, "national_type", "at most 200 characters"),
    ],
)
def test_a_refused_placement_shows_why_beside_the_field_and_keeps_what_was_typed(
    client: Any,
    personas: dict[str, Any],
    case: Case,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(personas["specialist"])
    response = place(client, case, **data)
    assert response.status_code == 200
    assert any(message in text for text in field_errors(response, field))
    html = response.content.decode()
    # The reason sits in the field's own block, beside its input.
    block = next(b for b in html.split('<div class="field">') if f'id="id_{field}"' in b)
    assert message in block
    assert f'value="{DECISION}"' in html
    for value in data.values():
        if value and field != "form":
            assert value in html
    assert not Placement.objects.filter(case=case).exists()


def test_a_facility_outside_the_list_is_refused(
    client: Any, personas: dict[str, Any], case: Case, points: dict[str, Any]
) -> None:
    client.force_login(personas["specialist"])
    response = place(client, case, carer_name="", facility=points["day"].pk)
    assert response.status_code == 200
    assert field_errors(response, "facility")
    assert not Placement.objects.filter(case=case).exists()


def test_a_second_active_placement_is_refused_readably(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    client.force_login(personas["specialist"])
    # Just after local midnight, when the day in UTC is still the day before: the message names
    # the local day, as the list of placements does.
    # (The day before when the test runs in the half hour after local midnight: a start in the
    # future is refused.)
    today = (timezone.localtime() - timedelta(minutes=31)).date()
    assert place(client, case, started_at=f"{today.isoformat()}T00:30").status_code == 302
    response = place(client, case, form="kinship", carer_name="Bunica, Maria Rusu")
    assert response.status_code == 200
    expected = (
        "This child already has an active placement (Professional parental assistance since "
        f"{today.isoformat()}): end it first."
    )
    assert expected in response.context["form"].non_field_errors()
    html = response.content.decode()
    assert 'role="alert" class="form-errors"' in html
    assert "This child already has an active placement" in html
    assert "Bunica, Maria Rusu" in html
    assert Placement.objects.filter(child=case.child).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"end_reason": ""}, "end_reason", "This field is required."),
        ({"ended_at": "2999-01-01T10:00"}, "ended_at", "This time cannot be in the future."),
        ({"ended_at": "2000-01-01T10:00"}, "ended_at", "A placement cannot end before it started."),
    ],
)
def test_a_refused_end_shows_why_beside_the_field(
    client: Any,
    personas: dict[str, Any],
    case: Case,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    placement = placed(personas["specialist"], case)
    client.force_login(personas["specialist"])
    response = end(client, case, placement, note="Kept note", **data)
    assert response.status_code == 200
    assert any(message in text for text in field_errors(response, field))
    assert "Kept note" in response.content.decode()
    placement.refresh_from_db()
    assert placement.ended_at is None


def test_an_overlong_note_is_refused_never_cut(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    placement = placed(personas["specialist"], case)
    client.force_login(personas["specialist"])
    html = page(client, personas["specialist"], case)
    # No maxlength: a browser would cut a longer paste without telling.
    assert not re.search(r"<textarea[^>]*maxlength", html)
    note = "n" * 4000 + "X"
    response = end(client, case, placement, note=note)
    assert response.status_code == 200
    assert any("at most 4000 characters" in text for text in field_errors(response, "note"))
    assert f">\n{note}</textarea>" in response.content.decode()
    placement.refresh_from_db()
    assert (placement.ended_at, placement.end_note) == (None, "")
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        placement_end(
            actor=personas["specialist"],
            placement=placement,
            version=placement.version,
            end_reason="other",
            note=note,
        )
    assert "note" in refused.value.message_dict
    assert end(client, case, placement, note="n" * 4000).status_code == 302


def test_a_placement_changed_meanwhile_is_a_readable_conflict(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    placement = placed(personas["specialist"], case)
    stale = placement.version
    Placement.objects.filter(pk=placement.pk).update(version=stale + 1)
    client.force_login(personas["specialist"])
    response = client.post(
        f"/cases/{case.pk}/placements/{placement.pk}/end/",
        {"version": stale, "end_reason": "adopted", "note": "Adoption decided"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this placement while you were working on it" in html
    assert "Adoption decided" in html
    placement.refresh_from_db()
    assert placement.ended_at is None


def test_a_placement_of_another_case_is_not_found(
    client: Any, api: Any, personas: dict[str, Any], case: Case
) -> None:
    other = open_case(api, personas["specialist"], given="Vasile")
    placement = placed(personas["specialist"], other)
    client.force_login(personas["specialist"])
    assert end(client, case, placement).status_code == 404


@pytest.mark.parametrize(
    ("persona", "on_team", "status"),
    [
        # A case worker of another sector, and a school reporter, both on the team: they see the
        # case but may not place the child.
        ("specialist2", True, 403),
        ("reporter", True, 403),
        # Not on the team: the case is not theirs to see ("missing or not yours"), or no role.
        ("auditor", False, 404),
        ("specialist_ua", False, 404),
        ("outsider", False, 403),
    ],
)
def test_who_may_not_place_sees_no_form_and_changes_nothing(
    client: Any,
    personas: dict[str, Any],
    case: Case,
    persona: str,
    on_team: bool,
    status: int,
) -> None:
    user = personas[persona]
    if on_team:
        case.refresh_from_db()
        case_member_add(
            actor=personas["specialist"], case=case, version=case.version, user=user, role="x"
        )
    placement = placed(personas["specialist"], case)
    placement.refresh_from_db()
    before = (
        Placement.objects.count(),
        placement.version,
        AuditEvent.objects.exclude(action="view").count(),
    )
    client.force_login(user)
    if on_team:
        html = page(client, user, case)
        assert f'data-placement="{placement.pk}"' in html
        assert 'id="place-child"' not in html
        assert "end-placement-" not in html
        assert "/placements/" not in html
    assert client.get(f"/cases/{case.pk}/placements/new/").status_code == status
    assert place(client, case).status_code == status
    assert end(client, case, placement).status_code == status
    placement.refresh_from_db()
    assert (
        Placement.objects.count(),
        placement.version,
        AuditEvent.objects.exclude(action="view").count(),
    ) == before
    assert placement.ended_at is None


def test_a_closed_case_takes_no_new_placement(client: Any, personas: dict[str, Any], case: Case):
    Case.objects.filter(pk=case.pk).update(stage="closed")
    client.force_login(personas["specialist"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="place-child"' not in page
    with pytest.raises(ValidationError) as refused:
        placement_start(
            actor=personas["specialist"],
            child=case.child,
            case=Case.objects.get(pk=case.pk),
            form="foster",
            carer_name=CARER,
            started_at=timezone.now(),
        )
    assert "case" in refused.value.message_dict
    assert not Placement.objects.filter(child=case.child).exists()
