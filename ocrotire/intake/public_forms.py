"""Forms of the public pages (no account): a concern, a tracking code, more information.

They read the same limits as the public API (`public.py`, `public_apis.py`) and hand the same
input to the same services; the services' own checks come back as field messages."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ocrotire.geo.models import Unit
from ocrotire.intake import public
from ocrotire.intake.models import ComplaintAbout, ReporterKind

# "I don't know the place": the value names the country, whose top directorate receives it.
UNKNOWN_PLACE = "unknown:"
CHILD_ROWS = 3
PLACE_LEVELS = ("municipality", "city", "sector", "town", "commune", "village", "district")


def place_choices() -> list[Any]:
    """ "I don't know" first, then the active places of each country that receives reports; with
    several countries, one group per country (named by its top unit) and nothing chosen first."""
    tops = {
        u.country: u.name
        for u in Unit.objects.filter(active=True, depth=0).order_by("country", "code")
    }
    receiving = [c for c in sorted(tops) if public.default_unit(c) is not None]
    places = Unit.objects.filter(active=True, country__in=receiving, level__in=PLACE_LEVELS)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for country in receiving:
        choices = [(f"{UNKNOWN_PLACE}{country}", str(_("I don't know")))]
        choices += [
            (u.code, "\u00a0\u00a0" * max(u.depth - 1, 0) + u.name)
            for u in places.filter(country=country).order_by("path")
        ]
        groups.append((tops[country], choices))
    if len(groups) == 1:
        return groups[0][1]
    return [("", str(_("Choose the place"))), *groups]


# --- the time trap ---------------------------------------------------------------------------
# A bot fills a form at once, or fills every field it finds. The page carries the signed time it
# was shown (`started`) and a field a person never sees (`website`, hidden from eyes, screen
# readers and the Tab key); a form sent too soon, too late, without that time, or with the hidden
# field filled is shown again, with what was written kept, to be checked and sent again. Nothing
# identifies the visitor: the time is only compared with the clock, never stored.
_TRAP_SALT = "ocrotire.intake.public-form-started"
TRAP_MAX_AGE = 24 * 3600


def started_token(at: float | None = None) -> str:
    """The signed time a public form was shown (`at`: another time, for tests)."""
    return signing.dumps(int(at if at is not None else time.time()), salt=_TRAP_SALT)


class TimeTrapForm(forms.Form):
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each showing of the page starts the clock again, also when it comes back with errors.
        self._sent_started = ""
        if self.is_bound:
            self._sent_started = str(self.data.get("started", ""))
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["started"] = started_token()
            self.data = data
        else:
            self.initial["started"] = started_token()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        error = trap_error(self._sent_started, cleaned.get("website"))
        if error:
            raise forms.ValidationError(error, code="trap")
        return cleaned


def trap_error(sent_started: str, website: str | None) -> str | None:
    """Why a public form looks sent by a robot (the hidden field filled, no signed start time,
    sent too soon or too late), in the visitor's words; None when it looks sent by a person."""
    if website:
        return str(_("Your message could not be sent. Check it and send it again."))
    try:
        shown = int(signing.loads(sent_started, salt=_TRAP_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return str(_("This page was not complete. Check what you wrote and send it again."))
    age = time.time() - shown
    if age < settings.OCROTIRE_PUBLIC_MIN_SECONDS:
        return str(_("That was very quick. Check what you wrote, then send it again."))
    if age > TRAP_MAX_AGE:
        return str(_("This page was open for a long time. Check what you wrote and send it again."))
    return None


class PublicReportForm(TimeTrapForm):
    reporter = forms.ChoiceField(
        label=_("Who are you?"),
        choices=[
            (ReporterKind.CHILD.value, _("I am the child")),
            (ReporterKind.CITIZEN.value, _("I am someone else")),
            (ReporterKind.ANONYMOUS.value, _("I do not want to say")),
        ],
        widget=forms.RadioSelect,
    )
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_("Write it in your own words. Say when it happened if you can."),
        max_length=public.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    place = forms.ChoiceField(label=_("Where did it happen?"))
    immediate_danger = forms.BooleanField(label=_("A child is in danger right now"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = place_choices()
        for i in range(CHILD_ROWS):
            self.fields[f"child_{i}_name"] = forms.CharField(
                label=_("First name of child %(number)s") % {"number": i + 1},
                max_length=100,
                required=i == 0,
            )
            self.fields[f"child_{i}_age"] = forms.IntegerField(
                label=_("Age of child %(number)s") % {"number": i + 1},
                min_value=0,
                max_value=17,
                required=False,
                help_text=_("If you know it."),
            )

    def child_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"child_{i}_name"], self[f"child_{i}_age"]) for i in range(CHILD_ROWS)]

    def report_input(self) -> public.PublicReportInput:
        data = self.cleaned_data
        unit_code, country = place_input(data["place"])
        children = [
            public.PublicChild(given_name=data[f"child_{i}_name"], age=data.get(f"child_{i}_age"))
            for i in range(CHILD_ROWS)
            if data.get(f"child_{i}_name")
        ]
        return public.PublicReportInput(
            reporter_kind=data["reporter"],
            narrative=data["narrative"],
            children=children,
            unit_code=unit_code,
            country=country,
            immediate_danger=data["immediate_danger"],
        )


def place_input(place: str) -> tuple[str, str]:
    """The unit's code and the country ("I don't know": no unit, the country's directorate)."""
    if place.startswith(UNKNOWN_PLACE):
        return "", place.removeprefix(UNKNOWN_PLACE)
    return place, ""


class PublicComplaintForm(TimeTrapForm):
    reporter = forms.ChoiceField(
        label=_("Who are you?"),
        choices=[
            (ReporterKind.CHILD.value, _("I am a child")),
            (ReporterKind.CITIZEN.value, _("I am someone else")),
            (ReporterKind.ANONYMOUS.value, _("I do not want to say")),
        ],
        widget=forms.RadioSelect,
    )
    about = forms.ChoiceField(
        label=_("What is your complaint about?"),
        choices=[
            (ComplaintAbout.SERVICE.value, _("A service (for example a centre or a foster home)")),
            (ComplaintAbout.INSTITUTION.value, _("An institution (for example a school)")),
            (ComplaintAbout.PROFESSIONAL.value, _("A person who works with children")),
        ],
        widget=forms.RadioSelect,
    )
    about_name = forms.CharField(
        label=_("Which one?"),
        help_text=_("Its name or the person's name, if you want to say."),
        max_length=300,
        required=False,
    )
    narrative = forms.CharField(
        label=_("What is your complaint?"),
        help_text=_(
            "Write it in your own words. The people who answer it are not the ones you "
            "complain about."
        ),
        max_length=public.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    place = forms.ChoiceField(label=_("Where is it?"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = place_choices()

    def complaint_input(self) -> public.PublicComplaintInput:
        data = self.cleaned_data
        unit_code, country = place_input(data["place"])
        return public.PublicComplaintInput(
            complainant_kind=data["reporter"],
            about=data["about"],
            about_name=data["about_name"],
            narrative=data["narrative"],
            unit_code=unit_code,
            country=country,
        )


class TrackingCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your tracking code"),
        help_text=_("The code you were given when you sent the report, like ABCD-EFGH-…"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PublicMessageForm(forms.Form):
    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Add information"),
        help_text=_("Anything you want the people who look into it to know."),
        max_length=public.TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = forms.FileField(
        label=_("Add a file"),
        help_text=_("If you want: a photo, a PDF document or a sound recording, up to 20 MB."),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".jpg,.jpeg,.png,.pdf,.mp3,image/jpeg,image/png,application/pdf"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("text") or "").strip() and not cleaned.get("file"):
            self.add_error("text", _("Write your message."))
        return cleaned
