"""`manage.py webhooks_sweep [--every SECONDS]`: queue the webhook deliveries that are due.

Celery beat runs the same sweep (`CELERY_BEAT_SCHEDULE`); this command is for installations without
beat (a cron line, or `--every 30` as a small long-running process). On the embedded default, with no
broker, queued deliveries are sent right here.
"""

from invoisx.commands import RepeatingCommand
from webhooks.services import deliveries_sweep


class Command(RepeatingCommand):
    help = "Queue webhook deliveries whose attempt is due: retries, lost messages, deliveries of dead workers."

    def run_once(self) -> str:
        return f"Queued {deliveries_sweep()} webhook deliveries."
