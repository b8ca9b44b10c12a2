"""The generator's first steps: persons and households (through `generate_persons`), then the
staff of each leaf unit, who file, triage and manage the reports and cases simulated next."""

from __future__ import annotations

import math
import time
from datetime import timedelta

from django.core.management import call_command

from ocrotire.accounts.models import Role, RoleCode, User
from ocrotire.accounts.services import roles_ensure
from ocrotire.demo.synthetic.generation import Generation, generator_step
from ocrotire.demo.synthetic.persons import leaf_units
from ocrotire.registry.models import Household, HouseholdMember, NameKey, Person, PersonIdentifier


@generator_step("persons", order=10)
def _persons(generation: Generation) -> None:
    scale = generation.scale
    before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.perf_counter()
    call_command(
        "generate_persons",
        count=scale.persons,
        seed=scale.seed,
        country=scale.country,
        households=True,
        batch=scale.batch,
        verbosity=1 if generation.progress else 0,
        stdout=generation.stream,
        stderr=generation.stream,
    )
    generation.extra_counts["registry_person"] = (scale.persons, time.perf_counter() - started)
    # Written by generate_persons, vacuumed and analysed with the rest at the end.
    generation.analyzed += [Person, NameKey, PersonIdentifier, Household, HouseholdMember]
    # The children who can be the subject of a report during the years simulated.
    start = scale.until - timedelta(days=round(365.25 * (scale.years + 18)))
    rows = sorted(
        Person.objects.filter(pk__gt=before, birth_date__gte=start)
        .values_list("birth_date", "pk", "unit_id")
        .iterator(chunk_size=20000)
    )
    generation.shared["children"] = (
        [born.toordinal() for born, _pk, _unit in rows if born is not None],
        [pk for born, pk, _unit in rows if born is not None],
        [unit for born, _pk, unit in rows if born is not None],
    )


@generator_step("staff", order=20)
def _staff(generation: Generation) -> None:
    """Specialists and a supervisor per leaf unit, created once (a rerun reuses them)."""
    scale = generation.scale
    units = leaf_units(scale.country)
    if not units:
        raise ValueError(scale.country)
    roles_ensure()
    per_unit = max(2, min(40, math.ceil(scale.cases / len(units) / 150)))
    wanted: list[tuple[str, str, int]] = []
    for code, unit_id in units.items():
        for n in range(per_unit):
            wanted.append((f"gen-{code.lower()}-s{n + 1}", RoleCode.SPECIALIST, unit_id))
        wanted.append((f"gen-{code.lower()}-head", RoleCode.SUPERVISOR, unit_id))
    existing = set(
        User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True)
    )
    new = [w for w in wanted if w[0] not in existing]
    if new:
        users = User.objects.bulk_create(
            [
                User(
                    username=name,
                    password="!",  # noqa: S106 (an unusable password: these accounts never sign in)
                    first_name=name.split("-")[-1].upper(),
                    last_name=name.split("-")[1].upper(),
                    language="ro",
                )
                for name, _role, _unit in new
            ]
        )
        if not all(u.pk for u in users):
            users = list(User.objects.filter(username__in=[w[0] for w in new]).order_by("pk"))
        by_name = {u.username: u.pk for u in users}
        roles = dict(Role.objects.values_list("code", "pk"))
        User.roles.through.objects.bulk_create(
            [User.roles.through(user_id=by_name[n], role_id=roles[r]) for n, r, _u in new]
        )
        User.units.through.objects.bulk_create(
            [User.units.through(user_id=by_name[n], unit_id=u) for n, _r, u in new]
        )
    ids = dict(
        User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", "pk")
    )
    specialists: dict[int, list[int]] = {}
    supervisors: dict[int, int] = {}
    for name, role, unit_id in wanted:
        if role == RoleCode.SPECIALIST:
            specialists.setdefault(unit_id, []).append(ids[name])
        else:
            supervisors[unit_id] = ids[name]
    generation.shared["specialists"] = specialists
    generation.shared["supervisors"] = supervisors
    generation.extra_counts["accounts_user"] = (len(new), 0.0)
