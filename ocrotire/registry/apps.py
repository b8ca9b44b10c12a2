"""The person and family registry: persons, identifiers, households, relationships, matching, merge."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ocrotire.registry"
    label = "registry"
    verbose_name = _("Person registry")
