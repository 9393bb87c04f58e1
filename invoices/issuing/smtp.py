"""Handing an email to the mail server and classifying its answer, never raising for it.

`deliver_email` sends through Django's email backend (talking SMTP itself with the SMTP backend, to
keep the recipients refused while others were accepted) and answers a `DeliveryResult`: sent,
bounced (every recipient refused for good at RCPT) or failed, and whether trying later can help. No
error text carries the SMTP login.
"""

import smtplib
import socket
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address


def message_id_domain() -> str:
    """EMAIL_MESSAGE_ID_DOMAIN, else the domain of DEFAULT_FROM_EMAIL (never a DNS lookup)."""
    configured: str = getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


class DeliveryStatus(StrEnum):
    SENT = "sent"  # at least one recipient's server took the mail (others may be in `refused`)
    BOUNCED = "bounced"  # every recipient refused for good (5xx at RCPT): sending again cannot help
    FAILED = "failed"  # nothing delivered; `retryable` says whether trying later may succeed


@dataclass(frozen=True)
class RecipientRefusal:
    address: str
    code: int  # the SMTP reply code, 550, 451, ...
    text: str  # the server's reply text, "5.1.1 <x@example.com>: Recipient address rejected"

    @property
    def permanent(self) -> bool:
        return self.code >= 500


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    message_id: str
    accepted: tuple[str, ...] = ()
    refused: tuple[RecipientRefusal, ...] = ()
    retryable: bool = False
    code: int | None = None  # the SMTP reply code of a failure, when the server gave one
    error: str = ""  # why it was not (fully) delivered, for people; never holds the SMTP login

    @property
    def bounced(self) -> tuple[RecipientRefusal, ...]:
        """Recipients refused for good."""
        return tuple(refusal for refusal in self.refused if refusal.permanent)

    @property
    def deferred(self) -> tuple[RecipientRefusal, ...]:
        """Recipients refused for now (4xx): a later send to just these may succeed."""
        return tuple(refusal for refusal in self.refused if not refusal.permanent)


def deliver_email(message: EmailMessage, *, connection: Any = None) -> DeliveryResult:
    """Send `message` through Django's email backend (`get_connection()` unless one is given).

    With the SMTP backend, each recipient's answer is read: a recipient refused at RCPT with a 5xx
    code bounced, with a 4xx code was deferred. The outcome is classified, never raised: a server
    that cannot be reached, times out, hangs up or answers 4xx is a retryable failure; a refusal of
    our login, sender or message with a 5xx code is a failure retrying cannot mend. Other backends
    (console, locmem, file) report every recipient accepted.
    """
    connection = connection or get_connection()
    if not message.extra_headers.get("Message-ID"):
        message.extra_headers["Message-ID"] = make_msgid(domain=message_id_domain())
    message_id = str(message.extra_headers["Message-ID"])
    recipients = list(message.recipients())
    if not recipients:
        return DeliveryResult(status=DeliveryStatus.FAILED, message_id=message_id, error="The mail has no recipient.")
    if isinstance(connection, SMTPBackend):
        return _deliver_smtp(message, connection=connection, message_id=message_id)
    try:
        connection.send_messages([message])
    except OSError as error:
        return DeliveryResult(
            status=DeliveryStatus.FAILED,
            message_id=message_id,
            retryable=True,
            error=f"The email backend failed: {error}.",
        )
    return DeliveryResult(status=DeliveryStatus.SENT, message_id=message_id, accepted=tuple(recipients))


