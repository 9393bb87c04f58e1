"""A Celery app for tests whose collections stop before storing their second document, so that a test
can kill the worker in the middle of a collection.

Start it with `celery -A collecting.tests.slow_collect_worker worker`; SLOW_COLLECT_SECONDS sets how long
the run waits before storing a credential's second document. When SLOW_COLLECT_STARTED names a file, it
is created as the wait begins, so a test can wait for "the first document is stored, the second is
not" instead of guessing how long that takes. Only this process is slowed: the application code has no
test hook.
"""

import os
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoisx.settings")
django.setup()

from collecting import runs  # noqa: E402
from collecting.models import CollectedDocument  # noqa: E402
from invoisx.celery import app  # noqa: E402

_store = runs._store


def _slow_store(**kwargs: Any) -> bool:
    if CollectedDocument.objects.filter(credential=kwargs["credential"]).count() == 1:
        started = os.environ.get("SLOW_COLLECT_STARTED")
        if started:
            Path(started).touch()
        time.sleep(float(os.environ.get("SLOW_COLLECT_SECONDS", "0")))
    return _store(**kwargs)


runs._store = _slow_store

__all__ = ["app"]
