"""Helpers of the plan's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def upload(api: Any, user: Any, path: Path, **extra: Any) -> Any:
    with path.open("rb") as handle:
        return api(user).post(
            "/api/v1/plans/import/",
            {"file": handle, "unit": "MD-CU", **extra},
            format="multipart",
        )


def walk(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The plan's tree as it comes from the API, by code."""
    found: dict[str, dict[str, Any]] = {}
    for node in nodes:
        found[node["code"]] = node
        found.update(walk(node["children"]))
    return found
