"""`manage.py reconciliations_sweep [--every SECONDS]`: queue again the reconciliations whose queue
message or worker was lost, and fail those whose worker stopped RECONCILE_MAX_ATTEMPTS times.

Celery beat runs the same sweep (`CELERY_BEAT_SCHEDULE`); this command is for installations without
beat. On the embedded default, with no broker, the runs queued again run right here.
"""

from bank.reconciliations import reconciliations_sweep
from invoisx.commands import RepeatingCommand


class Command(RepeatingCommand):
    help = "Queue again the reconciliations no message or worker will finish; fail those out of attempts."

    def run_once(self) -> str:
        lost = reconciliations_sweep()
        return f"Queued {len(lost.requeue)} reconciliations again; failed {len(lost.exhausted)}."
