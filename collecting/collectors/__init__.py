"""The collectors: each a plugin (`base.Collector`), registered here by its key."""

from collecting.collectors.base import Collector

REGISTRY: dict[str, Collector] = {}


def register(collector: Collector) -> Collector:
    REGISTRY[collector.key] = collector
    return collector


def collector_get(key: str) -> Collector | None:
    return REGISTRY.get(key)


# Each collector module registers itself when imported; they import `register` above, so they come last.
from collecting.collectors import demo_portal, imap, sftp  # noqa: E402, F401