def _deliver_smtp(message: EmailMessage, *, connection: SMTPBackend, message_id: str) -> DeliveryResult:
    # Django's backend drops sendmail()'s answer, the recipients refused while others were accepted,
    # so the mail is handed to the open smtplib connection here, as the backend's _send() would.
    encoding = message.encoding or settings.DEFAULT_CHARSET
    try:
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    except ValueError as error:
        return DeliveryResult(
            status=DeliveryStatus.FAILED, message_id=message_id, error=f"An address of the mail is invalid: {error}."
        )
    server = f"{connection.host}:{connection.port}"
    secrets = [value for value in (connection.password, connection.username) if value]

    def failed(error: str, *, retryable: bool, code: int | None = None) -> DeliveryResult:
        return DeliveryResult(
            status=DeliveryStatus.FAILED,
            message_id=message_id,
            retryable=retryable,
            code=code,
            error=_redact(error, secrets),
        )

    try:
        refused_now = _send_and_close(connection, sender=sender, recipients=recipients, message=message)
    except smtplib.SMTPRecipientsRefused as refusal:
        refused = _refusals(refusal.recipients, secrets)
        if all(item.permanent for item in refused):
            return DeliveryResult(
                status=DeliveryStatus.BOUNCED,
                message_id=message_id,
                refused=refused,
                code=refused[0].code,
                error=_refused_text(refused),
            )
        return DeliveryResult(
            status=DeliveryStatus.FAILED,
            message_id=message_id,
            refused=refused,
            retryable=True,
            code=next(item.code for item in refused if not item.permanent),
            error=_refused_text(refused),
        )
    except smtplib.SMTPAuthenticationError as error:
        return failed(
            f"The mail server {server} refused the login ({error.smtp_code} {_text(error.smtp_error)}); "
            "check EMAIL_HOST_USER and EMAIL_HOST_PASSWORD.",
            retryable=_transient(error.smtp_code),
            code=error.smtp_code,
        )
    except smtplib.SMTPSenderRefused as error:
        return failed(
            f"The mail server {server} refused the sender {error.sender} "
            f"({error.smtp_code} {_text(error.smtp_error)}).",
            retryable=_transient(error.smtp_code),
            code=error.smtp_code,
        )
    except smtplib.SMTPResponseException as error:  # refused at DATA, at the greeting, at EHLO
        return failed(
            f"The mail server {server} answered {error.smtp_code} {_text(error.smtp_error)}.",
            retryable=_transient(error.smtp_code),
            code=error.smtp_code,
        )
    except smtplib.SMTPNotSupportedError as error:
        return failed(
            f"The mail server {server} does not support what EMAIL_USE_TLS or the mail needs: {error}.",
            retryable=False,
        )
    except smtplib.SMTPServerDisconnected as error:
        # smtplib reports a read that timed out as a disconnection; the timeout is the story.
        if isinstance(error.__context__, TimeoutError):
            return failed(_timed_out(server, connection.timeout), retryable=True)
        return failed(f"The mail server {server} closed the connection: {error or 'no reason given'}.", retryable=True)
    except TimeoutError:
        return failed(_timed_out(server, connection.timeout), retryable=True)
    except socket.gaierror as error:
        return failed(
            f"The mail server's name {connection.host} could not be resolved: {error.strerror}.", retryable=True
        )
    except OSError as error:  # refused or reset connections, TLS handshakes and certificates, SMTPException
        return failed(
            f"Could not deliver to the mail server {server}: {error.strerror or error or type(error).__name__}.",
            retryable=True,
        )

    refused = _refusals(refused_now, secrets)
    refused_addresses = {item.address for item in refused}
    return DeliveryResult(
        status=DeliveryStatus.SENT,
        message_id=message_id,
        accepted=tuple(address for address in recipients if address not in refused_addresses),
        refused=refused,
        error=_refused_text(refused) if refused else "",
    )


def _send_and_close(
    connection: SMTPBackend, *, sender: str, recipients: list[str], message: EmailMessage
) -> dict[str, tuple[int, bytes]]:
    sent = False
    try:
        connection.open()
        assert connection.connection is not None  # open() raises rather than leave it unset
        refused = connection.connection.sendmail(sender, recipients, message.message().as_bytes(linesep="\r\n"))
        sent = True
        return refused
    finally:
        if sent:
            _close_quietly(connection)
        else:
            _abandon(connection)


def _timed_out(server: str, timeout: float | None) -> str:
    return f"The mail server {server} did not answer within {timeout} seconds (EMAIL_TIMEOUT)."


def _close_quietly(connection: SMTPBackend) -> None:
    # Once the server has taken the mail, a failing QUIT must not make the send look failed.
    try:
        connection.close()
    except OSError:
        _abandon(connection)


def _abandon(connection: SMTPBackend) -> None:
    # After a failure the socket is dropped without QUIT: a server that timed out once would make
    # QUIT wait EMAIL_TIMEOUT again.
    for attribute in ("connection", "_partial_connection"):
        smtp = getattr(connection, attribute, None)
        if smtp is not None:
            smtp.close()
        setattr(connection, attribute, None)


def _refusals(recipients: dict[str, tuple[int, bytes]], secrets: list[str]) -> tuple[RecipientRefusal, ...]:
    return tuple(
        RecipientRefusal(address=address, code=code, text=_redact(_text(reply), secrets))
        for address, (code, reply) in recipients.items()
    )


def _refused_text(refused: tuple[RecipientRefusal, ...]) -> str:
    return "; ".join(f"{item.address} refused: {item.code} {item.text}" for item in refused)


def _transient(code: int) -> bool:
    return 400 <= code < 500


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
