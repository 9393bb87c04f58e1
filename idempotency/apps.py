"""App configuration for idempotency keys."""

from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "idempotency"
