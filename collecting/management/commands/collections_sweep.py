"""`manage.py collections_sweep [--every SECONDS]`: queue the credentials whose collection is due, and
again the collections whose task was lost (its message, or its worker).

Celery beat runs the same two (`CELERY_BEAT_SCHEDULE`: `collections-due`, `collections-sweep`); this
command is for installations without beat. On the embedded default, with no broker, the collections
queued run right here.
"""

from collecting.runs import collections_sweep
from collecting.schedule import collections_due
from invoisx.commands import RepeatingCommand


class Command(RepeatingCommand):
    help = "Queue the collections that are due, and again those no task will finish."

    def run_once(self) -> str:
        lost = collections_sweep()
        due = collections_due()
        return (
            f"Queued {len(due)} due collections, {len(lost.requeue)} lost ones again; "
            f"{len(lost.exhausted)} out of attempts failed."
        )
