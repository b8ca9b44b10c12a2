"""Reports filed at the same moment from several connections get distinct numbers, and their
audit rows form one unbroken chain."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from ocrotire.core.audit import chain_pending, verify_chain
from ocrotire.intake.models import Report
from ocrotire.intake.services import ChildInput, ReportInput, report_create
from ocrotire.registry.services import PersonInput


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot take writers from several threads",
)
def test_concurrent_filings_get_distinct_numbers(
    transactional_db: Any, personas: dict[str, Any], territory: dict[str, Any], casework: None
) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def file(index: int) -> None:
        try:
            start.wait()
            report_create(
                actor=personas["specialist"],
                data=ReportInput(
                    channel="hotline",
                    reporter_kind="anonymous",
                    unit=territory["MD-CU-BOT"],
                    narrative="A child crying every night.",
                    concerns=["neglect"],
                    children=[ChildInput(new=PersonInput(given_name=f"Copil{index}"))],
                ),
            )
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Report.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 8
    assert [n[-6:] for n in numbers] == [f"{i:06d}" for i in range(1, 9)]
    # Each writer chained after its commit, or left its row to a writer already chaining;
    # the sweep (the deadline watcher's) finds whatever is left, and the chain holds.
    chain_pending()
    report = verify_chain()
    assert report.ok
    assert report.pending == 0
