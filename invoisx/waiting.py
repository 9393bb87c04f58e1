"""Waiting on a row another process is working on, for APIs that answer 200 when done or 202 while busy."""

import time

from django.db.models import Model


def wait_while_status(model: type[Model], pk: int, busy: str, *, seconds: float, poll: float = 0.2) -> None:
    """Return once the row's `status` is no longer `busy`, or when `seconds` have passed.

    Polls the database rather than a result backend: the row is the truth, whichever worker runs it.
    Only the status column is read each time.
    """
    deadline = time.monotonic() + seconds
    status = model._default_manager.filter(pk=pk).values_list("status", flat=True)
    while status.first() == busy and time.monotonic() < deadline:
        time.sleep(poll)
