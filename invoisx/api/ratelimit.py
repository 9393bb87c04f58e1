"""Rolling one-hour request limits whose counters live in the shared cache (Redis in production).

The hour is kept as sixty one-minute buckets per key. A request increments the current bucket
atomically (`cache.incr`, an INCR in Redis) and is allowed while the sum of the last sixty buckets
stays within the limit, so every web process on every machine sees the same count. The fifty-nine
finished minutes are summed once per minute and kept in the cache (`_closed_counts`). Requests that are
refused are not counted: a client that keeps retrying still recovers as old minutes leave the window.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

WINDOW_SECONDS = 3600
BUCKET_SECONDS = 60
BUCKETS = WINDOW_SECONDS // BUCKET_SECONDS


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int  # unix time at which the oldest counted request leaves the window
    allowed: bool
    retry_after: int  # seconds until a refused request would be allowed; 0 when allowed

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def _bucket_key(key: str, bucket: int) -> str:
    return f"ratelimit:{key}:{bucket}"


def _increment(cache_key: str) -> int:
    # incr() is atomic in Redis and in the local cache, and keeps the bucket's expiry; only a minute's
    # first request finds no bucket, adds it (a no-op if another process just did) and counts again.
    try:
        return cache.incr(cache_key)
    except ValueError:
        cache.add(cache_key, 0, timeout=WINDOW_SECONDS + BUCKET_SECONDS)
        return cache.incr(cache_key)


def _closed_counts(key: str, closed: list[int]) -> list[int]:
    """The counts of the window's past minutes, read once per minute for all processes.

    A minute's bucket no longer changes once the minute is over (a refusal only ever takes back from
    the current one), so their counts are kept in the cache beside them until the next minute: each
    request then reads one entry instead of fifty-nine. Requests a process was still counting into
    the old minute as it ended are missed for that minute's summary: a few at most, at the limit's
    edge, never a whole minute.
    """
    summary_key = f"ratelimit:{key}:closed:{closed[-1]}"
    counts: list[int] | None = cache.get(summary_key)
    if counts is None:
        stored = cache.get_many([_bucket_key(key, bucket) for bucket in closed])
        counts = [int(stored.get(_bucket_key(key, bucket), 0)) for bucket in closed]
        cache.set(summary_key, counts, timeout=2 * BUCKET_SECONDS)
    return counts


def hit(key: str, limit: int, *, now: float | None = None) -> RateLimitState:
    """Count one request for `key` and say whether it fits in the rolling hour."""
    now = time.time() if now is None else now
    current = int(now // BUCKET_SECONDS)
    buckets = list(range(current - BUCKETS + 1, current + 1))
    current_key = _bucket_key(key, current)

    counts = [*_closed_counts(key, buckets[:-1]), _increment(current_key)]
    used = sum(counts)

    allowed = used <= limit
    if not allowed:
        cache.decr(current_key)
        counts[-1] -= 1
        used -= 1

    reset = _reset_time(buckets, counts, now)
    retry_after = 0 if allowed else _seconds_until_free(buckets, counts, used - limit + 1, now)
    return RateLimitState(
        limit=limit,
        remaining=max(0, limit - used),
        reset=reset,
        allowed=allowed,
        retry_after=retry_after,
    )


def _leaves_window_at(bucket: int) -> int:
    return (bucket + BUCKETS) * BUCKET_SECONDS


def _reset_time(buckets: list[int], counts: list[int], now: float) -> int:
    for bucket, count in zip(buckets, counts, strict=True):
        if count > 0:
            return _leaves_window_at(bucket)
    return int(now) + WINDOW_SECONDS


def _seconds_until_free(buckets: list[int], counts: list[int], needed: int, now: float) -> int:
    """Seconds until `needed` counted requests have left the window."""
    freed = 0
    for bucket, count in zip(buckets, counts, strict=True):
        freed += count
        if freed >= needed:
            return max(1, _leaves_window_at(bucket) - int(now))
    return WINDOW_SECONDS
