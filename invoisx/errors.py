"""The one error type of the domain: `DomainError(code=..., message=..., details=...)`.

Services, selectors, tasks, forms and commands raise `DomainError` (or Django's `ValidationError`)
and nothing else; this module knows nothing of HTTP. The API's exception handler
(`invoisx.api.errors`) maps each code to a status; the dashboard shows `message`.

Codes are the constants below, never string literals at the raise, so a typo is an import error.
"""

from typing import Any

# Codes of seed 001's error table.
VALIDATION_ERROR = "validation_error"
RESOURCE_NOT_FOUND = "resource_not_found"
PROCESSING_ERROR = "processing_error"
MONTHLY_LIMIT_REACHED = "monthly_limit_reached"
# The state of a resource forbids the change (already matched, still extracting, ...).
CONFLICT = "conflict"
# Idempotency-Key
IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
# Accounting integrations (QuickBooks, Xero)
INTEGRATION_NOT_CONNECTED = "integration_not_connected"
INTEGRATION_RECONNECT_REQUIRED = "integration_reconnect_required"
INTEGRATION_CONNECT_FAILED = "integration_connect_failed"
INVOICE_NOT_PUBLISHABLE = "invoice_not_publishable"
PUBLISH_IN_PROGRESS = "publish_in_progress"
PROVIDER_RATE_LIMITED = "provider_rate_limited"
PROVIDER_VALIDATION_ERROR = "provider_validation_error"
PROVIDER_UNAVAILABLE = "provider_unavailable"


class DomainError(Exception):
    """A refusal with a stable machine-readable `code`; `details` names the offending fields
    (`{"file": ["File too large."]}`). `retry_after` (seconds) says when trying again may succeed."""

    def __init__(
        self,
        *,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.retry_after = max(1, round(retry_after)) if retry_after is not None else None

    def __repr__(self) -> str:
        return f"DomainError(code={self.code!r}, message={self.message!r}, details={self.details!r})"
