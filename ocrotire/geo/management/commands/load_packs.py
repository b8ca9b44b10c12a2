"""Load or refresh the territory of every country pack (or the ones named); safe to repeat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ocrotire.geo.services import available_packs, pack_load


class Command(BaseCommand):
    help = "Load the administrative units of the country packs (MD, UA, RO, KG)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("countries", nargs="*", help="ISO codes; all packs when none is given")

    def handle(self, *args: Any, **options: Any) -> None:
        for country in options["countries"] or available_packs():
            result = pack_load(actor=None, country=country.upper())
            self.stdout.write(
                f"{country.upper()}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
