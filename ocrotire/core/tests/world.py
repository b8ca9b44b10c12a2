"""Test data built once per test module: a transaction open for the whole module and rolled back
at its end, the module's data built in a savepoint inside it, each test in a savepoint of its own.

The root conftest's `module_world` fixture opens the transaction. A module that builds its data
this way asks for `db` with `pytestmark = pytest.mark.usefixtures("db")` instead of the
`django_db` mark (whose fixture would open the test's savepoint before the data), and says which
data each test wants in an autouse fixture of its own:

    @pytest.fixture(autouse=True)
    def _world_then_db(request, module_world):
        module_world.use(key, build)      # or .use(None) for a test that wants none of it
        request.getfixturevalue("db")     # the test's savepoint opens after the data

The data a test sees is the data it asked for, whatever ran before it in the module: the key
says which data that is, and a test with another key rolls the savepoint back and builds its own.
`build` returns primary keys; fixtures read the rows again per test, so no test sees an object
another test changed in memory (`scope_of` caches on the user object, for example)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import override_settings

# What the root conftest's autouse fixtures set for every test, for the data built outside one.
BUILD_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "OCROTIRE_DASHBOARD_CACHE_SECONDS": 0,
    "OCROTIRE_MFA_ENFORCED": False,
}


class World:
    """One module's transaction and the data built in it (see the module's docstring)."""

    def __init__(self, blocker: Any) -> None:
        self._blocker = blocker
        self._outer: Any = None
        self._layer: Any = None
        self._key: Hashable = None
        self.data: Any = None

    @classmethod
    @contextmanager
    def opened(cls, blocker: Any) -> Iterator[World]:
        world = cls(blocker)
        with blocker.unblock():
            world._outer = transaction.atomic()
            world._outer.__enter__()
        try:
            yield world
        finally:
            with blocker.unblock():
                world._drop_layer()
                transaction.set_rollback(True)
                world._outer.__exit__(None, None, None)
            # A world put back from a copy (snapshot.py) brings its own content type rows; the
            # cache must not keep their ids once they are rolled back.
            ContentType.objects.clear_cache()

    def use(self, key: Hashable, build: Callable[[], Any] | None = None) -> Any:
        """The data `build` makes, built once for every test with the same key (None: no data)."""
        if key == self._key and (key is None or self._layer is not None):
            return self.data
        with self._blocker.unblock():
            expected = 1 + (self._layer is not None)
            if len(connection.atomic_blocks) != expected:
                raise RuntimeError(
                    "A module's test world is built before the test's transaction: request it "
                    "before `db`, in a test that does not commit."
                )
            self._drop_layer()
            if key is not None:
                assert build is not None
                self._layer = transaction.atomic()
                self._layer.__enter__()
                with override_settings(**BUILD_SETTINGS):
                    self.data = build()
            self._key = key
        return self.data

    def _drop_layer(self) -> None:
        if self._layer is not None:
            transaction.set_rollback(True)
            self._layer.__exit__(None, None, None)
            self._layer = None
        self._key = None
        self.data = None
