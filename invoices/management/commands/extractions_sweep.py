"""`manage.py extractions_sweep [--every SECONDS]`: queue again the extractions whose queue message or
worker was lost, and fail those whose worker stopped EXTRACTION_MAX_ATTEMPTS times.

Celery beat runs the same sweep (`CELERY_BEAT_SCHEDULE`); this command is for installations without
beat. On the embedded default, with no broker, the extractions queued again run right here.
"""

from invoices.intake import extractions_sweep
from invoisx.commands import RepeatingCommand


class Command(RepeatingCommand):
    help = "Queue again the extractions no message or worker will finish; fail those out of attempts."

    def run_once(self) -> str:
        lost = extractions_sweep()
        return f"Queued {len(lost.requeue)} extractions again; failed {len(lost.exhausted)}."
