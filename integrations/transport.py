"""HTTP to the providers with bounded retries: the one place that sleeps, times out and backs off.

Retried: network errors, timeouts, 5xx, and 429 (waiting what Retry-After asks, if that is at most
INTEGRATIONS_MAX_RETRY_AFTER_SECONDS; a longer wait is handed to our caller at once). Every other
answer goes back to the caller, who knows the provider's error format. Requests that create objects
carry an idempotency key (QuickBooks `requestid`, Xero `Idempotency-Key`), so retrying them is safe.
Tokens travel in headers and bodies only, which are never logged.

Within `deadline(seconds)` every call and retry shares one overall budget: a call's timeout is the
smaller of INTEGRATIONS_HTTP_TIMEOUT and the time left, no retry starts (nor waits) past it, and
running out raises a `DomainError` with code `provider_timeout` (504). Publishing sets one shorter
than gunicorn's worker timeout, so a slow provider ends the request with an answer instead of a killed worker.
"""

import hashlib
import json
import logging
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import requests
from django.conf import settings

from invoisx.errors import PROVIDER_RATE_LIMITED, PROVIDER_TIMEOUT, PROVIDER_UNAVAILABLE, DomainError

logger = logging.getLogger(__name__)

# Tests replace these to control time instead of sleeping through it.
sleep = time.sleep
clock = time.monotonic

# When the calls of the current operation must be done by (on `clock`), and the budget it was given.
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("integrations_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every `send` inside shares `seconds` in all (an enclosing, earlier deadline still holds)."""
    end = clock() + seconds
    outer = _deadline.get()
    if outer is not None and outer[0] < end:
        end, seconds = outer
    token = _deadline.set((end, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def _time_left() -> float | None:
    current = _deadline.get()
    return None if current is None else current[0] - clock()


def _out_of_time(provider: str) -> DomainError:
    current = _deadline.get()
    budget = f" within {current[1]:g} s" if current is not None else ""
    return DomainError(
        code=PROVIDER_TIMEOUT, message=f"{provider} did not answer{budget}; nothing more was tried. Try again."
    )


def _timeout(provider: str) -> float:
    """This call's timeout: the per-call one, or less when the deadline is nearer."""
    left = _time_left()
    if left is None:
        return settings.INTEGRATIONS_HTTP_TIMEOUT
    if left <= 0:
        raise _out_of_time(provider)
    return min(settings.INTEGRATIONS_HTTP_TIMEOUT, left)


def _time_for(seconds: float) -> bool:
    """Whether waiting `seconds` would still leave time for another call."""
    left = _time_left()
    return left is None or seconds < left


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Retry-After in seconds, when given as seconds (both providers do)."""
    value = headers.get("Retry-After", "").strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _backoff(attempt: int) -> float:
    base = settings.INTEGRATIONS_BACKOFF_SECONDS * 2 ** (attempt - 1)
    return base + random.uniform(0, base / 2)  # noqa: S311 - jitter, not a secret


def send(method: str, url: str, *, provider: str, **kwargs: Any) -> requests.Response:
    """The provider's answer to one request, retried on transient failures; raises when they persist."""
    attempts = max(settings.INTEGRATIONS_MAX_ATTEMPTS, 1)
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        try:
            response = requests.request(method, url, timeout=_timeout(provider), **kwargs)
        except (requests.ConnectionError, requests.Timeout) as error:
            logger.warning(
                "%s %s to %s failed: %s (attempt %s)", provider, method, _path(url), type(error).__name__, attempt
            )
            pause = _backoff(attempt)
            if not _time_for(0 if last else pause):  # the deadline cut this call short, or leaves no retry
                raise _out_of_time(provider) from error
            if last:
                raise DomainError(
                    code=PROVIDER_UNAVAILABLE, message=f"{provider} could not be reached. Try again later."
                ) from error
            sleep(pause)
            continue
        if response.status_code == 429:
            wait = retry_after_seconds(response.headers)
            logger.warning("%s rate limited %s %s (retry after %s s)", provider, method, _path(url), wait)
            pause = wait if wait is not None else _backoff(attempt)
            if last or pause > settings.INTEGRATIONS_MAX_RETRY_AFTER_SECONDS or not _time_for(pause):
                raise DomainError(
                    code=PROVIDER_RATE_LIMITED,
                    message=f"{provider} is rate limiting this company. Try again later.",
                    retry_after=pause,
                )
            sleep(pause)
            continue
        if response.status_code >= 500:
            logger.warning(
                "%s answered %s to %s %s (attempt %s)", provider, response.status_code, method, _path(url), attempt
            )
            pause = _backoff(attempt)
            if not last and not _time_for(pause):  # no time left for a retry
                raise _out_of_time(provider)
            if last:
                raise DomainError(
                    code=PROVIDER_UNAVAILABLE,
                    message=f"{provider} answered with an error ({response.status_code}). Try again later.",
                )
            sleep(pause)
            continue
        return response
    raise AssertionError("unreachable")  # the loop returns or raises on its last attempt


def _path(url: str) -> str:
    """The URL without its query, which can carry names of the company's suppliers."""
    return url.split("?", 1)[0]


def json_of(response: requests.Response, *, provider: str) -> Any:
    """The JSON body of a successful answer; a body that is not JSON is the provider misbehaving."""
    try:
        return response.json()
    except ValueError as error:
        raise DomainError(
            code=PROVIDER_UNAVAILABLE, message=f"{provider} answered with something that is not JSON."
        ) from error


def idempotency_key(prefix: str, step: str, payload: Any) -> str:
    """A key that is the same for the same request (a retry after a lost answer is then recognised)
    and different once the payload changed (a corrected invoice is not answered with the old error)."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{prefix}-{step}-{digest}"
