"""The invoice mail: its wording in each language, its attachments, and delivery through a real SMTP server."""

import io
import socket
import socketserver
import threading
from collections.abc import Iterator
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from reportlab.pdfgen.canvas import Canvas

from invoices.issuing.email import INVOICE_HEADER, build_invoice_email, invoice_from_address, new_message_id
from invoices.issuing.smtp import DeliveryStatus, deliver_email
from invoices.issuing.tests.matrix import MATRIX, credit_note, document, one_rate, standard
from invoisx.tests.processes import free_port

UBL = b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">\xc3\xa9</Invoice>\n'


@pytest.fixture(scope="module")
def pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Invoice INV-2026-00001")
    canvas.save()
    return buffer.getvalue()


def invoice_email(doc: dict | None = None, *, pdf: bytes = b"%PDF-1.7\n", ubl: bytes | None = None, **overrides):
    arguments = {
        "document": doc or one_rate(),
        "pdf": pdf,
        "ubl": ubl,
        "to": ["compta@lumiere.example"],
        "cc": [],
        "reply_to": "billing@nordlicht.example",
        "from_email": "Nordlicht Software <invoices@invoisx.example>",
    } | overrides
    return build_invoice_email(**arguments)


def header(message: EmailMessage, name: str) -> str:
    return str(make_header(decode_header(message.message()[name])))


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "Invoice INV-2026-00001 from Nordlicht Software"),
        ("ms", "Invois INV-2026-00001 daripada Nordlicht Software"),
        ("fr", "Facture INV-2026-00001 de Nordlicht Software"),
        ("de", "Rechnung INV-2026-00001 von Nordlicht Software"),
    ],
)
def test_the_subject_names_the_invoice_and_the_seller_in_the_documents_language(language, subject):
    message = invoice_email(document(lines=[standard("Licence", "1", "100")], language=language))

    assert message.subject == subject
    assert header(message, "Subject") == subject
    assert message.extra_headers["Content-Language"] == language


@pytest.mark.parametrize(
    ("language", "subject", "wording"),
    [
        ("en", "Credit note CN-2026-00001 from Nordlicht Software", "which corrects invoice INV-2026-00001"),
        ("ms", "Nota kredit CN-2026-00001 daripada Nordlicht Software", "yang membetulkan invois INV-2026-00001"),
        ("fr", "Avoir CN-2026-00001 de Nordlicht Software", "qui rectifie la facture INV-2026-00001"),
        ("de", "Rechnungskorrektur CN-2026-00001 von Nordlicht Software", "zur Rechnung INV-2026-00001"),
    ],
)
def test_a_credit_note_is_worded_as_one_and_names_the_invoice_it_corrects(language, subject, wording):
    doc = credit_note() | {"language": language}

    message = invoice_email(doc)

    assert message.subject == subject
    assert wording in message.body
    assert "Amount due" not in message.body
    assert [name for name, _, _ in message.attachments] == ["CN-2026-00001.pdf"]


@pytest.mark.parametrize(
    ("language", "amount", "due"),
    [
        ("en", "Amount due: EUR 1,523.20", "Due date: 4 January 2027"),
        ("ms", "Jumlah perlu dibayar: EUR 1,523.20", "Tarikh akhir pembayaran: 4 Januari 2027"),
        ("fr", "Montant à payer\u00a0: 1\u202f523,20\u00a0EUR", "Date d’échéance\u00a0: 4 janvier 2027"),
        ("de", "Zu zahlender Betrag: 1.523,20\u00a0EUR", "Fällig am: 4. Januar 2027"),
    ],
)
def test_the_body_gives_the_amount_due_and_the_due_date_in_the_documents_language(language, amount, due):
    doc = one_rate() | {"language": language}
    assert doc["totals"]["payable"] == "1523.20"

    body = invoice_email(doc).body

    assert amount in body
    assert due in body
    assert "DE89370400440532013000" in body
    assert "Nordlicht Software" in body


def test_where_to_pay_is_given_only_when_the_seller_has_an_account_and_something_is_due():
    assert "Please transfer the amount to IBAN DE89370400440532013000 (BIC COBADEFFXXX), quoting INV-2026-00001." in (
        invoice_email(one_rate()).body
    )
    assert "transfer" not in invoice_email(MATRIX["no_bank_account"]()).body
    assert "transfer" not in invoice_email(credit_note()).body


def test_every_case_of_the_matrix_makes_a_mail_naming_its_number_and_amount():
    for name, build in MATRIX.items():
        doc = build()
        message = invoice_email(doc)
        whole = doc["totals"]["payable"].split(".")[0]
        assert doc["number"] in message.subject, name
        assert f"{int(whole):,}" in message.body, name


