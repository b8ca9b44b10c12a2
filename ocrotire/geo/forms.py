"""Form fields for choosing administrative units, indented by depth and named in the reader's language."""

from __future__ import annotations

from typing import Any

from django import forms


def _label(unit: Any) -> str:
    return "\u00a0\u00a0" * int(unit.depth) + str(unit.display_name())


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _label(obj)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _label(obj)
