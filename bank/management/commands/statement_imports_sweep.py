"""`manage.py statement_imports_sweep [--every SECONDS]`: queue again the bank statement import jobs whose
queue message or worker was lost, and fail those whose worker stopped BANK_IMPORT_MAX_ATTEMPTS times.

Celery beat runs the same sweep (`CELERY_BEAT_SCHEDULE`); this command is for installations without
beat. On the embedded default, with no broker, the jobs queued again run right here.
"""

from bank.services import statement_imports_sweep
from invoisx.commands import RepeatingCommand


class Command(RepeatingCommand):
    help = "Queue again the statement imports no message or worker will finish; fail those out of attempts."

    def run_once(self) -> str:
        lost = statement_imports_sweep()
        return f"Queued {len(lost.requeue)} statement imports again; failed {len(lost.exhausted)}."
