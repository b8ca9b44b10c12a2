"""National identifiers: check digits and formats per scheme."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from stdnum.md import idno

from ocrotire.registry.identifiers import identifier_normalise


def valid_idnp(body: str = "200300012345") -> str:
    return body + idno.calc_check_digit(body)


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        ("md_idnp", valid_idnp(), valid_idnp()),
        ("md_idnp", " 2003 0001 2345 " + idno.calc_check_digit("200300012345"), valid_idnp()),
        ("ro_cnp", "1800101221144", "1800101221144"),
        ("ua_rnokpp", "1759013776", "1759013776"),
        ("ua_unzr", "20140404-00010", "20140404-00010"),
        ("kg_pin", "21504201512345", "21504201512345"),
        ("birth_certificate", "ii-mn 123456", "II-MN 123456"),
    ],
)
def test_valid_identifiers_are_normalised(scheme, value, expected):
    assert identifier_normalise(scheme, value) == expected


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        ("md_idnp", valid_idnp()[:-1] + str((int(valid_idnp()[-1]) + 1) % 10)),
        ("md_idnp", "123"),
        ("md_idnp", "abcdefghijklm"),
        ("ro_cnp", "1800101221145"),
        ("ro_cnp", "9999999999999"),
        ("ua_rnokpp", "1759013770"),
        ("ua_unzr", "20141304-00010"),
        ("ua_unzr", "20140404-00017"),
        ("kg_pin", "31504201512345"),
        ("kg_pin", "21532201512345"),
        ("birth_certificate", "<script>"),
        ("nope", "123"),
        ("md_idnp", ""),
    ],
)
def test_invalid_identifiers_raise_readable_errors(scheme, value):
    with pytest.raises(ValidationError) as info:
        identifier_normalise(scheme, value)
    assert info.value.messages[0]
