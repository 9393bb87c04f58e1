"""What can go wrong talking to QuickBooks or Xero, as API errors with stable codes.

Services raise these; the API's exception handler renders them, and the dashboard shows their message.
"""

from rest_framework import status

from invoisx.api.errors import ApiError


class IntegrationNotConnected(ApiError):
    status_code = status.HTTP_409_CONFLICT
    code = "integration_not_connected"
    message = "This company is not connected to the target. Connect it in Settings › Integrations."


class ReconnectRequired(ApiError):
    """The provider refused our refresh token (revoked, expired, or the app was disconnected there)."""

    status_code = status.HTTP_409_CONFLICT
    code = "integration_reconnect_required"
    message = "The connection has expired or was revoked. Reconnect it in Settings › Integrations."


class ProviderRateLimited(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "provider_rate_limited"
    message = "The accounting system is rate limiting this company. Try again later."

    def __init__(self, message: str | None = None, *, wait: float | None = None) -> None:
        super().__init__(message)
        # The exception handler turns `wait` into a Retry-After header.
        self.wait = max(1, round(wait)) if wait is not None else None


class ProviderRejected(ApiError):
    """The provider refused the document; `details` carries its own messages."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "provider_validation_error"
    message = "The accounting system rejected the invoice."


class ProviderUnavailable(ApiError):
    status_code = status.HTTP_502_BAD_GATEWAY
    code = "provider_unavailable"
    message = "The accounting system did not answer properly. Try again later."


class ProviderTimedOut(ApiError):
    """The operation's overall deadline passed before the provider answered (see `transport.deadline`)."""

    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    code = "provider_timeout"
    message = "The accounting system did not answer in time. Try again."


class PublishInProgress(ApiError):
    status_code = status.HTTP_409_CONFLICT
    code = "publish_in_progress"
    message = "This invoice is being published to this target right now. Try again in a moment."


class InvoiceNotPublishable(ApiError):
    status_code = status.HTTP_409_CONFLICT
    code = "invoice_not_publishable"
    message = "This invoice cannot be published."


class ConnectFailed(ApiError):
    """The OAuth flow could not be completed (refused consent, wrong state, a code the provider refused)."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "integration_connect_failed"
    message = "Connecting failed. Please try again."
