"""What the workflow needs of the subjects it follows (a report, a case), as protocols: it reads
their unit, number and manager without importing the apps that own them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ocrotire.accounts.models import User
    from ocrotire.geo.models import Unit


class Subject(Protocol):
    """A report or a case: the unit whose calendar and supervisors apply, and its number."""

    @property
    def pk(self) -> Any: ...

    @property
    def unit(self) -> Unit: ...

    @property
    def number(self) -> str: ...


class CaseSubject(Subject, Protocol):
    """A case: its tasks wait on its manager."""

    @property
    def manager(self) -> User | None: ...
