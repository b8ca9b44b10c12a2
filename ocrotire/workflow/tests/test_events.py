"""Every event kind and notice fired has its sentence, in every language, registered by the app
that owns it; the country packs' rules name only kinds (or milestones) that exist."""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from ocrotire.workflow import events, notices
from ocrotire.workflow.events import EventKind, Milestone, event_text
from ocrotire.workflow.models import Notification, TimelineEvent
from ocrotire.workflow.notices import NoticeKind, notification_text

PACKAGE = Path(__file__).resolve().parents[2]
PACKS = PACKAGE / "geo" / "packs"
Scope = ast.FunctionDef | ast.AsyncFunctionDef


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, ast.parse(path.read_text(encoding="utf-8"))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


class _Sources:
    """Which strings a `kind=` argument can hold, read from the source: literals, both branches
    of a conditional, module constants and enum members, a local variable's assignments, a
    parameter's values at the calls of its function, or the literal tuple it is checked
    against (`_choice(step, ("prosecutor_notified", "court_filed"), …)`)."""

    def __init__(self) -> None:
        self.modules = dict(_modules())
        self.functions: dict[str, list[tuple[str, Scope]]] = {}
        self.scope_of: dict[int, tuple[str, Scope]] = {}
        for module, tree in self.modules.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.functions.setdefault(node.name, []).append((module, node))
                    for inner in ast.walk(node):
                        self.scope_of.setdefault(id(inner), (module, node))
            # Innermost function wins: walk again so nested functions overwrite.
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                            continue
                        self.scope_of[id(inner)] = (module, node)

    def calls(self, *names: str) -> Iterator[tuple[str, ast.Call]]:
        for module, tree in self.modules.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _callee(node) in names:
                    yield module, node

    def values(self, module: str, node: ast.expr, depth: int = 0) -> set[str] | None:
        if depth > 3:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            body = self.values(module, node.body, depth)
            orelse = self.values(module, node.orelse, depth)
            return None if body is None or orelse is None else body | orelse
        if isinstance(node, ast.Tuple | ast.List):
            found: set[str] = set()
            for item in node.elts:
                value = self.values(module, item, depth)
                if value is None:
                    return None
                found |= value
            return found
        if isinstance(node, ast.Attribute):
            try:
                value = eval(ast.unparse(node), vars(importlib.import_module(module)))  # noqa: S307
            except Exception:
                return None
            return {str(value)} if isinstance(value, str) else None
        if isinstance(node, ast.Name):
            return self._name(module, node, depth)
        return None

    def _name(self, module: str, node: ast.Name, depth: int) -> set[str] | None:
        scope = self.scope_of.get(id(node))
        if scope is None:
            value = vars(importlib.import_module(module)).get(node.id)
            return {str(value)} if isinstance(value, str) else None
        _module, function = scope
        assigned = [
            statement.value
            for statement in ast.walk(function)
            if isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == node.id for t in statement.targets)
        ]
        if assigned:
            found: set[str] = set()
            for value in assigned:
                resolved = self.values(module, value, depth + 1)
                if resolved is None:
                    return None
                found |= resolved
            return found
        parameters = [a.arg for a in (*function.args.args, *function.args.kwonlyargs)]
        if node.id not in parameters:
            return None
        checked = self._checked_against(module, function, node.id, depth)
        if checked is not None:
            return checked
        found = set()
        for caller_module, call in self.calls(function.name):
            argument = next((k.value for k in call.keywords if k.arg == node.id), None)
            resolved = None if argument is None else self.values(caller_module, argument, depth + 1)
            if resolved is None:
                return None
            found |= resolved
        return found

    def _checked_against(
        self, module: str, function: Scope, name: str, depth: int
    ) -> set[str] | None:
        for call in ast.walk(function):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            first = call.args[0]
            if isinstance(first, ast.Name) and first.id == name:
                for argument in call.args[1:]:
                    if isinstance(argument, ast.Tuple | ast.List):
                        return self.values(module, argument, depth + 1)
        return None


@pytest.fixture(scope="module")
def sources() -> _Sources:
    return _Sources()


def _fired(sources: _Sources, function: str, keyword: str) -> tuple[set[str], list[str]]:
    kinds: set[str] = set()
    unknown: list[str] = []
    for module, call in sources.calls(function):
        argument = next((k.value for k in call.keywords if k.arg == keyword), None)
        if argument is None:
            continue
        values = sources.values(module, argument)
        if values is None:
            unknown.append(f"{module}:{call.lineno} {ast.unparse(argument)}")
        else:
            kinds |= values
    return kinds, unknown


def test_every_event_kind_fired_has_a_registered_sentence(sources: _Sources) -> None:
    fired, unknown = _fired(sources, "event_fire", "kind")
    assert not unknown, f"cannot tell which kinds these calls fire: {unknown}"
    assert len(fired) >= 39
    assert fired <= set(events.kinds()), fired - set(events.kinds())


