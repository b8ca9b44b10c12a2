"""The kinds of input a case step is made of. Each field is declared once and knows its page form
field, its API serializer field and the value it hands to the step's service from either, so the
page and the API of a step read one declaration. Where the two surfaces differ (the page picks a
unit from a list, the API names its code), the difference is written here, beside the field.

A field's `name` is the service's argument; the API uses the same name, and `page_name` says when
the page's form calls it otherwise (the decision's "decision" radio is the API's `approve`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError

from ocrotire.core.bounds import MomentField, validate_past_moment, validate_record_date
from ocrotire.dataforms.selectors import form_version_current
from ocrotire.dataforms.spec import answers_from_page, form_fields

MAX_ID = 2**63 - 1
BLANK = [("", "—")]
DECISION = _("Decision")


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


# The API field has no default: a value left out is absent, and the step gets the field's `empty`.
NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True)
class Field:
    """What every field has. `on_page` / `on_api` leave a field out of one surface."""

    name: str
    label: Any = ""
    _: KW_ONLY
    required: bool = True
    help_text: Any = ""
    page_name: str = ""
    on_page: bool = True
    on_api: bool = True
    # The API's own wording and requirement, when they are not the page's.
    api_required: bool | None = None
    api_help: str = ""
    # The page's fields of this one are known only for a case (`case_form_fields`).
    per_case: ClassVar[bool] = False

    @property
    def form_name(self) -> str:
        return self.page_name or self.name

    @property
    def api_requires(self) -> bool:
        return self.required if self.api_required is None else self.api_required

    def form_field(self) -> forms.Field:
        raise NotImplementedError

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        raise NotImplementedError

    def bind(self, form_field: forms.Field, case: Any) -> None:
        """Fill the page's choices for this case (the removals, the units, the managers...)."""

    def empty(self) -> Any:
        """The value the step gets when the API leaves an optional field out."""
        return ""

    def case_form_fields(self, case: Any) -> dict[str, forms.Field]:
        """The page's fields of a `per_case` field, for this case, by their names."""
        return {}

    def page_value(self, cleaned: Mapping[str, Any]) -> Any:
        """The value the step gets from what the page's form cleaned."""
        return self.from_page(cleaned[self.form_name])

    def from_page(self, value: Any) -> Any:
        return value

    def from_api(self, value: Any) -> Any:
        return value

    def _api_help(self) -> dict[str, Any]:
        return {"help_text": self.api_help} if self.api_help else {}


def _textarea(rows: int | None) -> dict[str, Any]:
    return {"widget": forms.Textarea(attrs={"rows": rows})} if rows else {}


@dataclass(frozen=True, kw_only=True)
class Text(Field):
    """Words: a line, or a box of `rows` lines on the page. An optional text defaults to ""
    in the API unless `api_default` says otherwise."""

    max_length: int
    rows: int | None = None
    api_default: Any = ""

    def form_field(self) -> forms.Field:
        extra = {"help_text": self.help_text} if self.help_text else {}
        return forms.CharField(
            label=self.label,
            max_length=self.max_length,
            required=self.required,
            **_textarea(self.rows),
            **extra,
        )

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        if self.api_requires:
            return serializers.CharField(max_length=self.max_length, **self._api_help())
        default = {} if self.api_default is NO_DEFAULT else {"default": self.api_default}
        return serializers.CharField(
            max_length=self.max_length,
            required=False,
            allow_blank=True,
            **default,
            **self._api_help(),
        )


@dataclass(frozen=True, kw_only=True)
class Choice(Field):
    """One of a list. `blank` offers "—" on the page (and accepts "" in the API); `api_choices`
    when the API names the values otherwise than the page labels them."""

    choices: Any
    blank: bool = False
    radio: bool = False
    api_choices: Any = None

    def form_field(self) -> forms.Field:
        extra: dict[str, Any] = {"help_text": self.help_text} if self.help_text else {}
        if not self.required:
            extra["required"] = False
        if self.radio:
            extra["widget"] = forms.RadioSelect
        choices = BLANK + list(self.choices) if self.blank else self.choices
        return forms.ChoiceField(label=self.label, choices=choices, **extra)

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        choices = self.choices if self.api_choices is None else self.api_choices
        if self.api_requires:
            return serializers.ChoiceField(choices=choices, **self._api_help())
        return serializers.ChoiceField(
            choices=choices, required=False, allow_blank=self.blank, **self._api_help()
        )


