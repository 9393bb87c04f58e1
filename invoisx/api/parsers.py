"""Request body parsing with a size and a depth cap: DRF reads the stream itself, past Django's own limit.

Numbers with a fraction are read as Decimals, so an amount keeps every digit the client sent.
The depth cap keeps every later walk over the parsed body (serializers, the idempotency fingerprint,
JSON columns) far from Python's recursion limit: no real request nests more than a few levels.
"""

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from invoisx.api.errors import ApiError, ValidationFailed

MAX_JSON_DEPTH = 64


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"
    message = "The request body is too large."


def declared_length(request: HttpRequest) -> int:
    """The body size the client declares, to refuse an oversized upload before it is read."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    if not raw.isascii() or not raw.isdigit():
        raise ValidationFailed(
            "The Content-Length header is not a number.", details={"Content-Length": ["Must be a whole number."]}
        )
    return int(raw)


class LimitedJSONParser(JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.API_MAX_JSON_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(
                f"The JSON body is larger than {limit // (1024 * 1024)} MB.",
                details={"body": [f"At most {limit} bytes."]},
            )
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(body.decode(encoding), parse_float=Decimal) if body else {}
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        except RecursionError:  # the decoder recurses once per level: thousands of levels exhaust it
            data = None
            too_deep = True
        else:
            too_deep = _deeper_than(data, MAX_JSON_DEPTH)
        if too_deep:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return data


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels, found without recursion."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
