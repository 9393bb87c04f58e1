"""Secrets the product must read back, kept encrypted at rest: OAuth tokens, webhook signing secrets.

Fernet (AES-128-CBC with an HMAC-SHA256). `ENCRYPTION_KEYS` may list several Fernet keys: the first
encrypts and all of them decrypt, so a key can be rotated without losing what the old one sealed.
Without any, a key is derived from SECRET_KEY for each purpose, so the embedded default works
unconfigured; changing SECRET_KEY then makes those secrets unreadable (reconnect, rotate).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet(purpose: str) -> MultiFernet:
    keys = [key.encode() for key in settings.ENCRYPTION_KEYS if key]
    if not keys:
        digest = hashlib.sha256(f"invoisx.{purpose}:".encode() + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest)]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plain: str, *, purpose: str) -> str:
    """`purpose` (e.g. "integrations.tokens") keeps the derived keys of different secrets apart."""
    return _fernet(purpose).encrypt(plain.encode()).decode()


def decrypt(sealed: str, *, purpose: str) -> str:
    """Raises cryptography's InvalidToken when no configured key opens it."""
    return _fernet(purpose).decrypt(sealed.encode()).decode()
