"""InvoisX project package: settings, URLs, the Celery app and the API conventions shared by every app."""

from invoisx.celery import app as celery_app

__all__ = ["celery_app"]
