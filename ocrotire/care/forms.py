"""Forms of the placement steps on the case page, mirroring the API's input serializers: place
the child (a planned placement with its gatekeeping decision), record the decision later, review
and end a placement (with the placement's version, so a concurrent change is found)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ocrotire.care.models import (
    DecisionBy,
    DecisionOutcome,
    Gatekeeper,
    InstitutionChangeKind,
    Placement,
    PlacementEnd,
    PlacementForm,
    ReviewOutcome,
)
from ocrotire.care.services import NOTE_LIMIT
from ocrotire.core.bounds import validate_past_date, validate_past_moment, validate_record_date
from ocrotire.providers.models import ServicePoint

BLANK = [("", "—")]


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[validate_past_moment],
    )


class _Uncut(forms.Form):
    """Lengths are checked here and by the service, with a message: a `maxlength` in the page
    would let the browser cut a longer paste without a word."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)


class FacilityChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.provider.institution.name} ({obj.service_type.label()})"


class _DecisionFields(_Uncut):
    """The decision a planned placement needs: the country's gatekeeping commission (named in the
    choice, with its law and the "not verified" mark when a lawyer has not confirmed it) or a
    court."""

    decision_by = forms.ChoiceField(label=_("Decided by"), required=False)
    decision_outcome = forms.ChoiceField(
        label=_("Decision"), choices=BLANK + list(DecisionOutcome.choices), required=False
    )
    decision_body = forms.CharField(
        label=_("Court"),
        max_length=200,
        required=False,
        help_text=_("For a court decision: the name of the court."),
    )
    decision_reference = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_past_date],
    )

    def __init__(self, *args: Any, gatekeeper: Gatekeeper | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commission = gatekeeper.label() if gatekeeper is not None else DecisionBy.GATEKEEPER.label
        field = self.fields["decision_by"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "—"),
            (DecisionBy.GATEKEEPER.value, commission),
            (DecisionBy.COURT.value, DecisionBy.COURT.label),
        ]
        if gatekeeper is not None:
            help_text = (
                gettext("%(body)s: %(law)s.")
                % {"body": commission, "law": gatekeeper.legal_reference}
                if gatekeeper.legal_reference
                else ""
            )
            if not gatekeeper.verified:
                help_text = " ".join(
                    filter(None, [help_text, gettext("Not verified by a lawyer.")])
                )
            field.help_text = help_text


class PlacementStartForm(_DecisionFields):
    form = forms.ChoiceField(label=_("Form of care"), choices=BLANK + list(PlacementForm.choices))
    emergency = forms.BooleanField(
        label=_("Emergency placement"),
        required=False,
        help_text=_(
            "A planned placement needs the decision of the gatekeeping commission or of a court."
        ),
    )
    national_type = forms.CharField(
        label=_("National type"),
        max_length=200,
        required=False,
        help_text=_("The name of this form of care in the country's law."),
    )
    carer_name = forms.CharField(
        label=_("Carer"),
        max_length=200,
        required=False,
        help_text=_("Name the carer, choose the facility, or both."),
    )
    facility = FacilityChoiceField(
        label=_("Facility"),
        queryset=ServicePoint.objects.none(),
        required=False,
        empty_label="—",
    )
    started_at = _when(_("Started at"))

    field_order = [
        "form",
        "emergency",
        "decision_by",
        "decision_outcome",
        "decision_body",
        "decision_reference",
        "decision_date",
        "national_type",
        "carer_name",
        "facility",
        "started_at",
    ]

    def __init__(
        self, *args: Any, facilities: QuerySet[ServicePoint] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facility"]
        assert isinstance(field, forms.ModelChoiceField)
        if facilities is not None:
            field.queryset = facilities


class PlacementEndForm(_Uncut):
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"), choices=BLANK + list(PlacementEnd.choices)
    )
    ended_at = _when(_("Ended at"))
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service's own words for the limit, in the reader's language.
        self.fields["note"].help_text = gettext("At most %(limit)s characters.") % {
            "limit": NOTE_LIMIT
        }


class PlacementDecisionForm(_DecisionFields):
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)


def placement_decision_form(
    placement: Placement, gatekeeper: Gatekeeper | None, data: Any = None
) -> PlacementDecisionForm:
    return PlacementDecisionForm(
        data,
        gatekeeper=gatekeeper,
        initial={"version": placement.version},
        auto_id=f"id_decision-{placement.pk}-%s",
    )


class PlacementReviewForm(_Uncut):
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=BLANK + list(ReviewOutcome.choices))
    note = forms.CharField(
        label=_("What the review found"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"),
        choices=BLANK + list(PlacementEnd.choices),
        required=False,
        help_text=_("Only when the review ends the placement."),
    )
    reviewed_at = _when(_("Reviewed at"))


def placement_review_form(placement: Placement, data: Any = None) -> PlacementReviewForm:
    return PlacementReviewForm(
        data, initial={"version": placement.version}, auto_id=f"id_review-{placement.pk}-%s"
    )


def placement_end_form(placement: Placement, data: Any = None) -> PlacementEndForm:
    """The form ending this placement, with ids of its own: the case page holds one per active
    placement."""
    return PlacementEndForm(
        data, initial={"version": placement.version}, auto_id=f"id_end-{placement.pk}-%s"
    )


class InstitutionChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Change"), choices=InstitutionChangeKind.choices)
    decision_reference = forms.CharField(label=_("Decision reference"), max_length=100)
    decided_on = forms.DateField(
        label=_("Decision date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_past_date],
    )
    effective_on = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_record_date],
    )
    successors = forms.ModelMultipleChoiceField(
        label=_("Services that replace it"),
        queryset=ServicePoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, successors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if successors is not None:
            self.fields["successors"].queryset = successors  # type: ignore[attr-defined]
