"""Provider pages: the register and its service points for those who may see them, and the
referral inbox, where a provider's staff see only their own referrals and answer them."""

from __future__ import annotations

import pytest

from ocrotire.cases.models import Referral
from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.providers.models import ServiceType
from ocrotire.providers.services import catalogue_load, provider_create, service_point_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(personas, casework):
    catalogue_load(country="MD")
    botanica = personas["specialist"].units.get()
    provider = provider_create(
        actor=personas["supervisor"], kind="ngo", name="Centrul «Speranța»", units=[botanica]
    )
    return service_point_create(
        actor=personas["supervisor"],
        provider=provider,
        service_type=ServiceType.objects.get(country="MD", code="day_centre_risk"),
        unit=botanica,
        name="Centrul de zi Botanica",
        capacity=4,
    )


def test_register_pages_follow_scope(client, personas, point, mfa_off):
    client.force_login(personas["specialist"])
    listing = client.get("/providers/")
    assert listing.status_code == 200
    assert "Centrul «Speranța»" in listing.content.decode()
    detail = client.get(f"/providers/{point.provider_id}/").content.decode()
    assert "Centrul de zi Botanica" in detail
    client.force_login(personas["specialist_ua"])
    assert "Centrul «Speranța»" not in client.get("/providers/").content.decode()
    assert client.get(f"/providers/{point.provider_id}/").status_code == 404
    client.force_login(personas["outsider"])
    assert client.get("/providers/").status_code == 403


def test_inbox_shows_a_provider_only_its_referrals_and_takes_its_answer(
    client, api, personas, point, make_user, institutions, mfa_off
):
    case = open_case(api, personas["specialist"])
    case.refresh_from_db()
    api(personas["specialist"]).post(
        "/api/v1/referrals/",
        {"case": case.pk, "version": case.version, "service_point": point.pk, "reason": "Zi"},
        format="json",
    )
    referral = Referral.objects.get(case=case)
    staff = make_user("centre-staff", ("provider",), (), point.provider.institution)
    stranger = make_user("stranger", ("provider",), (), institutions["SCH-BOT"])

    client.force_login(stranger)
    assert f"referral-{referral.pk}" not in client.get("/providers/referrals/").content.decode()
    refused = client.post(
        f"/providers/referrals/{referral.pk}/accept/", {"version": referral.version}
    )
    assert refused.status_code == 404

    client.force_login(staff)
    inbox = client.get("/providers/referrals/").content.decode()
    assert f"referral-{referral.pk}" in inbox
    too_long = client.post(
        f"/providers/referrals/{referral.pk}/decline/",
        {"version": referral.version, "reason": "x" * 4001},
    )
    assert too_long.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "sent"  # refused, not cut to fit
    answered = client.post(
        f"/providers/referrals/{referral.pk}/decline/", {"version": referral.version, "reason": ""}
    )
    assert answered.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "sent"  # a decline without a reason is refused, nothing saved
    client.post(f"/providers/referrals/{referral.pk}/accept/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "accepted"
    stale = client.post(f"/providers/referrals/{referral.pk}/enrol/", {"version": 1})
    assert stale.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"  # the stale version was a conflict
