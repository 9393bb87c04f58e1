"""Work that a row records and a Celery task does (an extraction, a reconciliation): who holds it, and
what the sweep does when a queue message or a worker is lost.

The row is the truth, a queued message only a nudge. Three columns on the row say where the work is:
- `queued_at`: when a message for it was last put on the queue;
- `lease_until`: a worker running it holds it until then; past it, that worker is presumed dead. It
  must outlast the task's hard time limit;
- `attempts`: how many times a worker started it (Celery's retries of one run are not counted).

A task claims the row with a compare-and-set, so a second message for the same work (the sweep queued
it again while the first waited in a long queue) does nothing while the first runs. The sweep queues
again the work whose message was lost (queued long ago, never started) or whose worker died (lease
over), and gives up on work started `max_attempts` times without finishing: then the document or the
data itself most likely kills the worker, and the caller fails the row with a reason.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q


@dataclass(frozen=True)
class Lost:
    """What one sweep found: rows to queue again (already marked queued) and rows out of attempts."""

    requeue: list[int]
    exhausted: list[int]


@dataclass(frozen=True)
class LeasedWork:
    """One kind of leased work: rows of `model` whose `status_field` is `busy`, with the three columns
    named `{prefix}attempts`, `{prefix}queued_at` and `{prefix}lease_until`, and timings read from the
    settings `{setting}_LEASE_SECONDS`, `{setting}_REQUEUE_SECONDS` and `{setting}_MAX_ATTEMPTS`."""

    model: type[models.Model]
    busy: str
    prefix: str
    setting: str
    status_field: str = "status"

    @property
    def attempts(self) -> str:
        return f"{self.prefix}attempts"

    @property
    def queued_at(self) -> str:
        return f"{self.prefix}queued_at"

    @property
    def lease_until(self) -> str:
        return f"{self.prefix}lease_until"

    @property
    def max_attempts(self) -> int:
        return int(getattr(settings, f"{self.setting}_MAX_ATTEMPTS"))

    def queued(self, *, now: datetime) -> dict[str, object]:
        """The columns of work (re)queued just now, nobody running it and no attempt made."""
        return {self.attempts: 0, self.queued_at: now, self.lease_until: None}

    def free(self, *, now: datetime) -> Q:
        """Rows no live worker holds at `now`."""
        return Q(**{f"{self.lease_until}__isnull": True}) | Q(**{f"{self.lease_until}__lte": now})

    def claim(self, pk: int, *, now: datetime, new_attempt: bool = True) -> bool:
        """Take the work for one run if it is still to be done and nobody runs it; False otherwise."""
        lease = timedelta(seconds=int(getattr(settings, f"{self.setting}_LEASE_SECONDS")))
        changes: dict[str, object] = {self.lease_until: now + lease}
        if new_attempt:
            changes[self.attempts] = F(self.attempts) + 1
        return (
            self.model._default_manager.filter(self.free(now=now), pk=pk, **{self.status_field: self.busy}).update(
                **changes
            )
            == 1
        )

    def release(self, pk: int) -> None:
        """Let go of a claim whose run stopped early (to be retried), so the retry may claim it again."""
        self.model._default_manager.filter(pk=pk, **{self.status_field: self.busy}).update(**{self.lease_until: None})

    def lost(self, *, now: datetime, limit: int = 1000) -> Lost:
        """Find the work no message or worker will bring to an end; mark the rows to queue again as
        queued now and return them, with the rows that have had all their attempts."""
        requeue_before = now - timedelta(seconds=int(getattr(settings, f"{self.setting}_REQUEUE_SECONDS")))
        worker_died = Q(**{f"{self.lease_until}__lte": now})
        message_lost = Q(**{f"{self.lease_until}__isnull": True}) & (
            Q(**{f"{self.queued_at}__isnull": True}) | Q(**{f"{self.queued_at}__lte": requeue_before})
        )
        with transaction.atomic():
            # Locked, so a worker claiming one of them waits for this to commit (PostgreSQL); rows a
            # worker is finishing right now are skipped and looked at by the next sweep.
            rows = list(
                self.model._default_manager.select_for_update(skip_locked=True)
                .filter(worker_died | message_lost, **{self.status_field: self.busy})
                .order_by(self.queued_at, "pk")
                .values_list("pk", self.attempts)[:limit]
            )
            requeue = [pk for pk, attempts in rows if attempts < self.max_attempts]
            exhausted = [pk for pk, attempts in rows if attempts >= self.max_attempts]
            self.model._default_manager.filter(pk__in=requeue).update(**{self.queued_at: now, self.lease_until: None})
        return Lost(requeue=requeue, exhausted=exhausted)
