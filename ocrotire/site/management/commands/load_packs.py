"""Load or refresh every country pack (or the ones named): territory, concern categories,
deadline rules, service catalogues, forms and case workflows; safe to repeat."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocrotire.geo.services import available_packs
from ocrotire.site.packs import packs_load


class Command(BaseCommand):
    help = (
        "Load the administrative units, concern categories, deadline rules and service catalogues "
        "and case workflows of the country packs (MD, UA, RO, KG)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("countries", nargs="*", help="ISO codes; all packs when none is given")

    def handle(self, *args: Any, **options: Any) -> None:
        for country in options["countries"] or available_packs():
            code = country.upper()
            try:
                loaded = packs_load(country=code)
            except ValidationError as exc:
                raise CommandError(f"{code}: " + " ".join(exc.messages)) from exc
            assert loaded.units is not None
            self.stdout.write(
                f"{code}: {loaded.units.created} created, {loaded.units.updated} updated, "
                f"{loaded.units.unchanged} unchanged; {loaded.concerns} concern categories "
                f"created; {loaded.rules} deadline rules written; {loaded.catalogue} services "
                f"written; {loaded.workflow} workflow versions added"
            )
