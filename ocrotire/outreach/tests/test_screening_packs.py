"""Each country's screening pack fits its sheet: every flag reads a yes/no question the sheet
has (Romania's observation sheet, Ukraine's assessment of a family's needs, the common sheet of
Moldova and Kyrgyzstan), and the flags have names in every language."""

from __future__ import annotations

import pytest
from django.conf import settings

from ocrotire.dataforms.services import forms_load
from ocrotire.outreach.screening import flags_of, pack_errors, screening_pack

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "sheet"),
    [
        ("MD", "household_screening"),
        ("RO", "observation_sheet"),
        ("UA", "family_needs"),
        ("KG", "household_screening"),
    ],
)
def test_every_flag_reads_a_question_of_the_countrys_sheet(country: str, sheet: str) -> None:
    forms_load(country=country)
    pack = screening_pack(country)
    assert pack.form_code == sheet
    assert pack_errors(country) == []
    for flag in pack.flags:
        assert {code for code, _name in settings.LANGUAGES} <= set(flag.names), flag.code


def test_a_flag_of_all_answers_needs_them_all() -> None:
    assert "poor_overcrowded" not in flags_of("RO", {"economic": {"poverty": True}})
    both = {"economic": {"poverty": True}, "housing": {"overcrowded": True}}
    assert "poor_overcrowded" in flags_of("RO", both)
    assert flags_of("RO", {"economic": {"poverty": False}}) == []
