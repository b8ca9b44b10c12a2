"""Locust load for `cases_bench.py`: report creation through POST /api/v1/reports/.

Started by the bench (`locust --headless -f bench/locust_reports.py …`); it reads its set-up
from the environment:

* BENCH_USERNAME / BENCH_PASSWORD — a register keeper without a second factor; each simulated
  user gets its own API token from POST /api/v1/auth/token/ when it starts;
* BENCH_PERSONS — a file with one person id a line: existing children of the keeper's area;
* BENCH_UNIT, BENCH_CONCERNS (comma-separated codes) — where it happened and what;
* BENCH_NEW_CHILD — the share of reports about a new child (registry match, new record);
* BENCH_MAX_REQUESTS — the run stops after this many reports, whatever the run time left.

Every report carries its own Idempotency-Key.
"""

from __future__ import annotations

import itertools
import os
import random
import uuid
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

PERSONS = [int(x) for x in Path(os.environ["BENCH_PERSONS"]).read_text().split()]
UNIT = os.environ["BENCH_UNIT"]
CONCERNS = os.environ["BENCH_CONCERNS"].split(",")
NEW_CHILD = float(os.environ.get("BENCH_NEW_CHILD", "0.2"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "100000"))
GIVEN = ["Ana", "Ion", "Maria", "Vasile", "Elena", "Mihai", "Cristina", "Andrei", "Daniela"]
FAMILY = ["Rusu", "Ceban", "Munteanu", "Lungu", "Cojocaru", "Popa", "Ciobanu", "Botnaru"]
SENT = itertools.count(1)


class Filer(FastHttpUser):
    wait_time = between(0, 0)

    def on_start(self) -> None:
        answer = self.client.post(
            "/api/v1/auth/token/",
            json={
                "username": os.environ["BENCH_USERNAME"],
                "password": os.environ["BENCH_PASSWORD"],
            },
            name="token",
        )
        answer.raise_for_status()
        self.token = f"Token {answer.json()['token']}"
        self.rng = random.Random()  # noqa: S311 - load generation, not security

    def _child(self) -> dict[str, Any]:
        if self.rng.random() < NEW_CHILD:
            year = self.rng.randint(2009, 2024)
            return {
                "given_name": self.rng.choice(GIVEN),
                "family_name": self.rng.choice(FAMILY) + self.rng.choice(["", "u", "a"]),
                "birth_date": f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
                "sex": self.rng.choice(["M", "F"]),
                "unit": UNIT,
            }
        return {"person": self.rng.choice(PERSONS)}

    @task
    def file_report(self) -> None:
        if next(SENT) > MAX_REQUESTS:
            self.environment.runner.quit()
            return
        body = {
            "channel": self.rng.choice(["phone", "hotline", "written", "walk_in"]),
            "reporter": {"kind": "citizen", "name": "Bench Reporter", "contact": "+37360000000"},
            "children": [self._child()],
            "concerns": [self.rng.choice(CONCERNS)],
            "unit": UNIT,
            "narrative": "Neighbours heard the child crying at night; the parents are often away.",
        }
        with self.client.post(
            "/api/v1/reports/",
            json=body,
            headers={"Idempotency-Key": str(uuid.uuid4()), "Authorization": self.token},
            name="create report",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


@events.quitting.add_listener
def _quitting(environment: Any, **_kwargs: Any) -> None:
    environment.process_exit_code = 0
