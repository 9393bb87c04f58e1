"""A real SMTP server on 127.0.0.1 for tests: the `smtp_server` fixture.

An aiosmtpd server runs in a thread of the test process on a free port, keeps every mail it takes
(`messages`: envelope sender and recipients, raw bytes, the parsed message) and refuses the
recipients it is told to refuse, at RCPT, with 550 or 451. The fixture also points Django's
settings at it (SMTP backend, no TLS, no login), which holds for everything in the test process:
the test itself, eager Celery tasks and a `live_server` thread serving Playwright. A process
started by the test (a Celery worker, runserver) reads its settings from the environment: pass it
`smtp_server.env`. Mail sent by another process arrives asynchronously; `wait_for` waits for it.

Registered for every test by `pytest_plugins` in the root conftest.py.
"""

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from invoisx.tests.processes import free_port

REFUSALS = {
    550: "550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table",
    451: "451 4.3.0 Temporary lookup failure, try again later",
}


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage

    def attachments(self) -> dict[str, tuple[str, bytes]]:
        """File name → (content type, decoded bytes) of every attachment."""
        found = {}
        for part in self.message.iter_attachments():
            assert isinstance(part, EmailMessage)
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_filename() or ""] = (part.get_content_type(), payload)
        return found

    def text(self) -> str:
        """The plain text body, with "\n" line ends."""
        body = self.message.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        return str(body.get_content()).replace("\r\n", "\n")


class _Handler:
    def __init__(self, server: "SMTPServer") -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list) -> str:
        code = self.server.refusals.get(address.lower())
        if code is not None:
            return REFUSALS[code]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        mail = ReceivedMail(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), raw=raw, message=parsed)
        with self.server.arrived:
            self.server.messages.append(mail)
            self.server.arrived.notify_all()
        return "250 2.0.0 Ok: queued"


class SMTPServer:
    """An aiosmtpd server on 127.0.0.1; `start()` and `stop()` it, or use the fixture."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.refusals: dict[str, int] = {}
        self.arrived = threading.Condition()
        self.port = 0
        self._controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        # aiosmtpd logs every command at INFO; a failing test's report needs none of it.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        # A free port may be taken again before the server binds it; another one then.
        for attempt in range(3):
            port = free_port()
            controller = Controller(_Handler(self), hostname=self.host, port=port, ready_timeout=10)
            try:
                controller.start()
            except OSError:
                if attempt == 2:
                    raise
                continue
            self._controller, self.port = controller, port
            return

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str, code: int = 550) -> None:
        """Refuse `address` at RCPT: 550 (a bounce) or 451 (try again later)."""
        if code not in REFUSALS:
            raise ValueError(f"refuse with one of {sorted(REFUSALS)}")
        self.refusals[address.lower()] = code

    @property
    def env(self) -> dict[str, str]:
        """The environment that points another process's settings at this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }

    def wait_for(self, count: int = 1, timeout: float = 30.0) -> list[ReceivedMail]:
        """The mails received so far, once there are at least `count` (mail sent by another process)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.messages)} mails arrived within {timeout} s, expected {count}")
                self.arrived.wait(remaining)
            return list(self.messages)


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield server
    finally:
        server.stop()
