"""`manage.py purge_expired [--every SECONDS]`: delete what is past its retention period.

Celery beat runs the same purge (`CELERY_BEAT_SCHEDULE`, every RETENTION_PURGE_SECONDS); this command
is for installations without beat. What is kept how long: `invoisx.purge`.
"""

from invoisx.commands import RepeatingCommand
from invoisx.purge import expired_records_purge


class Command(RepeatingCommand):
    help = "Delete idempotency keys, finished webhook deliveries, events and sessions past their retention."

    def run_once(self) -> str:
        purged = expired_records_purge()
        return "Purged " + ", ".join(f"{count} {kind}" for kind, count in purged.items()) + "."
