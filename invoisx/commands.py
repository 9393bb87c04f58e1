"""A base for management commands that do one round of background work (a sweep, a purge): once, for
cron, or with `--every SECONDS` again and again as a small long-running process, for installations
that run no Celery beat."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class RepeatingCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=None, help="Run again every SECONDS until stopped")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every is not None and every <= 0:
            raise CommandError("--every must be more than 0 seconds.")
        while True:
            self.stdout.write(self.run_once())
            if every is None:
                return
            time.sleep(every)

    def run_once(self) -> str:
        """Do one round; what to print about it."""
        raise NotImplementedError
