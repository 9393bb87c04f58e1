"""The project package as a Django app: its system checks are registered when it is ready."""

from django.apps import AppConfig


class InvoisxConfig(AppConfig):
    name = "invoisx"

    def ready(self) -> None:
        from invoisx import checks  # noqa: F401 - registers the checks
