"""The register of case steps. A step is declared once (steps/definitions.py): its fields, the
service it calls, its labels and its API address; its permission is its place in the case's
workflow (pack data read by `cases.pipeline`, by the step's code). The page form and the API input serializer
are built from that declaration on first use, so a new step is added in one place."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ocrotire.cases.forms import StepForm
from ocrotire.cases.steps.fields import Field, VersionField

if TYPE_CHECKING:
    from ocrotire.accounts.models import User
    from ocrotire.cases.models import Case

# How a step calls its service: the actor, the case, the version the actor read, and the
# step's values by the service's argument names.
Perform = Callable[["User", "Case", int, dict[str, Any]], "Case"]


@dataclass(frozen=True)
class Api:
    """Where a step is taken in the API: POST /api/v1/cases/<id>/<path>/. Steps that share one
    address (the two assessments) share one `Api` and the same API fields."""

    path: str
    input: str  # the input serializer's name, and so its OpenAPI component
    name: str = ""  # the URL's name after "case-"; by default the path with "-" for "/"
    order: tuple[str, ...] = ()  # the API's order of the fields, when it is not the page's
    url_values: Mapping[str, str] = field(default_factory=dict)  # URL keyword → value name
    may_leave: bool = False  # the step may take the case out of the reader's area

    @property
    def url_name(self) -> str:
        return f"case-{self.name or self.path.replace('/', '-')}"


@dataclass(frozen=True)
class Step:
    """One step of a case. `code` is the page's address (/cases/<id>/steps/<code>/), the key of
    the stage pipeline that permits it, and the name of its button."""

    code: str
    title: Any
    done: Any  # what the page says once the step is recorded
    fields: tuple[Field, ...]
    perform: Perform
    api: Api | None = None
    page_values: Mapping[str, Any] = field(default_factory=dict)  # what the page's step fixes
    button: bool = True  # offered as a button on the case page (else elsewhere on the page)
    offered: Callable[[Case], bool] | None = None  # only when there is something to act on
    # Rules of the page's form across fields: the field's name → the message.
    page_check: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    template: str = "cases/step_form.html"
    # The timeline events the step records: a deadline rule met by one of them (its
    # `completed_by`, or a milestone they meet) is met by taking this step.
    fires: tuple[str, ...] = ()
    # The page's values that make the step record one of its events (event → field → value):
    # the case page opens the step with them chosen when that event meets the next deadline.
    presets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The group of the case page's actions it is offered in (`GROUPS`).
    group: str = "records"

    def page_fields(self) -> list[Field]:
        return [f for f in self.fields if f.on_page]

    def api_fields(self) -> list[Field]:
        present = [f for f in self.fields if f.on_api]
        if self.api is None or not self.api.order:
            return present
        by_name = {f.name: f for f in present}
        if sorted(by_name) != sorted(self.api.order):
            raise ImproperlyConfigured(f"The API order of step {self.code} names other fields.")
        return [by_name[name] for name in self.api.order]

    def preset_names(self) -> set[str]:
        return {name for values in self.presets.values() for name in values}

    def is_offered(self, case: Case) -> bool:
        return self.offered is None or self.offered(case)

    def form(self, *args: Any, case: Case, **kwargs: Any) -> StepForm:
        """The page's form of the step for this case."""
        return page_form(self)(*args, case=case, **kwargs)

    def take_from_page(
        self, actor: User, case: Case, version: int, cleaned: Mapping[str, Any]
    ) -> Case:
        """Take the step with what the page's form cleaned (a value that names nobody raises
        Django's ValidationError on its field)."""
        values = dict(self.page_values)
        for each in self.page_fields():
            values[each.name] = each.page_value(cleaned)
        return self.perform(actor, case, version, values)

    def take_from_api(
        self,
        actor: User,
        case: Case,
        version: int,
        validated: Mapping[str, Any],
        url_kwargs: Mapping[str, Any],
    ) -> Case:
        """Take the step with what the API's serializer validated; an optional field left out
        gets its empty value, a number that names no record answers 400 on its field."""
        values: dict[str, Any] = {}
        for each in self.api_fields():
            values[each.name] = (
                each.from_api(validated[each.name]) if each.name in validated else each.empty()
            )
        if self.api is not None:
            for keyword, name in self.api.url_values.items():
                values[name] = url_kwargs[keyword]
        return self.perform(actor, case, version, values)


