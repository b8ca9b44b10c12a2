"""National identifiers: normalise and validate by scheme (check digits via python-stdnum where it has them)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.md import idno as md_idno
from stdnum.ro import cnp as ro_cnp
from stdnum.ua import rntrc as ua_rntrc

from ocrotire.registry.models import IdentifierScheme

_SEPARATORS = re.compile(r"[\s\-./]")


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", value)


def _stdnum(module: object, value: str) -> str:
    try:
        return str(module.validate(value))  # type: ignore[attr-defined]
    except InvalidChecksum as exc:
        raise ValidationError(_("The check digit is wrong: the number was mistyped.")) from exc
    except InvalidLength as exc:
        raise ValidationError(_("The number has the wrong length.")) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError(_("The number is not in the right format.")) from exc
    except StdnumError as exc:
        raise ValidationError(_("The number is not valid.")) from exc


def _md_idnp(value: str) -> str:
    # A personal IDNP has the same 13-digit layout and 7-3-1 check digit as the IDNO.
    return _stdnum(md_idno, _digits(value))


def _ua_unzr(value: str) -> str:
    # YYYYMMDD-NNNNC: birth date, serial number, check digit with weights 7-3-1.
    number = _digits(value)
    if not number.isdigit() or len(number) != 13:
        raise ValidationError(
            _("A UNZR has 13 digits: the birth date, four digits and a check digit.")
        )
    try:
        date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    except ValueError as exc:
        raise ValidationError(_("The first eight digits of a UNZR must be a birth date.")) from exc
    weights = (7, 3, 1) * 4
    check = sum(w * int(d) for w, d in zip(weights, number[:12], strict=True)) % 10
    if check != int(number[12]):
        raise ValidationError(_("The check digit is wrong: the number was mistyped."))
    return f"{number[:8]}-{number[8:]}"


def _kg_pin(value: str) -> str:
    # 14 digits: sex (1 or 2), birth date DDMMYYYY, then five digits. No public check digit.
    number = _digits(value)
    if not number.isdigit() or len(number) != 14:
        raise ValidationError(_("A Kyrgyz PIN has 14 digits."))
    if number[0] not in "12":
        raise ValidationError(_("A Kyrgyz PIN starts with 1 or 2."))
    try:
        date(int(number[5:9]), int(number[3:5]), int(number[1:3]))
    except ValueError as exc:
        raise ValidationError(_("Digits 2 to 9 of a Kyrgyz PIN must be a birth date.")) from exc
    return number


def _document(value: str) -> str:
    text = re.sub(r"\s+", " ", value.strip().upper())
    if not re.fullmatch(r"[0-9A-ZА-ЯІЇЄҐ\- ]{4,30}", text):
        raise ValidationError(
            _("Use letters and digits only (series and number), 4 to 30 characters.")
        )
    return text


_VALIDATORS = {
    IdentifierScheme.MD_IDNP: _md_idnp,
    IdentifierScheme.RO_CNP: lambda v: _stdnum(ro_cnp, _digits(v)),
    IdentifierScheme.UA_RNOKPP: lambda v: _stdnum(ua_rntrc, _digits(v)),
    IdentifierScheme.UA_UNZR: _ua_unzr,
    IdentifierScheme.KG_PIN: _kg_pin,
    IdentifierScheme.BIRTH_CERTIFICATE: _document,
    IdentifierScheme.PASSPORT: _document,
}

# Schemes whose equality means "the same person" with certainty.
NATIONAL_SCHEMES = frozenset(
    {
        IdentifierScheme.MD_IDNP,
        IdentifierScheme.RO_CNP,
        IdentifierScheme.UA_RNOKPP,
        IdentifierScheme.UA_UNZR,
        IdentifierScheme.KG_PIN,
    }
)


def identifier_normalise(scheme: str, value: str) -> str:
    """The canonical form of a valid identifier; ValidationError with a readable message otherwise."""
    validator = _VALIDATORS.get(scheme)  # type: ignore[call-overload]
    if validator is None:
        raise ValidationError(_("Unknown identifier scheme."))
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("Enter the number."))
    return str(validator(value))


def identifier_label(scheme: str) -> str:
    labels = {
        IdentifierScheme.MD_IDNP: "IDNP",
        IdentifierScheme.RO_CNP: "CNP",
        IdentifierScheme.UA_RNOKPP: "РНОКПП",
        IdentifierScheme.UA_UNZR: "УНЗР",
        IdentifierScheme.KG_PIN: "ПИН",
    }
    return str(labels.get(scheme, scheme))  # type: ignore[call-overload]
