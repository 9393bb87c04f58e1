"""Claiming an Idempotency-Key for a request, keeping its answer, or letting it go."""

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from rest_framework.request import Request

from companies.models import Company
from idempotency.models import IdempotentRequest
from invoisx.api.errors import ApiError
from invoisx.exactjson import ExactJSONEncoder, dumps
from invoisx.retention import delete_in_batches


class IdempotencyKeyInUse(ApiError):
    status_code = 409
    code = "idempotency_key_in_use"
    message = "A request with this Idempotency-Key is still being processed; retry once it has finished."


class IdempotencyKeyReused(ApiError):
    status_code = 422
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was used for a different request; use a new key for a new request."


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


def idempotent_request_claim(
    *, company: Company, key: str, method: str, path: str, fingerprint: str
) -> tuple[IdempotentRequest, bool]:
    """Claim the key for this request: (the record, True) to go ahead, or (the earlier one, False) to
    replay its answer. Raises when the key is busy or was used for another request."""
    for _ in range(2):  # a second pass after losing the race to insert, or after clearing a dead claim
        earlier = IdempotentRequest.objects.filter(company=company, key=key).first()
        if earlier is not None and (earlier.expired or _abandoned(earlier)):
            earlier.delete()
            earlier = None
        if earlier is None:
            try:
                with transaction.atomic():
                    claimed = IdempotentRequest.objects.create(
                        company=company, key=key, method=method, path=path[:500], fingerprint=fingerprint
                    )
                return claimed, True
            except IntegrityError:
                continue  # another request claimed it a moment ago
        if earlier.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if not earlier.completed:
            raise IdempotencyKeyInUse()
        return earlier, False
    raise IdempotencyKeyInUse()


def _abandoned(claim: IdempotentRequest) -> bool:
    """A claim still running long after any request could: its process died, so the key is free again."""
    limit = timedelta(seconds=settings.IDEMPOTENCY_ABANDONED_AFTER_SECONDS)
    return not claim.completed and claim.created_at < timezone.now() - limit


def idempotent_request_complete(*, claim: IdempotentRequest, status: int, body: Any) -> None:
    """Keep the answer's data as the API writes it (`exactjson`), to be replayed as those very bytes."""
    claim.response_status = status
    claim.response_body = dumps(body)
    claim.completed_at = timezone.now()
    claim.save(update_fields=["response_status", "response_body", "completed_at"])


def idempotent_request_release(*, claim: IdempotentRequest) -> None:
    """Forget a claim whose request failed, so the client can correct it and retry with the same key."""
    IdempotentRequest.objects.filter(pk=claim.pk, response_status__isnull=True).delete()


def idempotent_requests_purge(*, now: datetime | None = None) -> int:
    """Forget the keys older than IDEMPOTENCY_KEY_TTL_HOURS (their stored answers with them): a repeat
    after that is refused nothing and replayed nothing anyway. How many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    return delete_in_batches(IdempotentRequest.objects.filter(created_at__lt=cutoff))
