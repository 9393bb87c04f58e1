"""Secrets at rest: sealed text hides them, keys rotate, an unknown key opens nothing."""

import pytest
from cryptography.fernet import Fernet, InvalidToken

from invoisx.encryption import decrypt, encrypt


def test_a_secret_round_trips_and_the_ciphertext_hides_it(settings):
    settings.ENCRYPTION_KEYS = []
    sealed = encrypt("at-secret-value", purpose="integrations.tokens")

    assert "at-secret-value" not in sealed
    assert decrypt(sealed, purpose="integrations.tokens") == "at-secret-value"


def test_derived_keys_differ_by_purpose(settings):
    settings.ENCRYPTION_KEYS = []
    sealed = encrypt("whsec_x", purpose="webhooks.secrets")

    with pytest.raises(InvalidToken):
        decrypt(sealed, purpose="integrations.tokens")


def test_a_new_key_encrypts_and_the_old_one_still_decrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    sealed_with_old = encrypt("rt-1", purpose="integrations.tokens")

    settings.ENCRYPTION_KEYS = [new, old]

    assert decrypt(sealed_with_old, purpose="integrations.tokens") == "rt-1"
    assert Fernet(new.encode()).decrypt(encrypt("rt-2", purpose="integrations.tokens").encode()) == b"rt-2"


def test_a_secret_sealed_with_an_unknown_key_does_not_decrypt(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    sealed = encrypt("at-x", purpose="integrations.tokens")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(InvalidToken):
        decrypt(sealed, purpose="integrations.tokens")
