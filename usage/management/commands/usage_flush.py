"""`manage.py usage_flush [--every SECONDS]`: add the API calls counted in Redis to the daily rows.

Celery beat runs the same (`CELERY_BEAT_SCHEDULE`, every USAGE_CACHE_FLUSH_SECONDS); this command is for
installations without beat. Usage figures are exact without it (reads add what the rows lack); the
rows are what the admin shows, the retention purge deletes and a Redis without persistence would lose.
Without Redis there is nothing to do here: each web process adds its own calls (`usage.recording`).
"""

from invoisx.commands import RepeatingCommand
from usage.services import api_calls_flush


class Command(RepeatingCommand):
    help = "Add the API calls counted in Redis to the daily usage rows."

    def run_once(self) -> str:
        return f"Added {api_calls_flush()} API calls to the usage rows."
