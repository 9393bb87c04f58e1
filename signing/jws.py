"""Signed JSON envelopes in the manner of GOBL: the canonical document's SHA-256 digest, signed as a
compact ES256 JWS by the company's envelope key, whose public half is at /.well-known/jwks.json.

    {"$schema": "https://gobl.org/draft-0/envelope",
     "head": {"uuid": "...", "dig": {"alg": "sha256", "val": "<hex>"}},
     "doc": {...the issued document...},
     "sigs": ["<compact JWS>"]}

As GOBL v0.502 does, the JWS signs not the document but `{"uuid", "dig", "iss", "iat"}`: the digest
binds the document, `iat` (Unix seconds) says when, and `iss`, the instance's public base URL whose
/.well-known/jwks.json holds the key, is there only when `settings.SIGNING_ISSUER` names it. The
protected header is `{"alg": "ES256", "kid": ...}`.

Canonical JSON (`canonical_json`), after GOBL's c14n: UTF-8; no insignificant whitespace; object
members sorted by the code points of their names; members whose value is null left out (as Go's
`omitempty` leaves them out of every GOBL document; nulls inside arrays stay, their place matters);
integers as plain digits; other numbers in GOBL's exponent form (`1.5E0`); strings escaped only
where JSON must (`\\"`, `\\\\`, `\\b \\f \\n \\r \\t`, other control characters as `\\u00XX`).
An issued document holds no fractional numbers (amounts are strings), so the number rule is only
there to make any JSON canonical.
"""

import base64
import binascii
import copy
import datetime
import hashlib
import json
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from companies.models import Company
from signing.models import EnvelopeKey
from signing.services import envelope_key_private, signing_identity_ensure
from signing.verification import NOT_OURS, EnvelopeVerification

ENVELOPE_SCHEMA = "https://gobl.org/draft-0/envelope"
ALGORITHM = "ES256"
DIGEST_ALGORITHM = "sha256"
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def canonical_json(value: Any) -> bytes:
    """`value` (dicts, lists, strings, ints, Decimals or floats, bools, None) as canonical JSON bytes.
    Raises ValueError for what JSON cannot hold (a lone surrogate, NaN, a non-string key, ...)."""
    return _canonical(value).encode("utf-8")


