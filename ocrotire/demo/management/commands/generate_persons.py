"""Fill the registry with synthetic persons (names, identifiers, name keys) for benchmarks and training.

The persons come from `ocrotire.demo.synthetic.persons`: realistic names for one country, a
share of duplicates with the variations the registry must catch, twins, valid national
identifiers, and a ground-truth entity per record (written with `--truth` to measure recall).

The write path is built for a million rows in a few minutes, and so bypasses `person_create`:

* PostgreSQL: person ids are reserved from the table's sequence, then persons, name keys,
  identifiers (and households) are streamed with `COPY ... FROM STDIN`, one batch at a time, in
  one transaction; ANALYZE runs at the end so that the planner knows the new tables.
* Other databases: `bulk_create` in batches, in one transaction.

Each person gets the same NameKey rows `services.name_keys_refresh` would write (the keys of the
given name, family name and other names, cut to 80 characters, with the birth year) and its
identifiers already in canonical form; its responsible unit is its address unit.

One audit row for the whole run, not one per person. The audit chain serialises appends (each
row takes the chain lock and hashes the previous row), so a million per-person rows would be a
million serialised round trips, several times the cost of the data itself; and they would
bury the real trail of the database under machine-made rows about people who do not exist.
The generator is deterministic, so the single row (count, seed, country, duplicate share) is
enough to know, and to reproduce, exactly what was written. The command refuses to run when
settings.PRODUCTION is true: synthetic persons have no place in a live registry.
"""

from __future__ import annotations

import csv
import time
from contextlib import nullcontext
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import connection, models, transaction

from ocrotire.core.audit import audit_record
from ocrotire.core.bulk import BulkTable, CopyWriter
from ocrotire.core.bulk import batched as _batched
from ocrotire.core.models import AuditAction
from ocrotire.demo.synthetic.persons import COUNTRIES, SyntheticPerson, leaf_units, persons
from ocrotire.registry.models import (
    Household,
    HouseholdMember,
    NameKey,
    Person,
    PersonIdentifier,
)
from ocrotire.registry.names import KEY_MAX_LENGTH, name_keys


def person_name_keys(given_name: str, family_name: str, other_names: str = "") -> list[str]:
    """The NameKey values of a person, as `services.name_keys_refresh` computes them."""
    keys = name_keys(given_name) | name_keys(family_name) | name_keys(other_names)
    return sorted({key[:KEY_MAX_LENGTH] for key in keys})


# -- PostgreSQL COPY ---------------------------------------------------------------------------


def _reserve_ids(cursor: Any, model: type[models.Model], count: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [model._meta.db_table, model._meta.pk.column, count],
    )
    return [row[0] for row in cursor.fetchall()]


class _Writer:
    def __init__(self, units: dict[str, int], country: str, households: bool) -> None:
        self.units = units
        self.country = country
        self.households = households
        self.keys_written = 0
        self.identifiers_written = 0
        self.households_written = 0
        # Members of a family are consecutive in the stream (duplicates aside).
        self.current_family: tuple[int, int] | None = None

    def write(self, batch: list[SyntheticPerson]) -> list[int]:
        raise NotImplementedError

    def close(self) -> None:
        """Everything written, before the commit."""

    def finish(self) -> None:
        """After the commit."""


