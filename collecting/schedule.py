"""When each credential is collected, and how a collection is queued.

The rule, after Invoice-Collector's: a new credential is collected at once (and whenever its user asks,
`credential_collect_now`); after that, when its next document is expected, that is the last one's date
plus the average gap between its last (up to 10) documents, but never sooner than
COLLECTING_MIN_INTERVAL_SECONDS nor later than COLLECTING_MAX_INTERVAL_SECONDS from now. A credential
with fewer than two documents is collected again after the maximum (Invoice-Collector: a week). A
document is dated by its source (a mail's date), else by when it was collected.

A collection is leased work (`COLLECTION`, see `invoisx.leases`): queueing flips the credential to
`collecting` by compare-and-set, so it is queued once however many beats, sweeps and "collect now"
clicks ask for it; the run claims the lease, and the sweep (`collecting.runs.collections_sweep`)
queues again a collection whose message or worker was lost.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from collecting.models import CollectedDocument, Credential, CredentialState
from invoisx.enqueue import enqueue_on_commit
from invoisx.leases import LeasedWork

COLLECTION = LeasedWork(
    model=Credential, busy=CredentialState.COLLECTING, prefix="collect_", setting="COLLECTING", status_field="state"
)
# The states from which a credential may be queued: not disconnected (its user must act) and not
# already queued or running.
IDLE_STATES = (CredentialState.PENDING, CredentialState.OK, CredentialState.ERROR)
SCHEDULE_SAMPLE = 10


def next_collect_from(dates: list[datetime], *, now: datetime) -> datetime:
    """The rule on the dates of a credential's last documents (any order)."""
    soonest = now + timedelta(seconds=settings.COLLECTING_MIN_INTERVAL_SECONDS)
    latest = now + timedelta(seconds=settings.COLLECTING_MAX_INTERVAL_SECONDS)
    if len(dates) < 2:
        return latest
    ordered = sorted(dates)[-SCHEDULE_SAMPLE:]
    average_gap = (ordered[-1] - ordered[0]) / (len(ordered) - 1)
    return min(max(ordered[-1] + average_gap, soonest), latest)


def next_collect_at(*, credential: Credential, now: datetime) -> datetime:
    """When the credential is next collected, from the documents it collected so far."""
    dates = list(
        CollectedDocument.objects.filter(credential=credential)
        .annotate(dated=Coalesce("issued_at", "created_at"))
        .order_by("-dated")
        .values_list("dated", flat=True)[:SCHEDULE_SAMPLE]
    )
    return next_collect_from(dates, now=now)


def credentials_due(*, now: datetime | None = None) -> QuerySet[Credential]:
    """The credentials whose next collection has come, oldest due first."""
    return Credential.objects.filter(next_collect_at__lte=now or timezone.now(), state__in=IDLE_STATES).order_by(
        "next_collect_at", "pk"
    )


def credential_collect_queue(*, credential_id: int, now: datetime | None = None) -> bool:
    """Queue the credential's collection (its task is queued once the transaction commits); False if it
    is already queued or running, disconnected, or gone."""
    from collecting.tasks import collect_credential

    now = now or timezone.now()
    with transaction.atomic():
        queued = Credential.objects.filter(pk=credential_id, state__in=IDLE_STATES).update(
            state=CredentialState.COLLECTING, message="", updated_at=now, **COLLECTION.queued(now=now)
        )
        if queued:
            enqueue_on_commit(collect_credential, credential_id)
    return bool(queued)


def collections_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Queue every credential that is due (run by beat); the ids queued."""
    now = now or timezone.now()
    due = list(credentials_due(now=now).values_list("pk", flat=True)[:limit])
    return [pk for pk in due if credential_collect_queue(credential_id=pk, now=now)]
