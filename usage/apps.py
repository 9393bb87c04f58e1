"""App configuration for usage."""

from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "usage"
