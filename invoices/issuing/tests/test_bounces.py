"""parse_bounce on delivery status notifications (RFC 3464) built here as Postfix and Exchange send them."""

import base64
import quopri
from email.message import EmailMessage

import pytest

from invoices.issuing.bounces import parse_bounce
from invoices.issuing.email import build_invoice_email
from invoices.issuing.tests.matrix import one_rate

MESSAGE_ID = "<5f1c0a9e2b7d4c3a8e61.inv_0000000000000000000001@invoisx.example>"

PER_MESSAGE = "Reporting-MTA: dns; mx.lumiere.example\nX-Postfix-Queue-ID: 4Xyz1234\nArrival-Date: Sat, 5 Dec 2026 10:00:00 +0100\n"
FAILED_RECIPIENT = (
    "Final-Recipient: rfc822; compta@lumiere.example\n"
    "Original-Recipient: rfc822;compta@lumiere.example\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mail.lumiere.example\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <compta@lumiere.example>: Recipient address\n"
    "    rejected: User unknown in virtual mailbox table\n"
)
DELAYED_RECIPIENT = (
    "Final-Recipient: rfc822; boss@lumiere.example\n"
    "Action: delayed\n"
    "Status: 4.4.1\n"
    "Diagnostic-Code: X-Postfix; connect to mail.lumiere.example[192.0.2.1]:25: Connection timed out\n"
)
DELIVERED_RECIPIENT = "Final-Recipient: rfc822; boss@lumiere.example\nAction: delivered\nStatus: 2.0.0\n"


def original_mail(message_id: str = MESSAGE_ID) -> EmailMessage:
    return build_invoice_email(
        document=one_rate(),
        pdf=b"%PDF-1.7\n",
        ubl=None,
        to=["compta@lumiere.example"],
        cc=[],
        reply_to="billing@nordlicht.example",
        from_email="invoices@invoisx.example",
        message_id=message_id,
    ).message()


def dsn(
    *recipients: str, original: str = "headers", message_id: str = MESSAGE_ID, status_encoding: str = "7bit"
) -> bytes:
    """A bounce as Postfix writes it: human text, the status fields, the original (its headers or whole)."""
    sent = original_mail(message_id).as_bytes()  # Django writes "\n" line ends
    fields = "\n".join([PER_MESSAGE, *recipients]).encode()
    if status_encoding == "base64":
        fields = base64.encodebytes(fields)
    elif status_encoding == "quoted-printable":
        fields = quopri.encodestring(fields.replace(b"Recipient address", b"Recipient\xc2\xa0address"))
    parts = [
        b"Content-Type: text/plain; charset=us-ascii\n\n"
        b"I'm sorry to have to inform you that your message could not be delivered.\n",
        b"Content-Type: message/delivery-status\nContent-Transfer-Encoding: "
        + status_encoding.encode()
        + b"\n\n"
        + fields,
    ]
    if original == "headers":
        parts.append(b"Content-Type: text/rfc822-headers\n\n" + sent.split(b"\n\n", 1)[0] + b"\n")
    elif original == "message":
        parts.append(b"Content-Type: message/rfc822\n\n" + sent)
    return (
        b"From: MAILER-DAEMON@mx.lumiere.example (Mail Delivery System)\n"
        b"To: invoices@invoisx.example\n"
        b"Subject: Undelivered Mail Returned to Sender\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\n\n'
        + b"".join(b"--BOUNDARY\n" + part + b"\n" for part in parts)
        + b"--BOUNDARY--\n"
    )


def test_a_failed_recipient_is_read_with_its_status_diagnostic_and_the_invoice_it_was_for():
    bounce = parse_bounce(dsn(FAILED_RECIPIENT))

    assert bounce is not None
    assert bounce.message_id == MESSAGE_ID
    assert bounce.invoice_id == "inv_0000000000000000000001"
    assert bounce.reporting_mta == "mx.lumiere.example"
    assert bounce.permanent
    [recipient] = bounce.recipients
    assert recipient.address == "compta@lumiere.example"
    assert recipient.action == "failed"
    assert recipient.status == "5.1.1"
    assert recipient.smtp_code == 550
    assert recipient.diagnostic == (
        "550 5.1.1 <compta@lumiere.example>: Recipient address rejected: User unknown in virtual mailbox table"
    )


def test_the_original_may_come_whole_instead_of_its_headers():
    bounce = parse_bounce(dsn(FAILED_RECIPIENT, original="message"))

    assert bounce is not None
    assert bounce.message_id == MESSAGE_ID
    assert bounce.invoice_id == "inv_0000000000000000000001"


def test_a_delayed_recipient_is_reported_but_not_as_permanent():
    bounce = parse_bounce(dsn(DELAYED_RECIPIENT))

    assert bounce is not None
    assert not bounce.permanent
    [recipient] = bounce.recipients
    assert (recipient.address, recipient.action, recipient.status) == ("boss@lumiere.example", "delayed", "4.4.1")
    assert recipient.smtp_code is None
    assert recipient.diagnostic.startswith("connect to mail.lumiere.example")


def test_only_recipients_that_failed_or_were_delayed_are_kept():
    bounce = parse_bounce(dsn(FAILED_RECIPIENT, DELIVERED_RECIPIENT))

    assert bounce is not None
    assert [recipient.address for recipient in bounce.recipients] == ["compta@lumiere.example"]


def test_a_report_that_everything_was_delivered_is_no_bounce():
    assert parse_bounce(dsn(DELIVERED_RECIPIENT)) is None


def test_without_the_original_the_invoice_cannot_be_named():
    bounce = parse_bounce(dsn(FAILED_RECIPIENT, original="none"))

    assert bounce is not None
    assert (bounce.message_id, bounce.invoice_id) == ("", "")
    assert bounce.recipients[0].address == "compta@lumiere.example"


def test_the_invoice_is_found_from_the_message_id_when_its_header_was_dropped():
    raw = dsn(FAILED_RECIPIENT).replace(b"X-InvoisX-Invoice:", b"X-Dropped:")

    bounce = parse_bounce(raw)

    assert bounce is not None
    assert bounce.invoice_id == "inv_0000000000000000000001"


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_a_status_part_sent_encoded_is_read_too(encoding):
    bounce = parse_bounce(dsn(FAILED_RECIPIENT, status_encoding=encoding))

    assert bounce is not None
    assert bounce.recipients[0].status == "5.1.1"
    assert bounce.message_id == MESSAGE_ID


@pytest.mark.parametrize(
    "message",
    [
        b"From: someone@example.com\nSubject: Re: Invoice\n\nThanks, paid.\n",
        b'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\n\n--b\nContent-Type: text/plain\n\nRead.\n--b--\n',
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\nNo status part.\n--b--\n',
        b"",
    ],
)
def test_other_mail_is_no_bounce(message):
    assert parse_bounce(message) is None