# The groups of the case page's other actions, in the page's order: code → heading.
GROUPS: dict[str, Any] = {
    "protection": _("Urgent protection"),
    "records": _("Assessments, plans and records"),
    "team": _("Team, case manager and transfer"),
    "closure": _("Closure"),
}

_STEPS: dict[str, Step] = {}
_FORMS: dict[str, type[StepForm]] = {}
_INPUTS: dict[str, tuple[Step, type[serializers.Serializer[Any]]]] = {}


def register(*steps: Step) -> None:
    for step in steps:
        if step.code in _STEPS:
            raise ImproperlyConfigured(f"The case step {step.code} is registered twice.")
        if step.group not in GROUPS:
            raise ImproperlyConfigured(f"The case step {step.code} names no group of the page.")
        _STEPS[step.code] = step


def step_get(code: str) -> Step | None:
    return _STEPS.get(code)


def steps_all() -> list[Step]:
    """Every step, in the order they were registered (the order of the case page's buttons)."""
    return list(_STEPS.values())


def step_extend(code: str, *fields: Field, before: str | None = None) -> None:
    """Add fields to a step from another app (from its `AppConfig.ready()`, before any page or
    API has used the step): their values reach the step's service by their names."""
    step = _STEPS[code]
    if code in _FORMS or (step.api is not None and step.api.input in _INPUTS):
        raise ImproperlyConfigured(f"The case step {code} is already in use: extend it earlier.")
    names = [f.name for f in step.fields]
    at = names.index(before) if before is not None else len(names)
    _STEPS[code] = replace(step, fields=(*step.fields[:at], *fields, *step.fields[at:]))


class _StepPageForm(StepForm):
    """A step's page form: its fields' choices filled for the case, its cross-field rules."""

    step_fields: tuple[Field, ...] = ()
    check: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        if case is None:
            return
        order = ["version"]
        for each in self.step_fields:
            if each.per_case:
                offered = each.case_form_fields(case)
                self.fields.update(offered)
                order.extend(offered)
            else:
                each.bind(self.fields[each.form_name], case)
                order.append(each.form_name)
        self.order_fields(order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check = type(self).check
        if check is not None:
            for name, message in check(data).items():
                self.add_error(name, message)
        return data


def page_form(step: Step) -> type[StepForm]:
    """The page form of a step: the case version the user read, then its page fields."""
    built = _FORMS.get(step.code)
    if built is None:
        fields = tuple(step.page_fields())
        attrs: dict[str, Any] = {f.form_name: f.form_field() for f in fields if not f.per_case}
        attrs["step_fields"] = fields
        attrs["check"] = staticmethod(step.page_check) if step.page_check else None
        attrs["__module__"] = __name__
        name = "".join(part.title() for part in step.code.split("_")) + "Form"
        built = _FORMS[step.code] = type(name, (_StepPageForm,), attrs)
    return built


def api_input(step: Step) -> type[serializers.Serializer[Any]]:
    """The API input serializer of a step: the version read, then its API fields. Steps that
    share an input (one name, one OpenAPI component) must declare the same API fields."""
    assert step.api is not None
    known = _INPUTS.get(step.api.input)
    if known is not None:
        first, built = known
        if [(f.name, type(f)) for f in first.api_fields()] != [
            (f.name, type(f)) for f in step.api_fields()
        ]:
            raise ImproperlyConfigured(
                f"The steps {first.code} and {step.code} share the API input {step.api.input} "
                "with other fields."
            )
        return built
    attrs: dict[str, Any] = {"version": VersionField()}
    for each in step.api_fields():
        attrs[each.name] = each.api_field()
    attrs["__module__"] = __name__
    built = type(step.api.input, (serializers.Serializer,), attrs)
    _INPUTS[step.api.input] = (step, built)
    return built
