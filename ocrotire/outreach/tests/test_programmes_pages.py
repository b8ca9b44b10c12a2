"""Benefit programme pages without JavaScript: the list and the programme with its budget, an
application for a household of the worker's area, the keeper's decision (the number shown big),
the redemption, a stale form answered 409, and the donor's file; no code reaches the screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from ocrotire.accounts.models import User
from ocrotire.outreach.models import Certificate
from ocrotire.outreach.tests.programme_world import household_make, programme_make, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mfa_off: None) -> dict[str, Any]:
    built = world_build()
    # The pages speak each user's own language; these tests read them in English.
    User.objects.update(language="en")
    for user in built["users"].values():
        user.language = "en"
    return built


def signed_in(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_apply_decide_and_redeem_on_the_pages(world: dict[str, Any]) -> None:
    users, city = world["users"], world["units"]["UA-74-CHE-CHEH-CHE"]
    programme = programme_make(users["supervisor"])
    household = household_make(city, "Petrenko")
    household_make(world["units"]["UA-74-CHE-DESH-DES"], "Elsewhere")
    worker = signed_in(users["community"])
    listed = worker.get("/programmes/")
    assert listed.status_code == 200
    assert programme.name in listed.content.decode()
    page = worker.get(f"/programmes/{programme.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="places">50<' in text
    assert 'id="left">50<' in text
    assert "Children under 18 in the household: at least 1." in text
    assert "Petrenko" in text
    assert "Elsewhere" not in text
    assert "certificates.csv" not in text  # the donor's file is the keepers'
    applied = worker.post(f"/programmes/{programme.pk}/", {"household": household.pk})
    assert applied.status_code == 302
    certificate = Certificate.objects.get()
    assert applied["Location"] == f"/programmes/certificates/{certificate.pk}/"
    again = worker.post(f"/programmes/{programme.pk}/", {"household": household.pk})
    assert again.status_code == 400
    # The worker sees the application but decides nothing.
    shown = worker.get(f"/programmes/certificates/{certificate.pk}/").content.decode()
    assert "Applied" in shown
    assert "decision-form" not in shown
    denied = worker.post(
        f"/programmes/certificates/{certificate.pk}/decision/", {"decision": "issue", "version": 1}
    )
    assert denied.status_code == 403
    keeper = signed_in(users["supervisor"])
    no_reason = keeper.post(
        f"/programmes/certificates/{certificate.pk}/decision/", {"decision": "refuse", "version": 1}
    )
    assert no_reason.status_code == 400
    assert "Give the reason for the refusal." in no_reason.content.decode()
    issued = keeper.post(
        f"/programmes/certificates/{certificate.pk}/decision/",
        {"decision": "issue", "version": 1},
        follow=True,
    )
    text = issued.content.decode()
    assert re.search(r'id="certificate-number"[^>]*>CHN-2025-0001<', text)
    assert "The certificate was issued." in text
    stale = keeper.post(
        f"/programmes/certificates/{certificate.pk}/redemption/",
        {"redeemed_with": "Winter clothes", "version": 1},
    )
    assert stale.status_code == 409
    redeemed = keeper.post(
        f"/programmes/certificates/{certificate.pk}/redemption/",
        {"redeemed_with": "Winter clothes", "version": 2},
        follow=True,
    )
    assert "Redeemed" in redeemed.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == "redeemed"
    programme_page = keeper.get(f"/programmes/{programme.pk}/").content.decode()
    assert 'id="taken">1<' in programme_page
    for code in ("redeemed<", "applied<", "issued<", "children_min"):
        assert code not in programme_page
    exported = keeper.get(f"/programmes/{programme.pk}/certificates.xlsx")
    assert exported.status_code == 200
    assert exported["Content-Disposition"].startswith('attachment; filename="CHN-2025-')


def test_who_sees_the_programme_pages(world: dict[str, Any]) -> None:
    programme = programme_make(world["users"]["supervisor"])
    assert signed_in(world["users"]["outsider"]).get("/programmes/").status_code == 403
    other = signed_in(world["users"]["community_other"])
    assert other.get(f"/programmes/{programme.pk}/").status_code == 404
    assert "No benefit programme in your area." in other.get("/programmes/").content.decode()
    home = signed_in(world["users"]["community"]).get("/home/").content.decode()
    assert 'href="/programmes/"' in home
    assert Client().get("/programmes/").status_code == 302
