"""The range of dates and times each kind of field accepts, for the page forms and the API alike:
a report received in year 1 or a placement begun in year 576 is a typing error, refused with a
400, never numbered or stored."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

# Nothing the system records happened before it could have been recorded on paper in this form;
# the oldest files carried over from paper registers are from the 1990s.
EARLIEST_EVENT = date(1990, 1, 1)
# A person's birth date: no one alive in the registry was born earlier.
EARLIEST_BIRTH = date(1900, 1, 1)
# Plans, licences, reviews and filters may look ahead, never this far.
LATEST_DATE = date(2100, 12, 31)
# A clock a few minutes ahead of the server's is not a time in the future.
CLOCK_SKEW = timedelta(minutes=5)


def _as_date(value: date | datetime) -> date:
    # The day as written: converting a year-1 time to UTC would itself overflow.
    return value.date() if isinstance(value, datetime) else value


def validate_past_moment(value: datetime) -> None:
    """When something happened (received, notified, visited, decided): since 1990, not later
    than now."""
    if _as_date(value) < EARLIEST_EVENT:
        raise ValidationError(
            _("This time is too far in the past: give a time from 1990 on."), code="too_early"
        )
    if timezone.is_aware(value) and value > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("This time cannot be in the future."), code="in_future")


def validate_moment(value: datetime) -> None:
    """A time that may lie ahead (a filter's bound, a planned meeting): 1990 to 2100."""
    if not EARLIEST_EVENT <= _as_date(value) <= LATEST_DATE:
        raise ValidationError(
            _("This time is outside the accepted range (1990 to 2100)."), code="out_of_range"
        )


def validate_record_date(value: date) -> None:
    """A decision, licence, review or plan date: 1990 to 2100."""
    if not EARLIEST_EVENT <= _as_date(value) <= LATEST_DATE:
        raise ValidationError(
            _("This date is outside the accepted range (1990 to 2100)."), code="out_of_range"
        )


def validate_past_date(value: date) -> None:
    """The day something was decided or happened: from 1990 to today."""
    validate_record_date(value)
    if _as_date(value) > timezone.localdate() + timedelta(days=1):
        raise ValidationError(_("This date cannot be in the future."), code="in_future")


def validate_birth_date(value: date) -> None:
    """A birth date: from 1900 to today."""
    if _as_date(value) < EARLIEST_BIRTH:
        raise ValidationError(
            _("This birth date is too far in the past: give a date from 1900 on."),
            code="too_early",
        )
    if _as_date(value) > timezone.localdate() + timedelta(days=1):
        raise ValidationError(_("A birth date cannot be in the future."), code="in_future")


class MomentField(serializers.DateTimeField):
    """DRF's date and time, with a time so early that it has no UTC equivalent (year 1 at
    midnight in a zone east of Greenwich) refused as out of range instead of raising."""

    def enforce_timezone(self, value: datetime) -> Any:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


def query_day(value: str) -> date | None:
    """A day from a page's address (YYYY-MM-DD), if it is one between 1990 and a year from now."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    if day is None or not EARLIEST_EVENT <= day <= timezone.localdate() + timedelta(days=366):
        return None
    return day
