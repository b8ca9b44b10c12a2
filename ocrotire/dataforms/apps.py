"""Official forms kept as data: each country's forms, their versions, and the answers' checks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataformsConfig(AppConfig):
    name = "ocrotire.dataforms"
    label = "dataforms"
    verbose_name = _("Forms")
