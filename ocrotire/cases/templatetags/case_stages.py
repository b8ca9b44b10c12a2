"""`{{ case|stage_of }}`: a case's stage as its country calls it, in the reader's language (the
stage path's names), for the lists that show cases of their area."""

from __future__ import annotations

from django import template

from ocrotire.cases.models import Case
from ocrotire.cases.pipeline import stage_name

register = template.Library()


@register.filter
def stage_of(case: Case) -> str:
    return stage_name(case)
