#!/usr/bin/env python
"""Sign-in timing: a known name with a wrong password against a name no account has, through
`POST /api/v1/auth/token/` with the production password hasher (argon2).

    python bench/signin_bench.py [--database-url URL] [--rounds 20]

Without --database-url a fresh SQLite file in a temporary directory is used. Each attempt comes
from its own address, so the sign-in throttle does not cut the run short. Prints the medians;
the two should be alike (the tests check that the hasher runs for unknown names, not the time).
No assertions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    temporary = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{temporary.name}/signin.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["OCROTIRE_MFA_ENFORCED"] = "0"

    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from ocrotire.accounts.models import User
    from ocrotire.accounts.services import roles_ensure, user_upsert

    call_command("migrate", verbosity=0)
    roles_ensure()
    if not User.objects.filter(username="bench-signin").exists():
        password = "a long bench password 1"  # noqa: S105 - a throwaway bench account
        user_upsert(actor=None, username="bench-signin", password=password)

    def attempt(username: str, n: int) -> float:
        client = APIClient(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        started = time.perf_counter()
        response = client.post(
            "/api/v1/auth/token/",
            {"username": username, "password": "wrong password"},
            format="json",
            SERVER_NAME="localhost",
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 401, response.status_code
        return elapsed * 1000

    attempt("warm-up", 0)  # the first unknown name makes the dummy hash
    known, unknown = [], []
    for n in range(1, args.rounds + 1):
        known.append(attempt("bench-signin", 2 * n))
        unknown.append(attempt("no-such-name", 2 * n + 1))
    print(f"| sign-in, wrong password | median ms | rounds {args.rounds} |")
    print("|---|---|---|")
    print(f"| known name | {statistics.median(known):.1f} | |")
    print(f"| unknown name | {statistics.median(unknown):.1f} | |")
    temporary.cleanup()


if __name__ == "__main__":
    main()
