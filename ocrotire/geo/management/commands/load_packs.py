"""Load or refresh every country pack (or the ones named): territory, concern categories,
deadline rules and service catalogues; safe to repeat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ocrotire.geo.services import available_packs, pack_load
from ocrotire.intake.services import concerns_load
from ocrotire.providers.services import catalogue_load
from ocrotire.workflow.deadlines import rules_load


class Command(BaseCommand):
    help = (
        "Load the administrative units, concern categories, deadline rules and service catalogues "
        "of the country packs (MD, UA, RO, KG)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("countries", nargs="*", help="ISO codes; all packs when none is given")

    def handle(self, *args: Any, **options: Any) -> None:
        for country in options["countries"] or available_packs():
            code = country.upper()
            result = pack_load(actor=None, country=code)
            # Reports and cases need the categories and rules of the units' country, so a
            # territory is never loaded without them.
            concerns = concerns_load(country=code)
            rules = rules_load(country=code)
            catalogue = catalogue_load(country=code)
            self.stdout.write(
                f"{code}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged; {concerns} concern categories created; "
                f"{rules} deadline rules written; {catalogue} services written"
            )
