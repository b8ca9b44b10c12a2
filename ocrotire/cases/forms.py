"""Forms of the case pages: one per stage step, mirroring the API's input serializers, each
carrying the case version the user read so that a concurrent change is detected; and the
triage of a report, which opens cases."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution, User
from ocrotire.cases import referrals
from ocrotire.cases.models import (
    ClosureReason,
    Confirmation,
    MeetingKind,
    ProtectiveActionKind,
    ReviewOutcome,
    RiskLevel,
    VisitKind,
)
from ocrotire.core.bounds import validate_past_moment, validate_record_date
from ocrotire.geo.forms import UnitChoiceField
from ocrotire.geo.models import Unit
from ocrotire.intake.forms import moment_field
from ocrotire.intake.models import TriageDecision

BLANK = [("", "—")]


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[validate_past_moment],
    )


def _text(label: Any, max_length: int, *, required: bool = True, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StepForm(forms.Form):
    """The version of the case the user saw; a newer one in the database means a conflict."""

    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case


class CaseEditForm(StepForm):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    registration_disposition = forms.CharField(
        label=_("Registration disposition number"), max_length=60, required=False
    )


class AssessmentForm(StepForm):
    findings = _text(_("Findings"), 20000, rows=8)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    confirmed = forms.ChoiceField(
        label=_("Is the suspicion confirmed?"), choices=Confirmation.choices
    )
    protection_interview_done = forms.BooleanField(
        label=_("A protection interview with the child was held"), required=False
    )
    recommendation = _text(_("Recommendation"), 4000, required=False, rows=3)
    needs = forms.CharField(
        label=_("Service needs"),
        max_length=1000,
        required=False,
        help_text=_("Codes of the service catalogue, separated by commas."),
    )
    completed_at = _when(_("Completed at"))

    def clean_needs(self) -> list[str]:
        raw = self.cleaned_data.get("needs") or ""
        codes = [code.strip() for code in raw.split(",") if code.strip()]
        if len(codes) > 30 or any(len(code) > 60 for code in codes):
            raise forms.ValidationError(_("Give at most 30 codes of at most 60 characters."))
        return codes


class InitialAssessmentForm(AssessmentForm):
    emergency = forms.BooleanField(
        label=_("The child is in danger: start emergency protection"), required=False
    )


class ProtectiveActionForm(StepForm):
    kind = forms.ChoiceField(label=_("Measure"), choices=ProtectiveActionKind.choices)
    decided_at = _when(_("Decided at"))
    description = _text(_("Description"), 4000, required=False, rows=3)


class ProtectiveStepForm(StepForm):
    action = forms.TypedChoiceField(label=_("Removal"), coerce=int, choices=[])
    step = forms.ChoiceField(
        label=_("Step"),
        choices=[
            ("prosecutor_notified", _("The prosecutor was notified")),
            ("court_filed", _("The court action was filed")),
        ],
    )
    at = _when(_("When"))

    def __init__(self, *args: Any, removals: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (
                action.pk,
                _("Removal of %(when)s")
                % {"when": date_format(localtime(action.decided_at), "SHORT_DATETIME_FORMAT")},
            )
            for action in removals
        ]


class NoteForm(StepForm):
    note = _text(_("Note"), 4000, rows=3)


class PlanForm(StepForm):
    goals = _text(_("Goals"), 20000, rows=6)
    actions = forms.CharField(
        label=_("Actions"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One action per line: action | responsible | due date."),
    )
    next_review_due = forms.DateField(
        label=_("Next review due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_record_date],
    )

    def clean_actions(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("actions") or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > 3 or any(len(part) > 500 for part in parts):
                raise forms.ValidationError(
                    _("Write each action as: action | responsible | due date.")
                )
            parts += [""] * (3 - len(parts))
            rows.append({"action": parts[0], "responsible": parts[1], "due": parts[2]})
        if len(rows) > 100:
            raise forms.ValidationError(_("A plan has at most 100 actions."))
        return rows


class DecisionForm(StepForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Refuse and send back"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note"), 4000, required=False, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = _("Required when you refuse.")


class VisitForm(StepForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices)
    observations = _text(_("Observations"), 20000, rows=6)
    visited_at = _when(_("Visited at"))
    risk_level = forms.ChoiceField(
        label=_("Risk level after the visit"),
        choices=BLANK + list(RiskLevel.choices),
        required=False,
        help_text=_("Leave empty if it did not change."),
    )


class ReviewForm(StepForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    summary = _text(_("Summary"), 20000, rows=6)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    reviewed_at = _when(_("Reviewed at"))


class ReferralForm(StepForm):
    service = forms.CharField(label=_("Service"), max_length=200, required=False)
    reason = _text(_("Reason"), 4000, rows=3)
    to_institution = forms.ModelChoiceField(
        label=_("To institution"), queryset=Institution.objects.none(), required=False
    )
    complex_case = forms.BooleanField(
        label=_("Complex case (to the guardianship authority, team or Barnahus)"), required=False
    )

    def __init__(self, *args: Any, institutions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_institution"]
        assert isinstance(field, forms.ModelChoiceField)
        if institutions is not None:
            field.queryset = institutions
        # The targets other apps offer (a service point of the provider register) come first.
        if self.case is not None:
            targets = referrals.target_fields(self.case)
            self.fields.update(targets)
            self.order_fields(["version", *targets])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if referrals.target_of(data) is None and not (data.get("service") or "").strip():
            self.add_error("service", _("Choose a service point or describe the service."))
        return data


class MeetingForm(StepForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    decision = _text(_("Decision"), 20000, rows=5)
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    participants = _text(_("Participants"), 4000, required=False, rows=3)
    held_at = _when(_("Held at"))


class ClosureProposeForm(StepForm):
    reason = forms.ChoiceField(label=_("Reason for closure"), choices=ClosureReason.choices)
    note = _text(_("Note"), 4000, required=False, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = _("Required when the reason is “Other”.")


class ReopenForm(StepForm):
    reason = _text(_("Reason"), 4000, rows=3)


class TransferForm(StepForm):
    unit = UnitChoiceField(label=_("To unit"), queryset=Unit.objects.none())
    reason = _text(_("Reason"), 4000, rows=3)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        if units is not None:
            field.queryset = units


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class ReassignForm(StepForm):
    manager = UserChoiceField(label=_("New case manager"), queryset=User.objects.none())
    reason = _text(_("Reason"), 4000, rows=3)

    def __init__(self, *args: Any, managers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["manager"]
        assert isinstance(field, forms.ModelChoiceField)
        if managers is not None:
            field.queryset = managers


class TeamForm(StepForm):
    user = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("The user name of the professional to add to the team."),
    )
    role = forms.CharField(label=_("Role in the team"), max_length=120, required=False)


class TriageForm(forms.Form):
    """The triage decision, on the report's card."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=TriageDecision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level (to open a case)"),
        choices=[("", "—"), *RiskLevel.choices],
        required=False,
    )
    registration_disposition = forms.CharField(
        label=_("Registration disposition number"), max_length=60, required=False
    )
    redirect_to = forms.ModelChoiceField(
        label=_("Competent authority (to redirect)"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label="—",
    )
    redirect_to_text = forms.CharField(
        label=_("Other authority, if not in the list"), max_length=300, required=False
    )
    at = moment_field(
        _("Decision taken at"), help_text=_("Only if the decision was taken earlier, on paper.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["redirect_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Institution.objects.filter(active=True, country=country).order_by("name")
