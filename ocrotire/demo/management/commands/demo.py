"""Load the demo data and demo accounts; refuses to run on a production configuration."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ocrotire.demo.loader import DEMO_PASSWORD, DEMO_USERS, DemoRefused, demo_load


class Command(BaseCommand):
    help = (
        "Load demo territory, institutions, one account per role (password: ocrotire-demo), "
        "persons, reports and cases."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = demo_load()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Demo ready: {counts['units_created']} units, {counts['institutions_created']} institutions, "
            f"{counts['users_created']} users, {counts['persons_created']} persons, "
            f"{counts['concerns_created']} concern categories, {counts['reports_created']} reports, "
            f"{counts['cases_created']} cases created, {counts['rules_written']} deadline rules "
            f"and {counts['services_written']} catalogue services written, "
            f"{counts['providers_created']} service providers and "
            f"{counts['placements_created']} placements created this run."
        )
        self.stdout.write(
            "Accounts: "
            + ", ".join(u.username for u in DEMO_USERS)
            + f" — password {DEMO_PASSWORD}"
        )
