"""Administrative units per country and the country packs that describe them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "ocrotire.geo"
    label = "geo"
    verbose_name = _("Territory")
