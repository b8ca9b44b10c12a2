"""Demo: the demo loader, the synthetic-data generators and their commands (no models)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ocrotire.demo"
    label = "demo"