class _PostgresWriter(_Writer):
    """COPY, every `size` rows of a table; through `background` (a CopyWriter) when given, so
    the next persons are made while PostgreSQL takes the last."""

    def __init__(
        self,
        units: dict[str, int],
        country: str,
        households: bool,
        size: int,
        background: CopyWriter | None,
    ) -> None:
        super().__init__(units, country, households)

        def table(model: type[models.Model], given: tuple[str, ...]) -> BulkTable:
            return BulkTable(model, given, size=size, writer=background)

        self.persons = table(
            Person,
            (
                "id",
                "given_name",
                "family_name",
                "patronymic",
                "sex",
                "birth_date",
                "birth_date_precision",
                "birth_date_estimated",
                "birth_year",
                "citizenship",
                "unit",
                "scope_unit",
            ),
        )
        self.keys = table(NameKey, ("person", "key", "birth_year"))
        self.identifiers = table(PersonIdentifier, ("person", "scheme", "value"))
        self.household_rows = table(Household, ("id", "name", "unit", "scope_unit"))
        self.members = table(HouseholdMember, ("household", "person", "role"))

    def write(self, batch: list[SyntheticPerson]) -> list[int]:
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            ids = _reserve_ids(cursor, Person, len(batch))
            new_families = [
                r["household"]
                for r in batch
                if self.households
                and r["household"] is not None
                and (self.current_family is None or r["household"] != self.current_family[0])
            ]
            household_ids = iter(
                _reserve_ids(cursor, Household, len(set(new_families))) if new_families else []
            )
            for person_id, record in zip(ids, batch, strict=True):
                unit = self.units[record["unit_code"]]
                born = record["birth_date"]
                year = born.year
                self.persons.add(
                    person_id,
                    record["given_name"],
                    record["family_name"],
                    record["patronymic"],
                    record["sex"],
                    born,
                    record["birth_date_precision"],
                    record["birth_date_estimated"],
                    year,
                    self.country,
                    unit,
                    unit,
                )
                for key in person_name_keys(record["given_name"], record["family_name"]):
                    self.keys.add(person_id, key, year)
                for scheme, value in record["identifiers"]:
                    self.identifiers.add(person_id, scheme, value)
                number = record["household"]
                if self.households and number is not None:
                    if self.current_family is None or self.current_family[0] != number:
                        self.current_family = (number, next(household_ids))
                        self.household_rows.add(
                            self.current_family[1], record["family_name"], unit, unit
                        )
                    self.members.add(self.current_family[1], person_id, record["household_role"])
        return ids

    def close(self) -> None:
        for table in (
            self.persons,
            self.keys,
            self.identifiers,
            self.household_rows,
            self.members,
        ):
            table.close()
        self.keys_written = self.keys.written
        self.identifiers_written = self.identifiers.written
        self.households_written = self.household_rows.written

    def finish(self) -> None:
        tables = [Person, NameKey, PersonIdentifier]
        if self.households:
            tables += [Household, HouseholdMember]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(quote(m._meta.db_table) for m in tables))


class _OrmWriter(_Writer):
    def __init__(self, units: dict[str, int], country: str, households: bool, size: int) -> None:
        super().__init__(units, country, households)
        self.size = size

    def write(self, batch: list[SyntheticPerson]) -> list[int]:
        people = [
            Person(
                given_name=r["given_name"],
                family_name=r["family_name"],
                patronymic=r["patronymic"],
                sex=r["sex"],
                birth_date=r["birth_date"],
                birth_date_precision=r["birth_date_precision"],
                birth_date_estimated=r["birth_date_estimated"],
                birth_year=r["birth_date"].year,
                citizenship=self.country,
                unit_id=self.units[r["unit_code"]],
                scope_unit_id=self.units[r["unit_code"]],
            )
            for r in batch
        ]
        Person.objects.bulk_create(people, batch_size=self.size)
        keys = [
            NameKey(person_id=p.pk, key=key, birth_year=p.birth_year)
            for p in people
            for key in person_name_keys(p.given_name, p.family_name)
        ]
        NameKey.objects.bulk_create(keys, batch_size=self.size)
        identifiers = [
            PersonIdentifier(person_id=p.pk, scheme=scheme, value=value)
            for p, r in zip(people, batch, strict=True)
            for scheme, value in r["identifiers"]
        ]
        PersonIdentifier.objects.bulk_create(identifiers, batch_size=self.size)
        self.keys_written += len(keys)
        self.identifiers_written += len(identifiers)
        if self.households:
            self._households(people, batch)
        return [p.pk for p in people]

    def _households(self, people: list[Person], batch: list[SyntheticPerson]) -> None:
        members = []
        for person, record in zip(people, batch, strict=True):
            number = record["household"]
            if number is None:
                continue
            if self.current_family is None or self.current_family[0] != number:
                household = Household.objects.create(
                    name=record["family_name"],
                    unit_id=person.unit_id,
                    scope_unit_id=person.scope_unit_id,
                )
                self.current_family = (number, household.pk)
                self.households_written += 1
            members.append(
                HouseholdMember(
                    household_id=self.current_family[1],
                    person_id=person.pk,
                    role=record["household_role"],
                )
            )
        HouseholdMember.objects.bulk_create(members, batch_size=self.size)


