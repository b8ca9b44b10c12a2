"""A country's official form and its versions. A version is never changed once written: a new
field makes a new version, and every record keeps the version it was filled with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocrotire.core.labels import NamedInLanguages


class FormDefinition(NamedInLanguages, models.Model):
    """One official form of one country (the initial assessment of Romania, the plan of Ukraine).
    `step` names the case step that shows it; a form no step shows has it empty."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=60)
    step = models.CharField(_("case step"), max_length=40, blank=True)
    names = models.JSONField(_("names"), default=dict)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified by a lawyer"), default=False)
    # Where the fields come from (DOMAIN.md's section, the source it names).
    source = models.TextField(_("source"), max_length=2000, blank=True)
    # The pack's own text of the form as last loaded, so that a reload changes nothing unless
    # the pack did (and keeps the fields the administrators added).
    pack_sections = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["country", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="dataforms_form_code_once"),
            models.UniqueConstraint(
                fields=["country", "step"],
                condition=~models.Q(step=""),
                name="dataforms_form_per_step_once",
            ),
        ]

    def __str__(self) -> str:
        return self.label()


class FormVersion(models.Model):
    """The fields of a form as they were from `created_at` on: sections, each with its fields
    (see dataforms/spec.py for the format)."""

    definition = models.ForeignKey(
        FormDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    sections = models.JSONField(_("sections"), default=list)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["definition", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "number"], name="dataforms_version_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.label()} v{self.number}"