@dataclass(frozen=True, kw_only=True)
class Flag(Field):
    """Yes or no, "no" when left out."""

    required: bool = False

    def form_field(self) -> forms.Field:
        return forms.BooleanField(label=self.label, required=False)

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.BooleanField(required=False, default=False, **self._api_help())

    def empty(self) -> Any:
        return False


@dataclass(frozen=True, kw_only=True)
class Decision(Field):
    """Approve or send back: two radio buttons on the page, `approve: bool` in the API."""

    name: str = "approve"
    page_name: str = "decision"
    label: Any = DECISION

    def form_field(self) -> forms.Field:
        return forms.ChoiceField(
            label=self.label,
            choices=[("approve", _("Approve")), ("return", _("Refuse and send back"))],
            widget=forms.RadioSelect,
        )

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.BooleanField(**self._api_help())

    def from_page(self, value: Any) -> Any:
        return value == "approve"


@dataclass(frozen=True, kw_only=True)
class Moment(Field):
    """When something happened, now when left empty; never in the future."""

    required: bool = False

    def form_field(self) -> forms.Field:
        return forms.DateTimeField(
            label=self.label,
            required=False,
            help_text=_("Leave empty for now."),
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            validators=[validate_past_moment],
        )

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return MomentField(required=False, validators=[validate_past_moment])

    def empty(self) -> Any:
        return None


@dataclass(frozen=True, kw_only=True)
class Day(Field):
    """A date that may lie ahead (a review due)."""

    required: bool = False

    def form_field(self) -> forms.Field:
        return forms.DateField(
            label=self.label,
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            validators=[validate_record_date],
        )

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.DateField(
            required=False, allow_null=True, validators=[validate_record_date]
        )

    def empty(self) -> Any:
        return None


