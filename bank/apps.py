"""App configuration for bank statements and reconciliation."""

from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "bank"