def test_the_pdf_and_the_ubl_are_attached_under_the_documents_number(pdf):
    message = invoice_email(pdf=pdf, ubl=UBL)

    assert message.attachments == [
        ("INV-2026-00001.pdf", pdf, "application/pdf"),
        ("INV-2026-00001.xml", UBL, "application/xml"),
    ]
    assert "INV-2026-00001.xml" in message.body


def test_without_a_ubl_only_the_pdf_is_attached():
    message = invoice_email(ubl=None)

    assert [name for name, _, _ in message.attachments] == ["INV-2026-00001.pdf"]
    assert "UBL" not in message.body


def test_a_number_with_slashes_becomes_a_safe_file_name():
    message = invoice_email(document(lines=[standard("Licence", "1", "100")], number="INV/2026/7"))

    assert [name for name, _, _ in message.attachments] == ["INV-2026-7.pdf"]
    assert message.subject == "Invoice INV/2026/7 from Nordlicht Software"


def test_the_mail_carries_the_invoice_id_reply_to_and_a_message_id_of_the_configured_domain(settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "mail.invoisx.example"

    message = invoice_email(cc=["boss@lumiere.example"]).message()

    assert message[INVOICE_HEADER] == "inv_0000000000000000000001"
    assert message["Reply-To"] == "billing@nordlicht.example"
    assert message["Cc"] == "boss@lumiere.example"
    assert message["Message-ID"].endswith(".inv_0000000000000000000001@mail.invoisx.example>")
    assert "Auto-Submitted" not in message


def test_without_a_configured_domain_the_message_id_uses_the_senders_domain(settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = "InvoisX <invoices@billing.example>"

    assert new_message_id(invoice_id="inv_abc").endswith(".inv_abc@billing.example>")


def test_a_given_message_id_is_kept_so_a_resend_can_repeat_it():
    message = invoice_email(message_id="<fixed.inv_1@invoisx.example>")

    assert message.message()["Message-ID"] == "<fixed.inv_1@invoisx.example>"


def test_a_custom_subject_and_message_replace_the_letter_but_keep_the_facts():
    message = invoice_email(subject="Your invoice\r\nBcc: victim@example.com", message="Hi Marie,\n\nhere it is.\n\nJo")

    assert message.subject == "Your invoice Bcc: victim@example.com"
    assert message.message()["Bcc"] is None
    assert message.body.startswith("Hi Marie,\n\nhere it is.\n\nJo\n\nAmount due: EUR 1,523.20")
    assert "Kind regards" not in message.body


def test_the_html_alternative_escapes_the_text():
    message = invoice_email(message="<script>alert(1)</script>")

    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "&lt;script&gt;" in html
    assert "<script>" not in html


def test_the_from_address_puts_the_sellers_name_on_the_operators_address(settings):
    settings.DEFAULT_FROM_EMAIL = "InvoisX <invoices@invoisx.example>"

    assert invoice_from_address(seller_name="Nordlicht Software") == "Nordlicht Software <invoices@invoisx.example>"
    assert invoice_from_address(seller_name="Smith, Jones & Co") == '"Smith, Jones & Co" <invoices@invoisx.example>'
    assert invoice_from_address(seller_name="") == "invoices@invoisx.example"


# Delivery through a real SMTP server (aiosmtpd on 127.0.0.1)


def test_a_sent_mail_arrives_with_the_pdf_and_the_ubl_intact(smtp_server, pdf):
    message = invoice_email(pdf=pdf, ubl=UBL, cc=["boss@lumiere.example"])

    result = deliver_email(message)

    assert result.status == DeliveryStatus.SENT
    assert result.accepted == ("compta@lumiere.example", "boss@lumiere.example")
    assert result.refused == ()
    [received] = smtp_server.messages
    assert received.mail_from == "invoices@invoisx.example"
    assert received.rcpt_tos == ["compta@lumiere.example", "boss@lumiere.example"]
    assert received.message["Message-ID"] == result.message_id
    assert received.message[INVOICE_HEADER] == "inv_0000000000000000000001"
    assert received.message["Subject"] == "Invoice INV-2026-00001 from Nordlicht Software"
    assert received.attachments() == {
        "INV-2026-00001.pdf": ("application/pdf", pdf),
        "INV-2026-00001.xml": ("application/xml", UBL),
    }
    assert "Amount due: EUR 1,523.20" in received.text()


def test_non_ascii_names_survive_the_trip(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "invoices@invoisx.example"
    doc = one_rate() | {"language": "de", "supplier": one_rate()["supplier"] | {"name": "Müller & Söhne"}}
    message = invoice_email(doc, from_email=invoice_from_address(seller_name="Müller & Söhne"))

    assert deliver_email(message).status == DeliveryStatus.SENT

    received = smtp_server.messages[0].message
    assert received["Subject"] == "Rechnung INV-2026-00001 von Müller & Söhne"
    assert received["From"].addresses[0].display_name == "Müller & Söhne"
    assert received["From"].addresses[0].addr_spec == "invoices@invoisx.example"
    assert "Mit freundlichen Grüßen\nMüller & Söhne" in smtp_server.messages[0].text()


def test_a_recipient_refused_with_550_bounced_with_the_servers_code_and_text(smtp_server):
    smtp_server.refuse("compta@lumiere.example", 550)

    result = deliver_email(invoice_email())

    assert result.status == DeliveryStatus.BOUNCED
    assert not result.retryable
    assert result.code == 550
    [refusal] = result.bounced
    assert refusal.address == "compta@lumiere.example"
    assert refusal.code == 550
    assert refusal.text == "5.1.1 Recipient address rejected: User unknown in virtual mailbox table"
    assert "compta@lumiere.example refused: 550 5.1.1" in result.error
    assert smtp_server.messages == []


def test_a_recipient_refused_with_451_is_a_failure_worth_retrying(smtp_server):
    smtp_server.refuse("compta@lumiere.example", 451)

    result = deliver_email(invoice_email())

    assert result.status == DeliveryStatus.FAILED
    assert result.retryable
    assert result.code == 451
    assert [(item.address, item.code) for item in result.deferred] == [("compta@lumiere.example", 451)]
    assert smtp_server.messages == []


def test_one_refused_recipient_among_accepted_ones_is_reported_while_the_mail_counts_as_sent(smtp_server):
    smtp_server.refuse("old@lumiere.example", 550)
    smtp_server.refuse("busy@lumiere.example", 451)

    result = deliver_email(
        invoice_email(to=["compta@lumiere.example"], cc=["old@lumiere.example", "busy@lumiere.example"])
    )

    assert result.status == DeliveryStatus.SENT
    assert result.accepted == ("compta@lumiere.example",)
    assert [(item.address, item.code) for item in result.bounced] == [("old@lumiere.example", 550)]
    assert [(item.address, item.code) for item in result.deferred] == [("busy@lumiere.example", 451)]
    assert smtp_server.messages[0].rcpt_tos == ["compta@lumiere.example"]


def test_a_server_that_is_down_is_a_retryable_failure_naming_it_and_no_secret(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = "mailer@nordlicht.example"
    settings.EMAIL_HOST_PASSWORD = "hunter2-secret"

    result = deliver_email(invoice_email())

    assert result.status == DeliveryStatus.FAILED
    assert result.retryable
    assert f"127.0.0.1:{settings.EMAIL_PORT}" in result.error
    assert "refused" in result.error.lower()
    assert "hunter2" not in result.error
    assert "mailer@" not in result.error


def test_a_server_that_never_answers_is_a_retryable_failure_after_email_timeout(settings):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are queued but never greeted
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 1

        result = deliver_email(invoice_email())

    assert result.status == DeliveryStatus.FAILED
    assert result.retryable
    assert "did not answer within 1 seconds (EMAIL_TIMEOUT)" in result.error


class _LoginRefusingSMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to offer AUTH and refuse it with a reply that repeats the credentials, as
    some servers do."""

    def handle(self) -> None:
        self.wfile.write(b"220 fake ESMTP\r\n")
        for line in self.rfile:
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250-fake\r\n250 AUTH PLAIN LOGIN\r\n")
            elif command.startswith("AUTH"):
                self.wfile.write(b"535 5.7.8 Bad credentials mailer@nordlicht.example / hunter2-secret\r\n")
            else:
                self.wfile.write(b"221 bye\r\n")
                return


@pytest.fixture
def login_refusing_server() -> Iterator[tuple[str, int]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _LoginRefusingSMTP)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield str(host), int(port)
    server.shutdown()
    server.server_close()


def test_a_refused_login_fails_for_good_without_repeating_the_credentials(settings, login_refusing_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = login_refusing_server
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = "mailer@nordlicht.example"
    settings.EMAIL_HOST_PASSWORD = "hunter2-secret"

    result = deliver_email(invoice_email())

    assert result.status == DeliveryStatus.FAILED
    assert not result.retryable
    assert result.code == 535
    assert "refused the login (535 5.7.8 Bad credentials *** / ***)" in result.error
    assert "EMAIL_HOST_PASSWORD" in result.error
    assert "hunter2" not in result.error


def test_other_backends_report_every_recipient_accepted():
    # pytest-django's default: the locmem backend, mail.outbox
    result = deliver_email(invoice_email(cc=["boss@lumiere.example"]))

    assert result.status == DeliveryStatus.SENT
    assert result.accepted == ("compta@lumiere.example", "boss@lumiere.example")
    assert mail.outbox[0].extra_headers["Message-ID"] == result.message_id


def test_a_mail_without_recipients_fails_for_good():
    result = deliver_email(invoice_email(to=[]))

    assert result.status == DeliveryStatus.FAILED
    assert not result.retryable
    assert result.error == "The mail has no recipient."
