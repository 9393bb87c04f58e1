"""Usage tests run on a frozen clock: 2026-04-14 12:30 UTC, the moment seed 001's example shows."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

NOW = datetime(2026, 4, 14, 12, 30, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch) -> datetime:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW
