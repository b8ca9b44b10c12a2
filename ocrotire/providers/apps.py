"""Providers: the register of service providers and their service points, with each country's
catalogue of services (F5)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "ocrotire.providers"
    label = "providers"
    verbose_name = _("Service providers")

    def ready(self) -> None:
        from ocrotire.providers import events, needs, referrals

        events.register_events()
        referrals.register_referral_target()
        needs.register_need_names()
