"""`manage.py webhooks_sweep [--every SECONDS]`: queue the webhook deliveries that are due.

Celery beat runs the same sweep (`CELERY_BEAT_SCHEDULE`); this command is for installations without
beat (a cron line, or `--every 30` as a small long-running process). On the embedded default, with no
broker, queued deliveries are sent right here.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webhooks.services import deliveries_sweep


class Command(BaseCommand):
    help = "Queue webhook deliveries whose attempt is due: retries, lost messages, deliveries of dead workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=None, help="Sweep again every SECONDS until stopped")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every is not None and every <= 0:
            raise CommandError("--every must be more than 0 seconds.")
        while True:
            self.stdout.write(f"Queued {deliveries_sweep()} webhook deliveries.")
            if every is None:
                return
            time.sleep(every)
