"""The children named in a new report, resolved in one place for the intake page and the API: a
registry record named by its number (only by those who keep the register, and only within their
area), or a new child, who needs at least a given name or a family name. Both refuse the same
children with the same sentences; the service then matches or creates the new ones."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.intake.permissions import keeps_register
from ocrotire.intake.services import ChildInput
from ocrotire.registry.models import Person
from ocrotire.registry.selectors import person_scope
from ocrotire.registry.services import PersonInput


@dataclass(frozen=True)
class NamedChild:
    """One child as the filer named them: a registry record's number, or the facts of a new
    child as the page or the API gave them."""

    person: int | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


def children_resolve(
    *,
    user: User,
    named: Sequence[NamedChild | None],
    build: Callable[[dict[str, Any]], PersonInput],
) -> tuple[list[ChildInput], list[str]]:
    """The children for `report_create` and what is wrong with the others, one sentence per
    child, numbered from 1 in the order given. `None` is a row the page's filer left blank:
    counted, so that the numbers are the rows', but not a child. `build` turns a new child's
    facts into the registry's input (it may refuse them with its own ValidationError); after a
    refused child, later new children are checked but not built, so the first refusal stands."""
    ids = [child.person for child in named if child is not None and child.person is not None]
    visible = person_scope(user) if keeps_register(user) else Person.objects.none()
    found = visible.in_bulk(ids) if ids else {}
    children: list[ChildInput] = []
    errors: list[str] = []
    for index, child in enumerate(named, start=1):
        if child is None:
            continue
        if child.person is not None:
            person = found.get(child.person)
            if person is None:
                errors.append(
                    _("Child %(index)s: there is no such person in your area.") % {"index": index}
                )
            else:
                children.append(ChildInput(person=person))
            continue
        if not (child.facts.get("given_name") or child.facts.get("family_name")):
            errors.append(
                _("Child %(index)s: give at least a given name or a family name.")
                % {"index": index}
            )
            continue
        if not errors:
            children.append(ChildInput(new=build(dict(child.facts))))
    return children, errors
