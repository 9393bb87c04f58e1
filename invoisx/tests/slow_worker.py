"""A Celery app for tests whose extraction is slowed down, so a test can kill a worker mid-task.

Start it with `celery -A invoisx.tests.slow_worker worker`; SLOW_EXTRACTION_SECONDS sets the delay.
When SLOW_EXTRACTION_STARTED names a file, it is created as the delay begins, so a test can wait for
"the task is inside the extraction" instead of guessing how long that takes.
Only this process is slowed: the application code has no test hook.
"""

import os
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoisx.settings")
django.setup()

from invoices import intake  # noqa: E402
from invoisx.celery import app  # noqa: E402

_read_document = intake.read_document


def _slow_read_document(data: bytes, **kwargs: Any) -> Any:
    started = os.environ.get("SLOW_EXTRACTION_STARTED")
    if started:
        Path(started).touch()
    time.sleep(float(os.environ.get("SLOW_EXTRACTION_SECONDS", "0")))
    return _read_document(data, **kwargs)


intake.read_document = _slow_read_document

__all__ = ["app"]
