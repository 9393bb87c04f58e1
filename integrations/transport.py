"""HTTP to the providers with bounded retries: the one place that sleeps, times out and backs off.

Retried: network errors, timeouts, 5xx, and 429 (waiting what Retry-After asks, if that is at most
INTEGRATIONS_MAX_RETRY_AFTER_SECONDS; a longer wait is handed to our caller at once). Every other
answer goes back to the caller, who knows the provider's error format. Requests that create objects
carry an idempotency key (QuickBooks `requestid`, Xero `Idempotency-Key`), so retrying them is safe.
Tokens travel in headers and bodies only, which are never logged.
"""

import hashlib
import json
import logging
import random
import time
from collections.abc import Mapping
from typing import Any

import requests
from django.conf import settings

from invoisx.errors import PROVIDER_RATE_LIMITED, PROVIDER_UNAVAILABLE, DomainError

logger = logging.getLogger(__name__)

# Tests replace this to control time instead of sleeping through it.
sleep = time.sleep


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
            response = requests.request(method, url, timeout=settings.INTEGRATIONS_HTTP_TIMEOUT, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as error:
            logger.warning(
                "%s %s to %s failed: %s (attempt %s)", provider, method, _path(url), type(error).__name__, attempt
            )
            if last:
                raise DomainError(
                    code=PROVIDER_UNAVAILABLE, message=f"{provider} could not be reached. Try again later."
                ) from error
            sleep(_backoff(attempt))
            continue
        if response.status_code == 429:
            wait = retry_after_seconds(response.headers)
            logger.warning("%s rate limited %s %s (retry after %s s)", provider, method, _path(url), wait)
            if last or (wait is not None and wait > settings.INTEGRATIONS_MAX_RETRY_AFTER_SECONDS):
                raise DomainError(
                    code=PROVIDER_RATE_LIMITED,
                    message=f"{provider} is rate limiting this company. Try again later.",
                    retry_after=wait or _backoff(attempt),
                )
            sleep(wait if wait is not None else _backoff(attempt))
            continue
        if response.status_code >= 500:
            logger.warning(
                "%s answered %s to %s %s (attempt %s)", provider, response.status_code, method, _path(url), attempt
            )
            if last:
                raise DomainError(
                    code=PROVIDER_UNAVAILABLE,
                    message=f"{provider} answered with an error ({response.status_code}). Try again later.",
                )
            sleep(_backoff(attempt))
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
