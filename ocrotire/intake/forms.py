"""Forms of the register: the full intake form, the short form of a school/clinic/police reporter,
the children named in a report, the "notification form received" step and attachments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution
from ocrotire.core.bounds import validate_birth_date, validate_past_moment
from ocrotire.geo.forms import UnitChoiceField
from ocrotire.geo.models import Unit
from ocrotire.intake.models import (
    Agency,
    Channel,
    ConcernCategory,
    InformationSource,
    ReporterKind,
    ReporterSector,
)
from ocrotire.registry.models import IdentifierScheme, Sex

# Agencies the intake form asks about, each with its own "notified at" field.
NOTIFIED_AGENCIES = (Agency.AMBULANCE, Agency.POLICE, Agency.PROSECUTOR)


def moment_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    """When something happened, to the minute; empty allowed, never in the future."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[validate_past_moment],
        **kwargs,
    )


class ConcernsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label())


class ConcernField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label())


class _ConcernsMixin(forms.Form):
    """Concern categories of the country of the unit picked, chosen by code."""

    concerns = ConcernsField(
        label=_("Concerns"),
        queryset=ConcernCategory.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    most_serious = ConcernField(
        label=_("Most serious form"),
        queryset=ConcernCategory.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="—",
        help_text=_("Needed when several forms of violence are chosen."),
    )

    def _set_concerns(self, country: str) -> None:
        categories = ConcernCategory.objects.filter(country=country, active=True)
        for name in ("concerns", "most_serious"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = categories


class ReportForm(_ConcernsMixin):
    """Everything a specialist records when a report arrives, whatever the channel."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_at = moment_field(_("Received at"), help_text=_("Leave empty for now."))
    reporter_kind = forms.ChoiceField(
        label=_("Who reports"),
        choices=ReporterKind.choices,
        widget=forms.RadioSelect,
        initial=ReporterKind.PROFESSIONAL,
    )
    reporter_sector = forms.ChoiceField(
        label=_("Sector of the professional"),
        choices=[("", "—"), *ReporterSector.choices],
        required=False,
    )
    reporter_institution = forms.ModelChoiceField(
        label=_("Institution of the professional"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label="—",
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=200, required=False)
    reporter_contact = forms.CharField(
        label=_("Reporter's contact (phone or e-mail)"), max_length=200, required=False
    )
    reporter_relationship = forms.CharField(
        label=_("Reporter's relationship to the child"), max_length=120, required=False
    )
    immediate_danger = forms.BooleanField(
        label=_("The child is in immediate danger"), required=False
    )
    unit = UnitChoiceField(label=_("Where it happened (unit)"), queryset=Unit.objects.none())
    location = forms.CharField(label=_("Address or place"), max_length=300, required=False)
    narrative = forms.CharField(
        label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    information_source = forms.ChoiceField(
        label=_("Source of the information"),
        choices=[("", "—"), *InformationSource.choices],
        required=False,
    )
    alleged_perpetrator = forms.CharField(
        label=_("Alleged perpetrator and relationship to the child"),
        max_length=300,
        required=False,
    )
    phone_notice_at = moment_field(_("Phone notice at"))
    form_received_at = moment_field(_("Notification form received at"))
    ambulance_at = moment_field(_("Ambulance notified at"))
    police_at = moment_field(_("Police notified at"))
    prosecutor_at = moment_field(_("Prosecutor notified at"))
    attachment = forms.FileField(
        label=_("Attach a file (PDF, image, document or sound recording, up to 20 MB)"),
        required=False,
    )

    def __init__(
        self, *args: Any, units: Any, country: str, institutions: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        institution_field = self.fields["reporter_institution"]
        assert isinstance(institution_field, forms.ModelChoiceField)
        # Only the institutions of the filer's area: the service refuses any other.
        base = Institution.objects.all() if institutions is None else institutions
        institution_field.queryset = base.filter(active=True, country=country).order_by("name")
        self._set_concerns(country)

    def agencies(self) -> list[tuple[str, Any, str]]:
        return [
            (agency.value, self.cleaned_data[f"{agency.value}_at"], "")
            for agency in NOTIFIED_AGENCIES
            if self.cleaned_data.get(f"{agency.value}_at")
        ]


class ShortReportForm(_ConcernsMixin):
    """A professional in a school, clinic or police unit: only what they know, in minutes."""

    immediate_danger = forms.BooleanField(
        label=_("The child is in immediate danger"), required=False
    )
    unit = UnitChoiceField(label=_("Where it happened (unit)"), queryset=Unit.objects.none())
    location = forms.CharField(label=_("Address or place"), max_length=300, required=False)
    narrative = forms.CharField(
        label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    reporter_contact = forms.CharField(
        label=_("How to reach you (phone or e-mail)"), max_length=200, required=False
    )

    def __init__(self, *args: Any, units: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        self._set_concerns(country)


class ChildForm(forms.Form):
    """A child who is not in the registry yet (or whom the filer cannot look up)."""

    # The registry record chosen from the "possible matches" panel instead of a new record.
    person = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    family_name = forms.CharField(label=_("Family name"), max_length=120, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_birth_date],
    )
    birth_date_estimated = forms.BooleanField(
        label=_("The birth date is estimated"), required=False
    )
    id_scheme = forms.ChoiceField(
        label=_("Identifier"), choices=[("", "—"), *IdentifierScheme.choices], required=False
    )
    id_value = forms.CharField(label=_("Number"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("id_scheme")) != bool(data.get("id_value")):
            raise forms.ValidationError(_("Choose the kind of identifier and enter its number."))
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(
            data.get(name) for name in ("person", "family_name", "given_name", "id_value")
        )

    def identifiers(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data["id_scheme"], data["id_value"])] if data.get("id_scheme") else []


ChildFormSet = formset_factory(ChildForm, extra=1, max_num=20, validate_max=True)


class FormReceivedForm(forms.Form):
    at = moment_field(_("Received at"), help_text=_("Leave empty for now."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, image, document or sound recording, up to 20 MB)"))
