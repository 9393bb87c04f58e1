"""One publish has an overall deadline across all its calls and retries, shorter than gunicorn's timeout.

Against the fake QuickBooks on 127.0.0.1: a provider that does not answer ends the publish with a
504 `provider_timeout` once the deadline passes (a small one here), with the claim released so the
invoice can be published again at once. Where the test needs to know what time it is, the clock is
injected: each call "takes" a set time on it, and retries' waits advance it instead of sleeping.
"""

import threading
from typing import Any

import pytest
import requests

from integrations import transport
from integrations.models import Publication, PublicationStatus
from integrations.tests.fakes import Canned
from integrations.tests.test_publish_api import REALM, publish
from invoisx.tests.envelope import error_of, success_data

QUERY = f"/v3/company/{REALM}/query"
BROKEN = Canned(503, {"Fault": {"Error": [{"Message": "Service unavailable"}]}})


class Clock:
    """The time `transport` reads; calls take `call_seconds` each, or time out when that is longer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, call_seconds: float) -> None:
        self.now = 0.0
        self.calls: list[tuple[float, float]] = []  # (when, its timeout)
        real = requests.request

        def request(method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
            self.calls.append((self.now, timeout))
            self.now += min(call_seconds, timeout)
            if call_seconds > timeout:
                raise requests.Timeout("read timed out")
            return real(method, url, timeout=timeout, **kwargs)

        monkeypatch.setattr(transport, "clock", lambda: self.now)
        monkeypatch.setattr(transport, "sleep", self.advance)
        monkeypatch.setattr(transport.requests, "request", request)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def slow_provider(qb):
    """The fake QuickBooks holds every API request until the test ends."""
    qb.gate = threading.Event()
    yield qb
    qb.gate.set()


def test_a_provider_that_does_not_answer_ends_the_publish_at_the_deadline_and_it_can_be_republished_at_once(
    alice_api, slow_provider, qb_connection, invoice, settings, monkeypatch
):
    settings.INTEGRATIONS_HTTP_TIMEOUT = 5.0
    settings.INTEGRATIONS_PUBLISH_DEADLINE_SECONDS = 0.5
    sent: list[float] = []
    real = requests.request

    def counted(method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
        sent.append(timeout)
        return real(method, url, timeout=timeout, **kwargs)

    monkeypatch.setattr(transport.requests, "request", counted)

    error = error_of(publish(alice_api, invoice), 504, "provider_timeout")

    assert "within 0.5 s" in error["message"]
    assert len(sent) == 1  # the deadline left no time for a retry
    assert sent[0] <= 0.5
    publication = Publication.objects.get(invoice=invoice)
    assert publication.status == PublicationStatus.FAILED
    assert "did not answer" in publication.failure_reason

    slow_provider.gate.set()  # the provider is back
    data = success_data(publish(alice_api, invoice))

    assert data["published"] is True
    assert Publication.objects.get(invoice=invoice).status == PublicationStatus.PUBLISHED


def test_each_call_waits_at_most_the_time_left_and_the_publish_ends_when_none_is(
    alice_api, qb, qb_connection, invoice, settings, monkeypatch
):
    settings.INTEGRATIONS_HTTP_TIMEOUT = 5.0
    settings.INTEGRATIONS_BACKOFF_SECONDS = 0.1
    settings.INTEGRATIONS_PUBLISH_DEADLINE_SECONDS = 5.0
    qb.script("GET", QUERY, BROKEN, BROKEN)
    clock = Clock(monkeypatch, call_seconds=2.0)

    error_of(publish(alice_api, invoice), 504, "provider_timeout")

    assert len(clock.calls) == 3
    assert clock.calls[0] == (0.0, 5.0)
    for started, timeout in clock.calls:
        assert timeout == pytest.approx(min(5.0, 5.0 - started))
    assert clock.calls[-1][1] < 2.0  # the last call was cut short by the deadline
    assert len(qb.api_calls()) == 2  # the third never got its answer
    assert clock.now == pytest.approx(5.0)


def test_no_retry_is_started_when_its_wait_would_pass_the_deadline(
    alice_api, qb, qb_connection, invoice, settings, waits
):
    settings.INTEGRATIONS_BACKOFF_SECONDS = 10.0
    settings.INTEGRATIONS_PUBLISH_DEADLINE_SECONDS = 5.0
    qb.script("GET", QUERY, BROKEN, BROKEN, BROKEN)

    error_of(publish(alice_api, invoice), 504, "provider_timeout")

    assert len(qb.api_calls()) == 1
    assert waits == []
    assert Publication.objects.get(invoice=invoice).status == PublicationStatus.FAILED


def test_a_rate_limit_asking_to_wait_past_the_deadline_is_passed_on_at_once(
    alice_api, qb, qb_connection, invoice, settings, waits
):
    settings.INTEGRATIONS_PUBLISH_DEADLINE_SECONDS = 2.0
    qb.script("GET", QUERY, Canned(429, {"Fault": {}}, {"Retry-After": "3"}))

    response = publish(alice_api, invoice)

    error_of(response, 503, "provider_rate_limited")
    assert response["Retry-After"] == "3"
    assert waits == []
