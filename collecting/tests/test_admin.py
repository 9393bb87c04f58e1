"""The admin pages of a credential show neither its params nor its second factor, sealed or not.

Company scoping of these admins is checked, with every other admin's, by `invoisx/tests/test_admin.py`.
"""

import re

import pytest
from cryptography.fernet import InvalidToken
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from collecting.models import CollectorUser, Credential, CredentialState, UserToken
from collecting.services import (
    PARAMS_PURPOSE,
    TWO_FA_PURPOSE,
    TWO_FA_WAIT,
    collector_user_create,
    credential_create,
    credential_two_fa,
    user_token_issue,
)
from collecting.tests.fakes import fake_portal  # noqa: F401 (a fixture)
from invoisx.encryption import decrypt

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-portal-password"
LOGIN = "alice-portal-login@shop.example"
CODE = "482913"
# What Fernet's tokens look like (urlsafe base64 of a version byte 0x80 and a timestamp).
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_\-]+=*")


@pytest.fixture
def root() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    return client


@pytest.fixture
def credential(alice, fake_portal) -> Credential:  # noqa: F811
    user = collector_user_create(company=alice, remote_id="alice-user", locale="en")
    made = credential_create(user=user, collector="fake_portal", params={"login": LOGIN, "password": PASSWORD})
    # As a collector waiting for the second factor leaves it, with the code posted.
    Credential.objects.filter(pk=made.pk).update(
        state=CredentialState.TWO_FA_WAITING, two_fa_until=timezone.now() + TWO_FA_WAIT
    )
    credential_two_fa(credential=made, code=CODE)
    made.refresh_from_db()
    assert made.params_sealed
    assert made.two_fa_code_sealed
    return made


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:collecting_{model._meta.model_name}_{view}", args=args)


def pages_of(credential: Credential) -> list[str]:
    token = UserToken.objects.get(user=credential.user)
    return [
        admin_url(Credential, "changelist"),
        admin_url(Credential, "change", credential.pk),
        admin_url(Credential, "delete", credential.pk),
        admin_url(Credential, "history", credential.pk),
        admin_url(CollectorUser, "change", credential.user.pk),  # its credentials inline
        admin_url(CollectorUser, "delete", credential.user.pk),  # what would go with it
        admin_url(UserToken, "changelist"),
        admin_url(UserToken, "change", token.pk),
    ]


def test_the_admin_pages_of_a_credential_show_nothing_of_its_secrets(root, credential):
    user_token = user_token_issue(user=credential.user)
    token_hash = UserToken.objects.get(user=credential.user).token_hash
    urls = pages_of(credential)

    for url in urls:
        response = root.get(url)

        assert response.status_code == 200, url
        content = response.content.decode()
        for secret in (credential.params_sealed, credential.two_fa_code_sealed, PASSWORD, LOGIN, CODE):
            assert secret not in content, (url, secret)
        assert user_token not in content, url
        assert token_hash not in content, url
        for sealed in FERNET.findall(content):
            for purpose in (PARAMS_PURPOSE, TWO_FA_PURPOSE):
                with pytest.raises(InvalidToken):
                    decrypt(sealed, purpose=purpose)


def test_a_credential_page_still_shows_what_an_operator_needs(root, credential):
    response = root.get(admin_url(Credential, "change", credential.pk))

    content = response.content.decode()
    assert credential.public_id in content
    assert "fake_portal" in content
    assert "Waiting for the 2FA code" in content


def test_collect_now_in_the_admin_gives_a_disconnected_credential_another_try(root, credential):
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.DISCONNECTED, two_fa_until=None, login_failures=2, next_collect_at=None
    )

    response = root.post(
        admin_url(Credential, "changelist"), {"action": "collect_now", "_selected_action": [str(credential.pk)]}
    )

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.state == CredentialState.COLLECTING  # queued
    assert credential.login_failures == 0
    assert credential.collect_queued_at is not None
