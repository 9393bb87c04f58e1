"""Two writers racing for one row, made certain rather than likely (PostgreSQL row locks).

`Race` runs each writer in its own thread with its own database connection. The first is held
inside its transaction right after a chosen step (it has taken its locks and made its change, but
not committed) while the second starts; the first is let go only once the second is seen waiting
for a lock in `pg_stat_activity`, or has finished without waiting. So the test observes, rather
than assumes, that the second writer waited for the first, and no pause is a guessed duration.

SQLite has no row locks (its writers queue for the whole database): tests using `postgresql` are
skipped on a laptop without `DATABASE_URL` and fail under CI=true, where `.ci/run` provides it.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from conftest import require

JOIN_SECONDS = 30  # an upper bound for a stuck writer, never a pause the test relies on
POLL_SECONDS = 0.02


@pytest.fixture
def postgresql(transactional_db: None, settings: Any) -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    # What the writers commit may queue tasks (learning a layout, sending webhooks): run them here.
    settings.CELERY_TASK_ALWAYS_EAGER = True


class Race:
    """Hold the first writer just after it returns from `owner.<step>`; run the second meanwhile.

    `step` must be called inside the first writer's transaction, after the locks it takes on purpose.
    Either writer's outcome is its return value or the exception it raised.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, step: str) -> None:
        self.first_inside = threading.Event()
        self.release = threading.Event()
        self.second_done = threading.Event()
        self.second_pid: int | None = None
        self.second_pid_known = threading.Event()
        self.second_waited_for_lock = False
        self.outcomes: dict[str, Any] = {}
        original = getattr(owner, step)

        def step_then_hold(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if threading.current_thread().name == "first" and not self.first_inside.is_set():
                self.first_inside.set()
                self.release.wait(JOIN_SECONDS)
            return result

        monkeypatch.setattr(owner, step, step_then_hold)

    def _call(self, name: str, write: Callable[[], Any]) -> None:
        try:
            if name == "second":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.second_pid = cursor.fetchone()[0]
                self.second_pid_known.set()
            self.outcomes[name] = write()
        except Exception as error:  # refused, deadlocked or crashed: the test looks at it, not lost in the thread
            self.outcomes[name] = error
        finally:
            if name == "second":
                self.second_pid_known.set()
                self.second_done.set()
            connections.close_all()  # this thread's connection

    def _second_is_waiting_for_a_lock(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [self.second_pid])
            row = cursor.fetchone()
        return row is not None and row[0] == "Lock"

    def _wait_for_the_second_to_block_or_finish(self) -> None:
        self.second_pid_known.wait(JOIN_SECONDS)
        deadline = time.monotonic() + JOIN_SECONDS
        while not self.second_done.is_set() and time.monotonic() < deadline:
            if self._second_is_waiting_for_a_lock():
                self.second_waited_for_lock = True
                return
            self.second_done.wait(POLL_SECONDS)

    def run(self, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
        one = threading.Thread(target=self._call, args=("first", first), name="first")
        two = threading.Thread(target=self._call, args=("second", second), name="second")
        one.start()
        if not self.first_inside.wait(JOIN_SECONDS):
            self.release.set()
            one.join(JOIN_SECONDS)
            pytest.fail(f"the first writer never reached its hold: {self.outcomes.get('first')!r}")
        two.start()
        try:
            self._wait_for_the_second_to_block_or_finish()
        finally:
            self.release.set()
        one.join(JOIN_SECONDS)
        two.join(JOIN_SECONDS)
        assert not one.is_alive(), "the first writer is stuck"
        assert not two.is_alive(), "the second writer is stuck"
        return self.outcomes["first"], self.outcomes["second"]
