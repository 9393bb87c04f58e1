"""`manage.py invoice_deliveries_sweep [--every SECONDS]`: queue again the invoice emails whose task was
lost (still queued DELIVERY_SWEEP_GRACE_SECONDS after they were due).

Celery beat runs the same sweep (`CELERY_BEAT_SCHEDULE`); this command is for installations without
beat. On the embedded default, with no broker, the emails queued again are sent right here.
"""

from invoices.issuing.sending import deliveries_sweep
from invoisx.commands import RepeatingCommand


class Command(RepeatingCommand):
    help = "Queue again the invoice emails no task will send."

    def run_once(self) -> str:
        return f"Queued {len(deliveries_sweep())} invoice emails again."
