"""Claiming an Idempotency-Key for a request, keeping its answer, or letting it go."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.models import Company
from idempotency.models import IdempotentRequest
from invoisx.errors import IDEMPOTENCY_KEY_IN_USE, IDEMPOTENCY_KEY_REUSED, DomainError
from invoisx.exactjson import dumps
from invoisx.retention import delete_in_batches

KEY_IN_USE_MESSAGE = "A request with this Idempotency-Key is still being processed; retry once it has finished."
KEY_REUSED_MESSAGE = "This Idempotency-Key was used for a different request; use a new key for a new request."


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
            raise DomainError(code=IDEMPOTENCY_KEY_REUSED, message=KEY_REUSED_MESSAGE)
        if not earlier.completed:
            raise DomainError(code=IDEMPOTENCY_KEY_IN_USE, message=KEY_IN_USE_MESSAGE)
        return earlier, False
    raise DomainError(code=IDEMPOTENCY_KEY_IN_USE, message=KEY_IN_USE_MESSAGE)


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