def test_every_milestone_met_is_registered(sources: _Sources) -> None:
    met, unknown = _fired(sources, "event_fire", "meets")
    assert not unknown, unknown
    assert met <= set(events.milestones()), met - set(events.milestones())


def test_every_notice_sent_has_a_registered_sentence(sources: _Sources) -> None:
    sent, unknown = _fired(sources, "notify", "kind")
    assert not unknown, f"cannot tell which notices these calls send: {unknown}"
    assert sent == {
        "task_overdue",
        "task_escalated",
        "case_assigned",
        "team_added",
        "plan_deadline",
        "complaint_received",
    }
    assert sent <= set(notices.kinds())


def _pack_rules() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(PACKS.glob("*/deadlines.json")):
        for rule in json.loads(path.read_text(encoding="utf-8"))["rules"]:
            yield path.parent.name, rule


def test_pack_rules_name_registered_kinds() -> None:
    rules = list(_pack_rules())
    assert {country for country, _rule in rules} >= {"md", "ro", "ua", "kg"}
    registered = set(events.kinds())
    reachable = registered | set(events.milestones())
    for country, rule in rules:
        assert rule["anchor"] in registered, (country, rule["code"], rule["anchor"])
        assert rule["completed_by"] in reachable, (country, rule["code"], rule["completed_by"])


def test_milestones_are_met_by_registered_kinds() -> None:
    for milestone in events.milestones().values():
        assert set(milestone.met_by) <= set(events.kinds()), milestone


def _event(kind: str) -> TimelineEvent:
    return TimelineEvent(kind=kind, data={})


@pytest.mark.parametrize("language", ["ro", "uk", "ru"])
def test_every_sentence_is_translated(language: str) -> None:
    untranslated = []
    for code in events.kinds():
        with translation.override("en"):
            english = event_text(_event(code), names={})
        with translation.override(language):
            text = event_text(_event(code), names={})
        if not text or text in (code, english):
            untranslated.append(code)
    for code in notices.kinds():
        notice = Notification(kind=code, data={})
        with translation.override("en"):
            english = notification_text(notice)
        with translation.override(language):
            text = notification_text(notice)
        if not text or text in (code, english):
            untranslated.append(code)
    assert not untranslated, untranslated


def test_a_kind_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "_KINDS", dict(events._KINDS))
    monkeypatch.setattr(events, "_MILESTONES", dict(events._MILESTONES))
    monkeypatch.setattr(notices, "_KINDS", dict(notices._KINDS))
    existing = events.kinds()["case_opened"]
    events.register(existing)  # the same registration again (ready() run twice) is harmless
    with pytest.raises(ImproperlyConfigured):
        events.register(EventKind("case_opened", lambda d, context: "Another sentence."))
    with pytest.raises(ImproperlyConfigured):
        events.register_milestones(Milestone("case_opened"))
    with pytest.raises(ImproperlyConfigured):
        notices.register(NoticeKind("task_overdue", lambda data: "Another sentence."))


def test_an_unknown_kind_shows_its_code() -> None:
    assert event_text(_event("not_a_kind")) == "not_a_kind"
    assert notification_text(Notification(kind="not_a_notice", data={})) == "not_a_notice"


def _fired_in(sources: _Sources, service: str) -> set[str]:
    """The kinds a service fires: its `event_fire(kind=…)` calls, and the `kind=` it hands to a
    helper that fires it (`_referral_step(kind="referral_accepted")`)."""
    module, _dot, name = service.rpartition(".")
    tree = sources.modules[module]
    function = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    )
    fired: set[str] = set()
    for call in ast.walk(function):
        if not isinstance(call, ast.Call):
            continue
        argument = next((k.value for k in call.keywords if k.arg == "kind"), None)
        if argument is not None:
            fired |= sources.values(module, argument) or set()
    return fired


def test_every_rule_is_completed_by_a_step_that_fires_its_event(sources: _Sources) -> None:
    """A rule whose `completed_by` no step fires makes tasks that can never be done (the
    placement reviews were such). The registry of steps (`events.register_recorders`) names the
    service recording each event; each rule of the four packs must reach one, and each service
    must fire what it claims."""
    recorders = events.recorders()
    for service, recorder in recorders.items():
        module, _dot, name = service.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name, None)), service
        missing = {str(k) for k in recorder.kinds} - _fired_in(sources, service)
        assert not missing, (service, missing)
    never = sorted(
        (country, rule["code"], rule["completed_by"])
        for country, rule in _pack_rules()
        if not events.completable(rule["completed_by"])
    )
    assert never == []


def test_a_rule_met_by_no_step_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "_RECORDERS", {})
    assert not events.completable("placement_reviewed")
    assert not events.completable("plan_decided")
    events.register_recorders(events.Recorder("x.y", ("plan_returned",)))
    assert events.completable("plan_decided")
