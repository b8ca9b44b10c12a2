"""Filling a form: the answers a case step received, checked against the newest version of the
country's form of that step on the server, kept with that version."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ocrotire.dataforms import spec
from ocrotire.dataforms.models import FormVersion
from ocrotire.dataforms.selectors import form_version_current
from ocrotire.dataforms.spec import PREFIX, answers_clean


def answers_fill(
    *, country: str, step: str, answers: Any
) -> tuple[FormVersion | None, dict[str, Any]]:
    """The version filled and the answers kept. Without answers (an API client that sends
    none) the record keeps no form; answers for a step the country has no form of are refused;
    wrong answers raise ValidationError by their addresses."""
    if answers is None:
        return None, {}
    version = form_version_current(country=country, step=step)
    if version is None:
        if answers:
            raise ValidationError({PREFIX: _("This step has no form in this country.")})
        return None, {}
    return version, answers_clean(version.sections, answers)


def answers_shown(version: FormVersion | None, answers: Any) -> list[Any]:
    """The answered questions of a record by section, in the version it was filled with."""
    if version is None or not isinstance(answers, dict):
        return []
    return spec.answers_shown(version.sections, answers)
