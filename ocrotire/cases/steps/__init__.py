"""Case steps declared once (definitions.py): the page form and the API input of each step are
built from its declaration (registry.py), with fields that know both surfaces (fields.py)."""

from ocrotire.cases.steps.registry import (
    Api,
    Step,
    api_input,
    page_form,
    register,
    step_extend,
    step_get,
    steps_all,
)

# The declarations register themselves.
from ocrotire.cases.steps import definitions  # noqa: F401  isort: skip

__all__ = [
    "Api",
    "Step",
    "api_input",
    "page_form",
    "register",
    "step_extend",
    "step_get",
    "steps_all",
]
