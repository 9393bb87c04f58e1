"""Alice and Bob with their signing identities, as every company has once its creation is committed
(the tests' transactions never commit, so the identity is made here instead)."""

import pytest

from signing.services import signing_identity_ensure


@pytest.fixture
def alice(alice):
    signing_identity_ensure(company=alice)
    return alice


@pytest.fixture
def bob(bob):
    signing_identity_ensure(company=bob)
    return bob