def _canonical(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return _canonical_float(value)
    if isinstance(value, str):
        return _canonical_string(value)
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ValueError("Object member names must be strings.")
        members = sorted(((key, item) for key, item in value.items() if item is not None), key=lambda member: member[0])
        return "{" + ",".join(f"{_canonical_string(key)}:{_canonical(item)}" for key, item in members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    raise ValueError(f"{type(value).__name__} is not JSON.")


def _canonical_string(text: str) -> str:
    text.encode("utf-8")  # a lone surrogate cannot be UTF-8: UnicodeEncodeError is a ValueError
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif char < " ":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _canonical_float(number: Decimal | float) -> str:
    # GOBL reads any number with a fraction or an exponent as a float64 and writes it as
    # d.dddE±n with the fewest digits that read back the same.
    value = float(number)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinities are not JSON.")
    if value == 0:
        return "0.0E0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(str(digit) for digit in digits)
    mantissa = text[0] + "." + (text[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{exponent + len(text) - 1}"


def document_digest(document: Any) -> str:
    """The hex SHA-256 of the document's canonical JSON."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def envelope_build(*, company: Company, document: dict[str, Any], uuid: str) -> dict[str, Any]:
    """The document in a signed envelope, signed by the company's active envelope key."""
    envelope_key = signing_identity_ensure(company=company).envelope_key
    digest = {"alg": DIGEST_ALGORITHM, "val": document_digest(document)}
    payload: dict[str, Any] = {"uuid": uuid, "dig": digest, "iat": int(time.time())}
    issuer = getattr(settings, "SIGNING_ISSUER", "")
    if issuer:
        payload["iss"] = issuer
    token = jws.JWS(canonical_json(payload))
    token.add_signature(
        envelope_key_private(envelope_key),
        alg=ALGORITHM,
        protected=json.dumps({"alg": ALGORITHM, "kid": envelope_key.kid}),
    )
    return {
        "$schema": ENVELOPE_SCHEMA,
        "head": {"uuid": uuid, "dig": dict(digest)},
        "doc": copy.deepcopy(document),
        "sigs": [token.serialize(compact=True)],
    }


def envelope_verify(envelope: Any) -> EnvelopeVerification:
    """Whether the envelope's document is unchanged and signed by an envelope key of this instance.
    Never raises on what it is given: anything malformed is invalid with a problem."""
    result = EnvelopeVerification()
    if not isinstance(envelope, dict):
        result.problems.append("The envelope is not a JSON object.")
        return result
    head, document, signatures = envelope.get("head"), envelope.get("doc"), envelope.get("sigs")
    if isinstance(document, dict) and isinstance(document.get("id"), str):
        result.invoice_id = document["id"]
    if not isinstance(head, dict) or not isinstance(head.get("uuid"), str) or not _is_digest(head.get("dig")):
        result.problems.append('The envelope has no "head" with a "uuid" and a SHA-256 "dig".')
        return result
    if not isinstance(document, dict):
        result.problems.append('The envelope has no "doc" object.')
        return result
    try:
        unchanged = document_digest(document) == head["dig"]["val"]
    except (ValueError, RecursionError):
        result.problems.append("The document cannot be read as JSON.")
        return result
    if not unchanged:
        result.problems.append("The document was changed after it was signed: its digest no longer matches.")
    if not isinstance(signatures, list) or not signatures:
        result.problems.append("The envelope carries no signature.")
    else:
        for token in signatures:
            _verify_signature(token, head, result)
    result.valid = not result.problems
    return result


def _is_digest(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("alg") == DIGEST_ALGORITHM
        and isinstance(value.get("val"), str)
        and len(value["val"]) == 64
    )


def _verify_signature(token: Any, head: dict[str, Any], result: EnvelopeVerification) -> None:
    header = _protected_header(token)
    if header is None:
        result.problems.append("A signature is not a compact JWS.")
        return
    if header.get("alg") != ALGORITHM:
        result.problems.append(f"A signature is not {ALGORITHM}.")
        return
    kid = header.get("kid")
    envelope_key = (
        EnvelopeKey.objects.select_related("company").filter(kid=kid).first() if isinstance(kid, str) else None
    )
    if envelope_key is None:
        result.problems.append(NOT_OURS)
        return
    signed = jws.JWS()
    try:
        signed.deserialize(token)
        signed.verify(jwk.JWK(**envelope_key.public_jwk), alg=ALGORITHM)
        payload = json.loads(signed.payload)
    except (JWException, ValueError, TypeError):
        result.problems.append("The signature does not verify: the envelope was changed after it was signed.")
        return
    if not isinstance(payload, dict) or payload.get("uuid") != head["uuid"] or payload.get("dig") != head["dig"]:
        result.problems.append("The signature is for another document: its uuid or digest differ from the head's.")
        return
    issued_at = payload.get("iat")
    if not isinstance(issued_at, int) or isinstance(issued_at, bool):
        result.problems.append('The signature states no signing time ("iat").')
        return
    # iat is whole seconds, valid_from is not: compare at the precision iat has.
    after_start = issued_at >= int(envelope_key.valid_from.timestamp())
    before_end = envelope_key.valid_until is None or issued_at <= envelope_key.valid_until.timestamp()
    if not (after_start and before_end):
        result.problems.append("The signing time lies outside the period the key was in use.")
        return
    company = envelope_key.company
    result.signed_by = company.legal_name or company.name
    try:
        result.signed_at = datetime.datetime.fromtimestamp(issued_at, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        result.problems.append('The signing time ("iat") is out of range.')


def _protected_header(token: Any) -> dict[str, Any] | None:
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    encoded = token.split(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error):
        return None
    return header if isinstance(header, dict) else None


def jwks() -> dict[str, Any]:
    """Every envelope key of this instance, current and replaced, as a public JWK Set."""
    keys = []
    for public in EnvelopeKey.objects.order_by("created_at", "pk").values_list("public_jwk", flat=True):
        keys.append({name: public[name] for name in ("kty", "crv", "x", "y", "kid") if name in public})
        keys[-1].update({"use": "sig", "alg": ALGORITHM})
    return {"keys": keys}
