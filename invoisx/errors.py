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
PROVIDER_TIMEOUT = "provider_timeout"


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

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments: the default (cls, args) pickling would lose them, and Celery pickles
        # what a task raises.
        return (_rebuild, (self.code, self.message, self.details, self.retry_after))

    def __repr__(self) -> str:
        return f"DomainError(code={self.code!r}, message={self.message!r}, details={self.details!r})"


def _rebuild(code: str, message: str, details: dict[str, Any], retry_after: int | None) -> DomainError:
    return DomainError(code=code, message=message, details=details, retry_after=retry_after)


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn nested field errors (DRF's error detail) into `{"line_items[0].amount": ["..."]}`."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "body" if key == "non_field_errors" and not prefix else key
            # ListField reports its items by position: line_items[0].amount
            path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{name}" if prefix else str(name))
            if key == "non_field_errors" and prefix:
                path = prefix
            for field, messages in flatten_errors(value, path).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            flat[prefix or "body"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_errors(item, f"{prefix}[{index}]"))
    else:
        flat[prefix or "body"] = [str(detail)]
    return flat
