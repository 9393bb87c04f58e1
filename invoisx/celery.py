"""The Celery application. Tasks run eagerly in-process when no broker (REDIS_URL) is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoisx.settings")

app = Celery("invoisx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
