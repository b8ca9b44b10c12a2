"""Demo plan: the Chișinău strategy's action plan of seed 002, imported as it stands from the
project's source documents when they are beside the clone. Runs once."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from ocrotire.accounts.models import User
from ocrotire.geo.models import Unit
from ocrotire.planning.models import Strategy
from ocrotire.planning.parsing import parse_action_plan
from ocrotire.planning.services import plan_import

ACTION_PLAN_SEED = "002_*.txt"


def action_plan_seed() -> Path | None:
    """The seed action plan's file, or None when the source documents are not here."""
    folder = Path(settings.OCROTIRE_SEEDS_DIR)
    return next(iter(sorted(folder.glob(ACTION_PLAN_SEED))), None) if folder.is_dir() else None


def planning_demo_load(users: dict[str, User]) -> dict[str, int]:
    if Strategy.objects.exists():
        return {"plans_imported": 0}
    seed = action_plan_seed()
    if seed is None:
        return {"plans_imported": 0}
    plan_import(
        actor=users["planner"],
        plan=parse_action_plan(seed.read_text(encoding="utf-8")),
        unit=Unit.objects.get(code="MD-CU"),
        source_name=seed.name,
    )
    return {"plans_imported": 1}
