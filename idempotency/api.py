"""`@idempotent` for the POST handlers of API views that create something.

A request without an `Idempotency-Key` header runs as usual. With one, the first request claims the
key and its successful answer (2xx) is kept; a repeat gets that answer again with the header
`Idempotent-Replayed: true` and nothing is created twice: its `data` is byte for byte the first
answer's (amounts included). Answers that are errors are not kept.
"""

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from idempotency.services import (
    idempotent_request_claim,
    idempotent_request_complete,
    idempotent_request_release,
)
from invoisx.api.errors import ValidationFailed
from invoisx.api.parsers import declared_length
from invoisx.api.permissions import request_company
from invoisx.exactjson import ExactJSONEncoder, RawJSON

HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as Stripe takes it

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "Up to 255 characters (a UUID is a good choice). A repeat with the same key and request returns the "
        "first answer instead of creating again; the same key with another request is a 422, and a repeat "
        "while the first is still running a 409. Keys are kept 24 hours."
    ),
)

Handler = Callable[..., Response]


def _canonical(value: Any) -> Any:
    """The request content in a stable form: files by name and SHA-256, form fields as lists."""
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)  # the view reads it next
        return f"file:{value.name}:{digest.hexdigest()}"
    if isinstance(value, QueryDict):
        return {key: [_canonical(item) for item in items] for key, items in value.lists()}
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def request_fingerprint(request: Request) -> str:
    """SHA-256 of the method, path, query and parsed body: the same request sent again has the same one,
    whatever multipart boundary or JSON key order the client used."""
    content = {
        "method": request.method,
        "path": request.path,
        "query": _canonical(request.query_params),
        "data": _canonical(request.data),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, cls=ExactJSONEncoder).encode()).hexdigest()


def idempotent(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            raise ValidationFailed(
                f"{HEADER} must be 1 to 255 visible ASCII characters.",
                details={HEADER: ["1 to 255 visible ASCII characters."]},
            )
        # The fingerprint parses the body; refuse an oversized one before it is spooled to disk, as the
        # upload views do themselves (no endpoint taking a key accepts more than an upload's limit).
        if declared_length(request) > settings.EXTRACTION_MAX_BYTES + 64 * 1024:
            message = f"The request is larger than {settings.EXTRACTION_MAX_BYTES // (1024 * 1024)} MB."
            raise ValidationFailed(message, details={"file": [message]})
        claim, fresh = idempotent_request_claim(
            company=request_company(request),
            key=key,
            method=request.method or "POST",
            path=request.path,
            fingerprint=request_fingerprint(request),
        )
        if not fresh:
            data = RawJSON(claim.response_body) if claim.response_body is not None else None
            return Response(data, status=claim.response_status, headers={"Idempotent-Replayed": "true"})
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            idempotent_request_release(claim=claim)
            raise
        if 200 <= response.status_code < 300:
            idempotent_request_complete(claim=claim, status=response.status_code, body=response.data)
        else:
            idempotent_request_release(claim=claim)
        return response

    return wrapper