class _Progress:
    """A one-line progress bar on stderr (a line per tenth when stderr is not a terminal)."""

    def __init__(self, out: OutputWrapper, total: int, *, enabled: bool) -> None:
        self.out = out
        self.total = max(total, 1)
        self.enabled = enabled
        self.done = 0
        self.started = time.perf_counter()
        self.shown = 0.0
        self.tty = out.isatty()
        self.next_tenth = 0.1

    def update(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.perf_counter()
        fraction = self.done / self.total
        if self.tty:
            if now - self.shown < 0.25 and self.done < self.total:
                return
        elif fraction < self.next_tenth and self.done < self.total:
            return
        self.shown = now
        self.next_tenth = (int(fraction * 10) + 1) / 10
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        remaining = (self.total - self.done) / rate if rate else 0.0
        bar = "#" * int(fraction * 30)
        line = (
            f"[{bar:<30}] {self.done:>{len(str(self.total))}}/{self.total} persons "
            f"{fraction:6.1%}  {rate:,.0f}/s  ETA {remaining:5.0f} s"
        )
        if self.tty:
            self.out.write("\r" + line, ending="")
            self.out.flush()
        else:
            self.out.write(line)

    def close(self) -> None:
        if self.enabled and self.tty:
            self.out.write("")


class Command(BaseCommand):
    help = (
        "Generate synthetic persons with name keys, identifiers and a ground truth, for "
        "benchmarks and for training de-duplication (never on production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="number of person records")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--country", default="MD", choices=[*COUNTRIES, *map(str.lower, COUNTRIES)]
        )
        parser.add_argument(
            "--duplicates", type=float, default=0.1, help="share of records that repeat a person"
        )
        parser.add_argument("--twins", type=float, default=0.01, help="share of twin records")
        parser.add_argument("--batch", type=int, default=5000, help="rows per write")
        parser.add_argument(
            "--truth", type=Path, help="CSV to write person id → entity (ground truth) to"
        )
        parser.add_argument(
            "--households", action="store_true", help="also create one household per family"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "Refusing to generate synthetic persons on a production configuration."
            )
        count: int = options["count"]
        seed: int = options["seed"]
        country: str = options["country"].upper()
        duplicates: float = options["duplicates"]
        size: int = options["batch"]
        if count < 1 or size < 1:
            raise CommandError("--count and --batch must be positive.")
        units = leaf_units(country)
        if not units:
            raise CommandError(
                f"No units for {country}: load them first (manage.py load_packs {country})."
            )
        records = persons(
            count,
            units=list(units),
            seed=seed,
            country=country,
            duplicates=duplicates,
            twins=options["twins"],
        )
        progress = _Progress(self.stderr, count, enabled=options["verbosity"] > 0)
        truth_file: IO[str] | None = None
        kinds = {"original": 0, "duplicate": 0, "twin": 0}
        started = time.perf_counter()
        try:
            if options["truth"] is not None:
                options["truth"].parent.mkdir(parents=True, exist_ok=True)
                truth_file = options["truth"].open("w", newline="", encoding="utf-8")
            truth = csv.writer(truth_file) if truth_file is not None else None
            if truth is not None:
                truth.writerow(["person_id", "entity", "kind", "twin_of", "variations"])
            postgres = connection.vendor == "postgresql"
            with transaction.atomic(), CopyWriter() if postgres else nullcontext() as background:
                writer: _Writer
                if postgres:
                    writer = _PostgresWriter(
                        units, country, options["households"], size, background
                    )
                else:
                    writer = _OrmWriter(units, country, options["households"], size)
                for batch in _batched(records, size):
                    ids = writer.write(batch)
                    for person_id, record in zip(ids, batch, strict=True):
                        kinds[record["kind"]] += 1
                        if truth is not None:
                            truth.writerow(
                                [
                                    person_id,
                                    record["entity"],
                                    record["kind"],
                                    "" if record["twin_of"] is None else record["twin_of"],
                                    "+".join(record["variations"]),
                                ]
                            )
                    progress.update(len(batch))
                writer.close()
                audit_record(
                    actor=None,
                    action=AuditAction.CREATE,
                    object_type="registry.person",
                    object_repr=f"{count} synthetic persons ({country})",
                    changes={
                        "generated": count,
                        "seed": seed,
                        "country": country,
                        "duplicates": duplicates,
                        "twins": options["twins"],
                    },
                )
        finally:
            progress.close()
            if truth_file is not None:
                truth_file.close()
        writer.finish()
        seconds = time.perf_counter() - started
        households = f", {writer.households_written} households" if options["households"] else ""
        self.stdout.write(
            f"Generated {count} persons ({kinds['duplicate']} duplicates, {kinds['twin']} twins), "
            f"{writer.keys_written} name keys, {writer.identifiers_written} identifiers"
            f"{households} in {seconds:.1f} s ({count / seconds:,.0f} persons/s)."
        )
