"""Reading the timeline: the task names of a country's rules and the deadlines an event met or
missed. The sentence of each event is `workflow.events.event_text`."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime

from ocrotire.workflow.models import DeadlineRule, TimelineEvent


def rule_names(country: str) -> dict[str, str]:
    """Task names of a country's rules in the reader's language (the newest version of each)."""
    names: dict[str, str] = {}
    for rule in DeadlineRule.objects.filter(country=country).order_by("code", "version"):
        names[rule.code] = rule.label()
    return names


def deadlines_of(event: TimelineEvent, names: dict[str, str]) -> list[dict[str, Any]]:
    """Which deadlines this event met or missed; `names` from rule_names()."""
    result = []
    for item in (event.data or {}).get("tasks_met", []):
        due = parse_datetime(item.get("due_at", ""))
        result.append(
            {
                "task": item.get("kind", ""),
                "name": names.get(item.get("kind", ""), item.get("kind", "")),
                "due_at": item.get("due_at", ""),
                "due_text": date_format(localtime(due), "SHORT_DATETIME_FORMAT") if due else "",
                "met": bool(item.get("met")),
            }
        )
    return result
