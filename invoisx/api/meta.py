"""The `meta` block every API response carries, and the request id behind it."""

import re
import secrets
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

# A client may send its own X-Request-ID for tracing; anything else is replaced by ours.
CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def new_request_id() -> str:
    return f"req_{secrets.token_hex(12)}"


def iso_timestamp() -> str:
    return timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def response_meta(request: HttpRequest | Any | None) -> dict[str, Any]:
    return {"timestamp": iso_timestamp(), "request_id": getattr(request, "request_id", None)}
