"""Where a counted API call goes, so that no request waits for a database write.

- With a shared cache (Redis, REDIS_URL): into its counters (`usage.counters`), one round trip to
  Redis. Nothing waits in the web process, so killing one loses no call; beat (or
  `manage.py usage_flush`) moves the counts into the `UsageDay` rows, and reads add what is not there
  yet, so they are exact at any moment.
- Without one, in a gunicorn worker: into this process's buffer, which a thread adds to the rows
  every USAGE_FLUSH_SECONDS (one transaction for the whole window), and which is added before this
  process reads usage and when the worker exits (gunicorn's workers leave through `sys.exit`, so
  `atexit` runs: a restart, a deploy, `--max-requests`, a timed-out request). Other processes see the
  calls after at most one window. A worker killed with SIGKILL (or the machine losing power) loses at
  most the calls of its last window: with the default 1 s, what it served in its last second.
- Anywhere else (runserver, Django's test client, a shell): straight into the row, one UPDATE per
  call. Those are single-process servers where a per-call write costs little, or servers whose exit
  this module cannot count on (uWSGI runs no `atexit` by default).
"""

import atexit
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

import redis
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from usage import counters
from usage.services import api_call_record, api_calls_add

logger = logging.getLogger(__name__)

CallKey = tuple[int, date, bool]  # company id, UTC day, is_test


@dataclass(frozen=True)
class UsageCall:
    """The API call a request is, counted once it is answered (`usage.middleware`)."""

    company_id: int
    day: date
    is_test: bool


class CallBuffer:
    """This process's counted calls that are not in the database yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards _counts; held for a dict update only
        self._flushing = threading.Lock()  # one flush at a time: the exit waits for a running one
        self._counts: Counter[CallKey] = Counter()

    def add(self, key: CallKey) -> None:
        with self._lock:
            self._counts[key] += 1

    def pending(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def flush(self) -> int:
        """Add the buffered calls to their rows; how many. On a database error they stay buffered."""
        with self._flushing:
            with self._lock:
                taken, self._counts = self._counts, Counter()
            if not taken:
                return 0
            try:
                api_calls_add(counts=taken)  # one transaction: all of them or none
            except DatabaseError:
                with self._lock:
                    self._counts.update(taken)
                raise
            return sum(taken.values())


_buffer: CallBuffer | None = None
_buffer_lock = threading.Lock()


def _served_by_gunicorn() -> bool:
    # gunicorn's arbiter puts SERVER_SOFTWARE=gunicorn/<version> in its environment, and its workers
    # inherit it: a process-wide fact, unlike the WSGI environ of one request.
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/")


def _flush_every(buffer: CallBuffer, seconds: float) -> None:
    while True:
        time.sleep(seconds)
        if buffer is not _buffer:
            return  # replaced (a forked child's copy, a test's)
        try:
            buffer.flush()
        except DatabaseError:
            logger.warning("Usage: %d API calls could not be added yet; trying again.", buffer.pending(), exc_info=True)
        finally:
            close_old_connections()  # this thread's connection, as after a request


def _flush_at_exit() -> None:
    buffer = _buffer
    if buffer is None:
        return
    try:
        buffer.flush()
    except DatabaseError:
        logger.exception("Usage: %d API calls of this process could not be added before it exited.", buffer.pending())


def _process_buffer() -> CallBuffer | None:
    """This process's buffer, started on first use; None where calls go straight to the database."""
    global _buffer
    if _buffer is not None:
        return _buffer
    seconds = settings.USAGE_FLUSH_SECONDS
    if seconds <= 0 or not _served_by_gunicorn():
        return None
    with _buffer_lock:
        if _buffer is None:
            buffer = CallBuffer()
            _buffer = buffer
            threading.Thread(target=_flush_every, args=(buffer, seconds), name="usage-flush", daemon=True).start()
    return _buffer


def _forget_buffer_in_child() -> None:
    # A process forked from this one starts without its parent's calls, which the parent still counts.
    global _buffer
    _buffer = None


os.register_at_fork(after_in_child=_forget_buffer_in_child)
atexit.register(_flush_at_exit)


def api_call_count(*, company_id: int, day: date, is_test: bool) -> None:
    """Count one API call of the company on `day` (UTC)."""
    client = counters.shared_redis()
    if client is not None:
        try:
            counters.cache_count(client, company_id=company_id, day=day, is_test=is_test)
            return
        except redis.RedisError:
            # The answer is made already: count the call in its row instead (the rows' marks concern
            # only what came from Redis, so a call added here is added once).
            logger.warning("Usage: Redis refused an API call; counting it in the database.", exc_info=True)
    buffer = _process_buffer()
    if buffer is None:
        api_call_record(company_id=company_id, day=day, is_test=is_test)
        return
    buffer.add((company_id, day, is_test))


def own_calls_flush() -> int:
    """Add this process's buffered calls to the database now (before it reads usage); how many."""
    return _buffer.flush() if _buffer is not None else 0
