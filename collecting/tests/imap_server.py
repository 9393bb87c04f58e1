"""The real IMAP server the mailbox collector is tested against, and the mails the tests put in it.

`.ci/run` starts a Dovecot instance of its own on 127.0.0.1 (STARTTLS on IMAP_TEST_PORT, TLS on
IMAP_TEST_SSL_PORT, a certificate signed by the CA in IMAP_TEST_CA_FILE) where any user name logs in
with IMAP_TEST_PASSWORD. The `imap_server` fixture gives each test a user of its own, so an empty
mailbox; without those variables the tests are skipped, and they fail under CI=true.

Use it in a test module with `pytest_plugins = ["collecting.tests.imap_server"]` or by importing the
fixture. The builders make the mails: a PDF invoice, a JPEG receipt, a UBL e-invoice, a mail
without attachment.
"""

import io
import os
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest
from imap_tools import MailBox
from PIL import Image, ImageDraw, ImageFont

from conftest import require
from reading.tests.pdfs import make_pdf

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SUPPLIER = "billing@acme-widgets.example"


@dataclass(frozen=True)
class ImapTestServer:
    host: str
    port: int
    ssl_port: int
    user: str
    password: str
    ca_file: str

    def params(self, **overrides: Any) -> dict[str, Any]:
        """A mailbox collector's params for this server and user (STARTTLS), with `overrides`."""
        return {
            "host": self.host,
            "port": self.port,
            "security": "starttls",
            "user": self.user,
            "password": self.password,
            **overrides,
        }

    @contextmanager
    def mailbox(self, folder: str = "INBOX") -> Iterator[MailBox]:
        """A connection of the test's own, to put mails in and look at them."""
        context = ssl.create_default_context(cafile=self.ca_file)
        with MailBox(self.host, self.ssl_port, timeout=10, ssl_context=context).login(
            self.user, self.password, initial_folder=folder
        ) as mailbox:
            yield mailbox

    def append(
        self,
        message: EmailMessage,
        *,
        folder: str = "INBOX",
        received: datetime | None = None,
        flags: tuple[str, ...] = (),
    ) -> None:
        """IMAP APPEND `message`, received at `received` (its internal date, which SEARCH SINCE reads)."""
        received = received or datetime.now(UTC)
        with self.mailbox() as mailbox:
            if not mailbox.folder.exists(folder):
                mailbox.folder.create(folder)
            mailbox.append(message.as_bytes(), folder, dt=received, flag_set=list(flags))

    def flags(self, folder: str = "INBOX") -> dict[str, set[str]]:
        """Each mail's flags in `folder`, by subject."""
        with self.mailbox(folder) as mailbox:
            return {
                message.subject: set(message.flags) for message in mailbox.fetch(mark_seen=False, headers_only=True)
            }


@pytest.fixture
def imap_server(settings: Any) -> ImapTestServer:
    """The test Dovecot with a fresh user (an empty mailbox); the collector trusts its CA."""
    names = ("IMAP_TEST_HOST", "IMAP_TEST_PORT", "IMAP_TEST_SSL_PORT", "IMAP_TEST_USER", "IMAP_TEST_PASSWORD")
    env = {name: os.environ.get(name, "") for name in (*names, "IMAP_TEST_CA_FILE")}
    require(all(env.values()), f"Dovecot ({', '.join(names)}, IMAP_TEST_CA_FILE)")
    settings.COLLECTING_IMAP_CA_FILE = env["IMAP_TEST_CA_FILE"]
    settings.COLLECTING_IMAP_TIMEOUT = 10
    return ImapTestServer(
        host=env["IMAP_TEST_HOST"],
        port=int(env["IMAP_TEST_PORT"]),
        ssl_port=int(env["IMAP_TEST_SSL_PORT"]),
        user=f"{env['IMAP_TEST_USER']}-{uuid.uuid4().hex[:12]}",
        password=env["IMAP_TEST_PASSWORD"],
        ca_file=env["IMAP_TEST_CA_FILE"],
    )


# --- Documents -----------------------------------------------------------------------------------


def invoice_pdf(*, number: str = "INV-2026-0042", total: str = "1,332.00") -> bytes:
    """A one-page text PDF invoice the extraction reads: number, date, subtotal, VAT and total."""
    return make_pdf(
        [
            [
                (60, 60, "INVOICE", 24),
                (60, 110, "Acme Widgets Ltd"),
                (60, 140, f"Invoice No: {number}"),
                (60, 160, "Date: 01/04/2026"),
                (60, 220, "Consulting services"),
                (60, 280, "Subtotal: 1,110.00"),
                (60, 300, "VAT 20%: 222.00"),
                (60, 320, f"Total: {total}"),
            ]
        ]
    )


def receipt_jpeg(*, total: str = "23.40") -> bytes:
    """A photographed-receipt-like JPEG whose text OCR reads."""
    image = Image.new("RGB", (800, 1000), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 36) if FONT.exists() else ImageFont.load_default(size=36)
    lines = ["CAFE DU COIN", "Receipt 0815", "Date: 02/04/2026", "2 Coffee  7.80", "Lunch  15.60", f"TOTAL {total}"]
    for row, text in enumerate(lines):
        draw.text((60, 60 + row * 80), text, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def einvoice_xml() -> bytes:
    """A UBL 2.1 invoice (EN 16931), as the e-invoice tests build it."""
    from invoices.extraction.tests.test_einvoice import Invoice, ubl

    return ubl(Invoice())


# --- Mails ---------------------------------------------------------------------------------------


def mail(
    *,
    subject: str,
    sender: str = SUPPLIER,
    sent: datetime | None = None,
    body: str = "Hello,\n\nplease find our document attached.\n",
    attachments: tuple[tuple[str, bytes, str], ...] = (),  # file name, bytes, MIME type
    message_id: str | None = "",
) -> EmailMessage:
    """A mail with `attachments`; `message_id=None` leaves the Message-ID header out."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "accounts@alice.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(sent or datetime.now(UTC))
    if message_id is not None:
        message["Message-ID"] = message_id or make_msgid(domain="acme-widgets.example")
    message.set_content(body)
    for file_name, data, mimetype in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=file_name)
    return message


def pdf_invoice_mail(**kwargs: Any) -> EmailMessage:
    kwargs.setdefault("subject", "Your invoice INV-2026-0042")
    return mail(attachments=(("INV-2026-0042.pdf", invoice_pdf(), "application/pdf"),), **kwargs)


def jpg_receipt_mail(**kwargs: Any) -> EmailMessage:
    kwargs.setdefault("subject", "Receipt for your lunch")
    kwargs.setdefault("sender", "receipts@cafe-du-coin.example")
    return mail(attachments=(("receipt.jpg", receipt_jpeg(), "image/jpeg"),), **kwargs)


def no_attachment_mail(**kwargs: Any) -> EmailMessage:
    kwargs.setdefault("subject", "Our new prices")
    return mail(body="Hello,\n\nour prices change next month.\n", **kwargs)


def xml_einvoice_mail(**kwargs: Any) -> EmailMessage:
    kwargs.setdefault("subject", "E-invoice INV-2026-0042")
    # Declared as octet-stream on purpose: the collector must tell an e-invoice from its bytes.
    return mail(attachments=(("invoice.dat", einvoice_xml(), "application/octet-stream"),), **kwargs)
