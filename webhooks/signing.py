"""Standard Webhooks signing secrets: minting, encryption at rest, and the `webhook-signature` header.

A secret is `whsec_<base64 of 32 random bytes>`; the signature of a message is
`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">` keyed with the decoded bytes.
Signing needs the secret itself, so it is stored encrypted (`invoisx.encryption`), not hashed.
"""

import base64
import hashlib
import hmac
import secrets

from invoisx.encryption import decrypt, encrypt

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format, not a secret)
SECRET_BYTES = 32  # Standard Webhooks allows 24 to 64


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_encrypt(secret: str) -> str:
    return encrypt(secret, purpose="webhooks.secrets")


def secret_decrypt(encrypted: str) -> str:
    return decrypt(encrypted, purpose="webhooks.secrets")


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one attempt."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
