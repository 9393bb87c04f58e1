"""Every retention purge in one call, for beat (`invoisx.tasks.purge_expired`) and `manage.py purge_expired`.

What is kept how long (settings, `.env.example`, README "Retention"): logs go after a retention by
default (Idempotency-Key answers, finished webhook deliveries, then the events nothing refers to any
more, expired dashboard sessions); business records (the invoice corrections' audit trail, the daily
API-call counters usage is billed from) stay unless a retention is configured. Invoices, statements,
matches and publications are never purged: deleting an invoice is a person's decision.
"""

import contextlib
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from events.services import events_purge
from idempotency.services import idempotent_requests_purge
from invoices.services import invoice_changes_purge
from usage.services import usage_days_purge
from webhooks.services import deliveries_purge


def expired_records_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Purge what is past its retention at `now`; how many rows of each kind went."""
    now = now or timezone.now()
    purged = {
        "idempotency keys": idempotent_requests_purge(now=now),
        "webhook deliveries": deliveries_purge(now=now),
        # After the deliveries: an event goes only once no delivery refers to it.
        "events": events_purge(now=now),
        "invoice changes": invoice_changes_purge(now=now),
        "usage days": usage_days_purge(now=now),
    }
    _expired_sessions_purge()
    return purged


def _expired_sessions_purge() -> None:
    engine = import_module(settings.SESSION_ENGINE)
    with contextlib.suppress(NotImplementedError):  # a backend whose sessions expire by themselves (the cache)
        engine.SessionStore.clear_expired()
