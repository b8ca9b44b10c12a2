"""Case management along the intersectoral mechanism; its steps go on the workflow's timeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ocrotire.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from ocrotire.cases import events, links, report_panels

        links.register_movers()
        events.register_events()
        report_panels.register_report_panels()
        _steps_with_forms()
        _workflow_vocabulary()


def _steps_with_forms() -> None:
    """Tell the forms app which case steps show a country's form (an `answers` field)."""
    from ocrotire.cases.steps import steps_all
    from ocrotire.cases.steps.fields import Answers
    from ocrotire.dataforms.steps import step_register

    for step in steps_all():
        if any(isinstance(f, Answers) for f in step.fields):
            step_register(step.code, step.title)


def _workflow_vocabulary() -> None:
    """Tell the workflow engine what a country's workflow may name: the stages, the steps with
    the outcomes each leads somewhere, the records a step may wait for, the events steps fire."""
    from ocrotire.cases.models import Stage
    from ocrotire.cases.pipeline import OUTCOMES, REQUIREMENTS
    from ocrotire.cases.steps import steps_all
    from ocrotire.workflow.definitions import Vocabulary, vocabulary_register

    steps = steps_all()
    vocabulary_register(
        Vocabulary(
            stages=frozenset(Stage.values),
            outcomes={step.code: OUTCOMES.get(step.code, ()) for step in steps},
            requirements=frozenset(REQUIREMENTS),
            step_events={step.code: tuple(str(e) for e in step.fires) for step in steps},
        )
    )
