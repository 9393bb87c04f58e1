"""A small collector for the API tests: two parameters, one of them secret; it never logs in."""

from collections.abc import Iterator
from typing import Any

import pytest

from collecting.collectors import REGISTRY, register
from collecting.collectors.base import Collector, CollectorError, Param, Session, TwoFactorPrompt


class FakePortal(Collector):
    key = "fake_portal"
    name = {"en": "Fake portal", "fr": "Portail factice"}
    description = {"en": "Invoices of a portal that does not exist", "fr": "Les factures d'un portail inexistant"}
    params = (
        Param(name="login", type="text", label={"en": "Login", "fr": "Identifiant"}, placeholder={"en": "you@shop"}),
        Param(name="password", type="password", label={"en": "Password", "fr": "Mot de passe"}, secret=True),
        Param(name="port", type="number", label={"en": "Port", "fr": "Port"}, mandatory=False, default=443),
    )

    def open(self, params: dict[str, Any], *, two_factor: TwoFactorPrompt) -> Session:
        raise CollectorError("The fake portal cannot be reached.")


@pytest.fixture
def fake_portal() -> Iterator[FakePortal]:
    """`fake_portal`, registered for the test and unregistered after it."""
    collector = FakePortal()
    register(collector)
    yield collector
    REGISTRY.pop(collector.key, None)
