"""Re-estimate the batch de-duplication model from the records in the database and store it.

Train on synthetic data with realistic variation (`manage.py generate_persons`), never on live
records: the stored model ships with the code, so a rerun of de-duplication does not retrain."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocrotire.registry import linkage


class Command(BaseCommand):
    help = "Train the Splink model used by batch de-duplication and write it to registry/data/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(linkage.MODEL_PATH))
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--truth", help="CSV from generate_persons --truth: learn from the known entities"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "Train on synthetic data on a development machine, not on production records."
            )
        data = linkage.table(linkage.records())
        if data.num_rows < 1000:
            raise CommandError(
                "Generate at least 1,000 synthetic persons first (manage.py generate_persons)."
            )
        labels = None
        if options["truth"]:
            with open(options["truth"], encoding="utf-8") as handle:
                labels = {int(row["person_id"]): row["entity"] for row in csv.DictReader(handle)}
        path = linkage.train(
            data, path=Path(options["output"]), seed=options["seed"], labels=labels
        )
        self.stdout.write(f"Model trained on {data.num_rows} records and written to {path}")
