"""People who work in the system: users, roles, scope, institutions, two-factor authentication."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ocrotire.accounts"
    label = "accounts"
    verbose_name = _("Users and institutions")

    def ready(self) -> None:
        from ocrotire.accounts import drf  # noqa: F401  (registers the auth schema extensions)
