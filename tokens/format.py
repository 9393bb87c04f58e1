"""What a token looks like: `sk_live_` or `sk_test_`, a public lookup part, a secret, a checksum.

    sk_live_ AbC12dEf9q  <32 secret characters>  <6 checksum characters>
    mode     lookup (10)                         CRC32 of lookup + secret, base62

Only `mode + lookup` is stored in clear (as the token's prefix, to find it and to show it in lists).
"""

import re
import secrets
import zlib

from invoisx.ids import ALPHABET, random_string

LIVE_PREFIX = "sk_live_"
TEST_PREFIX = "sk_test_"
LOOKUP_LENGTH = 10
SECRET_LENGTH = 32
CHECKSUM_LENGTH = 6

TOKEN_FORMAT = re.compile(
    rf"^(?P<mode>sk_live_|sk_test_)(?P<lookup>[A-Za-z0-9]{{{LOOKUP_LENGTH}}})"
    rf"(?P<secret>[A-Za-z0-9]{{{SECRET_LENGTH}}})(?P<checksum>[A-Za-z0-9]{{{CHECKSUM_LENGTH}}})$"
)


def checksum(body: str) -> str:
    """Six base62 characters of CRC32, so scanners can tell a real token from random text offline."""
    value = zlib.crc32(body.encode())
    chars = []
    for _ in range(CHECKSUM_LENGTH):
        value, remainder = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[remainder])
    return "".join(reversed(chars))


def new_raw_token(*, is_test: bool) -> tuple[str, str]:
    """A fresh (prefix, token) pair."""
    mode = TEST_PREFIX if is_test else LIVE_PREFIX
    lookup = random_string(LOOKUP_LENGTH)
    body = lookup + "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return f"{mode}{lookup}", f"{mode}{body}{checksum(body)}"


def parse_prefix(raw_token: str) -> str | None:
    """The stored prefix of a well-formed token with a valid checksum, else None."""
    match = TOKEN_FORMAT.match(raw_token)
    if not match or checksum(match["lookup"] + match["secret"]) != match["checksum"]:
        return None
    return match["mode"] + match["lookup"]
