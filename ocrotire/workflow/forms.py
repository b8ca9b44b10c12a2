"""The form of cancelling a task, mirroring the API's input: the reason, required."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ocrotire.workflow.lifecycle import REASON_LIMIT


class TaskCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this task no longer needed?"),
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Lengths are checked here and by the service, with a message, not cut by the browser.
        self.fields["reason"].widget.attrs.pop("maxlength", None)
        self.fields["reason"].help_text = gettext("At most %(limit)s characters.") % {
            "limit": REASON_LIMIT
        }