class _CodesFormField(forms.CharField):
    def __init__(self, *, count: int, length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.count, self.length = count, length

    def clean(self, value: Any) -> list[str]:
        raw = super().clean(value) or ""
        codes = [code.strip() for code in raw.split(",") if code.strip()]
        if len(codes) > self.count or any(len(code) > self.length for code in codes):
            raise ValidationError(_("Give at most 30 codes of at most 60 characters."))
        return codes


@dataclass(frozen=True, kw_only=True)
class Codes(Field):
    """Codes of a catalogue: separated by commas on the page, a list in the API."""

    required: bool = False
    max_length: int = 1000
    count: int = 30
    length: int = 60

    def form_field(self) -> forms.Field:
        return _CodesFormField(
            label=self.label,
            max_length=self.max_length,
            required=False,
            help_text=self.help_text,
            count=self.count,
            length=self.length,
        )

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.ListField(
            child=serializers.CharField(max_length=self.length),
            required=False,
            max_length=self.count,
        )

    def empty(self) -> Any:
        return []


class _RowsFormField(forms.CharField):
    def clean(self, value: Any) -> list[dict[str, str]]:
        rows = []
        for line in (super().clean(value) or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > 3 or any(len(part) > 500 for part in parts):
                raise ValidationError(_("Write each action as: action | responsible | due date."))
            parts += [""] * (3 - len(parts))
            rows.append({"action": parts[0], "responsible": parts[1], "due": parts[2]})
        if len(rows) > 100:
            raise ValidationError(_("A plan has at most 100 actions."))
        return rows


@dataclass(frozen=True, kw_only=True)
class PlanActions(Field):
    """A plan's actions: one line each on the page ("action | responsible | due date"), a list
    of objects in the API."""

    required: bool = False

    def form_field(self) -> forms.Field:
        return _RowsFormField(
            label=self.label,
            max_length=20000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=self.help_text,
        )

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.ListField(
            child=serializers.DictField(
                child=serializers.CharField(max_length=500, allow_blank=True)
            ),
            required=False,
            max_length=100,
            **self._api_help(),
        )

    def empty(self) -> Any:
        return []


@dataclass(frozen=True, kw_only=True)
class Pick(Field):
    """A record: chosen from the case's own list on the page (`options`), named by its number
    (or its `code`) in the API and looked up with `find`, `missing` when there is none."""

    options: Callable[[Any], Any] | None = None
    form_class: type[forms.ModelChoiceField] = forms.ModelChoiceField  # type: ignore[type-arg]
    model: type[Model] | None = None
    label_from: Callable[[Any], str] | None = None
    find: Callable[[Any], Any] | None = None
    missing: Any = ""
    by_code: int = 0  # the API names the record by a code of this length instead of its number

    def form_field(self) -> forms.Field:
        assert self.model is not None
        extra = {"help_text": self.help_text} if self.help_text else {}
        if not self.required:
            extra["required"] = False
        return self.form_class(
            label=self.label, queryset=self.model._default_manager.none(), **extra
        )

    def bind(self, form_field: forms.Field, case: Any) -> None:
        assert isinstance(form_field, forms.ModelChoiceField)
        if self.options is not None:
            form_field.queryset = self.options(case)
        if self.label_from is not None:
            form_field.label_from_instance = self.label_from  # type: ignore[method-assign,assignment]

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        if self.by_code:
            return serializers.CharField(max_length=self.by_code)
        if self.api_requires:
            return serializers.IntegerField(min_value=1, max_value=MAX_ID)
        return serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=MAX_ID
        )

    def empty(self) -> Any:
        return None

    def from_api(self, value: Any) -> Any:
        if value is None:
            return None
        assert self.find is not None
        found = self.find(value)
        if found is None:
            raise ApiValidationError({self.name: [str(self.missing)]})
        return found


@dataclass(frozen=True, kw_only=True)
class PickByName(Pick):
    """A person named by their user name on the page (someone outside the case's lists), by
    their number in the API."""

    max_length: int = 150
    find_by_name: Callable[[str], Any] | None = None
    missing_name: Any = ""

    def form_field(self) -> forms.Field:
        return forms.CharField(
            label=self.label, max_length=self.max_length, help_text=self.help_text
        )

    def bind(self, form_field: forms.Field, case: Any) -> None:
        return None

    def from_page(self, value: Any) -> Any:
        assert self.find_by_name is not None
        found = self.find_by_name(value)
        if found is None:
            raise ValidationError({self.name: str(self.missing_name)})
        return found


@dataclass(frozen=True, kw_only=True)
class Removal(Field):
    """A removal of the case still awaiting its prosecutor notice or court filing: chosen on
    the page; the API names it in the address (`url_values` of the step's API)."""

    removals: Callable[[Any], Any] | None = None
    on_api: bool = False

    def form_field(self) -> forms.Field:
        return forms.TypedChoiceField(label=self.label, coerce=int, choices=[])

    def bind(self, form_field: forms.Field, case: Any) -> None:
        assert isinstance(form_field, forms.TypedChoiceField)
        form_field.choices = [
            (
                action.pk,
                _("Removal of %(when)s")
                % {"when": date_format(localtime(action.decided_at), "SHORT_DATETIME_FORMAT")},
            )
            for action in (self.removals(case) if self.removals else ())
        ]


@dataclass(frozen=True, kw_only=True)
class Offered(Field):
    """Choices other apps offer for the case, each with its own page fields (a referral's
    service point of the provider register): `fields` gives them for a case, `value` reads the
    step's value from the form's cleaned data. Not in the API."""

    fields: Callable[[Any], dict[str, forms.Field]]
    value: Callable[[Mapping[str, Any]], Any]
    required: bool = False
    on_api: bool = False
    per_case: ClassVar[bool] = True

    def case_form_fields(self, case: Any) -> dict[str, forms.Field]:
        return self.fields(case)

    def page_value(self, cleaned: Mapping[str, Any]) -> Any:
        return self.value(cleaned)


class VersionField(serializers.IntegerField):
    """The version of the case the client read, as every step's API input carries it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_value=0,
            max_value=2**31 - 1,
            required=False,
            help_text="The version you read (or send If-Match); a newer one means a conflict (409). "
            "Without it, the step is checked against the stage only.",
            **kwargs,
        )


@dataclass(frozen=True, kw_only=True)
class Answers(Field):
    """The answers of the country's official form of the step (dataforms): its questions on the
    page, named by their addresses (`answers.<section>.<question>`), an object in the API. The
    service checks them against the form's newest version and keeps that version."""

    form_step: str = ""
    required: bool = False
    per_case: ClassVar[bool] = True

    def case_form_fields(self, case: Any) -> dict[str, forms.Field]:
        version = form_version_current(country=case.unit.country, step=self.form_step)
        if version is None:
            return {}
        return form_fields(version.sections, version.definition.verified)

    def page_value(self, cleaned: Mapping[str, Any]) -> Any:
        return answers_from_page(cleaned)

    def api_field(self) -> serializers.Field[Any, Any, Any, Any]:
        return serializers.DictField(
            child=serializers.DictField(),
            required=False,
            help_text=self.api_help,
        )

    def empty(self) -> Any:
        return None
