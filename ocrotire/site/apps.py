"""The composition root: the only package that may import every app. It holds the URL maps (pages
and the v1 API), the navigation, the home page, pack loading and the deadline watcher."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    # No models, so nothing of it is ever shown by name.
    name = "ocrotire.site"
    label = "site"
