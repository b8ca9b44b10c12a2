"""Community outreach (F8): household screenings, benefit programmes and their certificates,
and the changes a worker's device sends after working without network."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "ocrotire.outreach"
    label = "outreach"
    verbose_name = _("Community outreach")
