"""A programme's eligibility rule, kept as data on the programme (or given by a country pack), and
its check against a household.

The rule is a JSON object; each key is one condition and all must hold:

- `children_min` (integer): at least this many children under 18 among the household's members
  (a member whose birth date is unknown is not counted);
- `flags_any` (list of flag codes): the household's latest screening raised at least one of
  them (a household never screened does not qualify).

An empty rule admits every household of the programme's area.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.outreach.models import Screening
from ocrotire.registry.models import Household

CHILD_UNTIL = 18
KEYS = ("children_min", "flags_any")


def rule_errors(rule: Any) -> dict[str, list[str]]:
    """What is wrong with a rule, as field messages of `eligibility` (empty when none)."""
    if not isinstance(rule, dict):
        return {"eligibility": [_("The eligibility rule must be an object of conditions.")]}
    problems: list[str] = []
    unknown = sorted(set(rule) - set(KEYS))
    if unknown:
        problems.append(
            _("Unknown conditions: %(names)s. Known: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(KEYS)}
        )
    minimum = rule.get("children_min")
    if minimum is not None and (
        isinstance(minimum, bool) or not isinstance(minimum, int) or not 0 <= minimum <= 50
    ):
        problems.append(_("children_min must be a whole number from 0 to 50."))
    flags = rule.get("flags_any")
    if flags is not None and (
        not isinstance(flags, list)
        or not flags
        or not all(isinstance(f, str) and 0 < len(f) <= 60 for f in flags)
    ):
        problems.append(_("flags_any must be a list of flag codes."))
    return {"eligibility": problems} if problems else {}


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def children_count(household: Household, today: date) -> int:
    births = household.members.values_list("person__birth_date", flat=True)
    return sum(1 for born in births if born is not None and age_on(born, today) < CHILD_UNTIL)


def latest_flags(household: Household) -> list[str] | None:
    """The flags of the household's latest screening; None when it was never screened."""
    screening = (
        Screening.objects.filter(household=household).order_by("-screened_on", "-id").first()
    )
    if screening is None:
        return None
    return [str(flag) for flag in screening.flags or []]


def reasons_not_eligible(rule: dict[str, Any], household: Household, today: date) -> list[str]:
    """Why the household does not meet the rule, one sentence per condition it fails."""
    reasons: list[str] = []
    minimum = rule.get("children_min")
    if minimum:
        count = children_count(household, today)
        if count < minimum:
            reasons.append(
                _(
                    "Children under 18 in the household: %(count)s. The programme asks for at "
                    "least %(minimum)s."
                )
                % {"count": count, "minimum": minimum}
            )
    wanted = rule.get("flags_any")
    if wanted:
        flags = latest_flags(household)
        if flags is None:
            reasons.append(
                _("The household has not been screened; the programme asks for a screening.")
            )
        elif not set(flags) & set(wanted):
            reasons.append(
                _(
                    "The household's latest screening shows none of the difficulties the "
                    "programme is for."
                )
            )
    return reasons


def rule_sentences(rule: dict[str, Any]) -> list[str]:
    """The rule in words, for the programme's page."""
    sentences: list[str] = []
    minimum = rule.get("children_min")
    if minimum:
        sentences.append(
            _("Children under 18 in the household: at least %(minimum)s.") % {"minimum": minimum}
        )
    if rule.get("flags_any"):
        sentences.append(
            _(
                "The household's latest screening shows at least one of the difficulties the "
                "programme is for."
            )
        )
    if not sentences:
        sentences.append(_("Every household of the programme's area."))
    return sentences
