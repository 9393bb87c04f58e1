"""The mailbox collector against a real Dovecot (see imap_server.py): what it lists, downloads and does
to the mails afterwards, its filters, its security modes and its errors."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from collecting.collectors import REGISTRY
from collecting.collectors.base import CollectorError, DocumentRef, Downloaded, LoginFailed, TransientError
from collecting.collectors.imap import ImapCollector, ImapSession
from collecting.tests.imap_server import (
    ImapTestServer,
    einvoice_xml,
    imap_server,
    jpg_receipt_mail,
    mail,
    no_attachment_mail,
    pdf_invoice_mail,
    receipt_jpeg,
    xml_einvoice_mail,
)

__all__ = ["imap_server"]  # the fixture, imported to be used here

COLLECTOR = ImapCollector()
INVOICE_SUBJECT = "Your invoice INV-2026-0042"
RECEIPT_SUBJECT = "Receipt for your lunch"
NEWS_SUBJECT = "Our new prices"


def no_second_factor() -> str | None:
    return None


@contextmanager
def session(server: ImapTestServer, **params: Any) -> Iterator[ImapSession]:
    opened = COLLECTOR.open(server.params(**params), two_factor=no_second_factor)
    assert isinstance(opened, ImapSession)
    try:
        yield opened
    finally:
        opened.close()


def collect(
    server: ImapTestServer, *, since: datetime | None = None, finish: bool = True, **params: Any
) -> list[tuple[DocumentRef, Downloaded]]:
    """One run: list, download everything listed, then apply the action to it."""
    with session(server, **params) as opened:
        refs = list(opened.documents(since=since))
        collected = [(ref, opened.download(ref)) for ref in refs]
        if finish:
            opened.finish(refs)
    return collected


def put_the_three_mails(server: ImapTestServer) -> None:
    server.append(pdf_invoice_mail())
    server.append(jpg_receipt_mail())
    server.append(no_attachment_mail())


def attached(message: EmailMessage) -> bytes:
    [attachment] = message.iter_attachments()
    return attachment.get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_mailbox_collector_is_registered_with_its_parameters_in_english_and_french() -> None:
    collector = REGISTRY["imap"]
    english, french = collector.describe("en"), collector.describe("fr")
    assert english["name"] == "Mailbox (IMAP)"
    assert french["name"] == "Boîte mail (IMAP)"
    params = {param["name"]: param for param in french["params"]}
    assert list(params) == [
        "host",
        "port",
        "security",
        "user",
        "password",
        "folder",
        "from_filter",
        "subject_filter",
        "attachment_pattern",
        "maximum_age_days",
        "action",
        "move_to",
    ]
    assert params["password"]["secret"] is True
    assert params["password"]["label"] == "Mot de passe"
    assert params["port"]["default"] == 993
    assert [choice["value"] for choice in params["action"]["choices"]] == ["mark_read", "move", "flag", "none"]
    assert all(param["label"] for param in english["params"])


def test_three_mails_give_exactly_the_pdf_and_the_jpg_with_their_bytes_and_types(
    imap_server: ImapTestServer,
) -> None:
    sent = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
    invoice = pdf_invoice_mail(sent=sent)
    receipt = jpg_receipt_mail()
    imap_server.append(invoice)
    imap_server.append(receipt)
    imap_server.append(no_attachment_mail())

    collected = collect(imap_server, maximum_age_days=3650)

    assert [(ref.file_name, downloaded.mimetype) for ref, downloaded in collected] == [
        ("INV-2026-0042.pdf", "application/pdf"),
        ("receipt.jpg", "image/jpeg"),
    ]
    (pdf_ref, pdf), (_, jpg) = collected
    assert pdf.data == attached(invoice)
    assert jpg.data == attached(receipt)
    assert pdf_ref.key == f"{invoice['Message-ID']}#0"
    assert pdf_ref.issued_at == sent


def test_an_e_invoice_is_recognised_by_its_content_whatever_its_name_and_declared_type(
    imap_server: ImapTestServer,
) -> None:
    imap_server.append(xml_einvoice_mail())

    [(ref, downloaded)] = collect(imap_server)

    assert ref.file_name == "invoice.dat"
    assert downloaded.mimetype == "application/xml"
    assert downloaded.data == einvoice_xml()


def test_attachments_that_are_not_invoices_and_images_shown_in_the_body_are_not_collected(
    imap_server: ImapTestServer,
) -> None:
    message = mail(subject="Minutes")
    message.add_alternative('<p><img src="cid:logo@acme-widgets.example"> Minutes attached.</p>', subtype="html")
    html = message.get_body(("html",))
    assert html is not None
    html.add_related(receipt_jpeg(), maintype="image", subtype="jpeg", cid="<logo@acme-widgets.example>")
    message.add_attachment(b"Nothing to pay.", maintype="text", subtype="plain", filename="minutes.txt")
    order = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>'
    message.add_attachment(order, maintype="text", subtype="xml", filename="order.xml")
    message.add_attachment(b"not a PDF at all", maintype="application", subtype="pdf", filename="fake.pdf")
    imap_server.append(message)

    assert collect(imap_server) == []


def test_the_from_filter_keeps_the_mails_of_that_sender_only(imap_server: ImapTestServer) -> None:
    put_the_three_mails(imap_server)

    collected = collect(imap_server, from_filter="cafe-du-coin")

    assert [ref.file_name for ref, _ in collected] == ["receipt.jpg"]


def test_the_subject_filter_keeps_the_mails_whose_subject_contains_it(imap_server: ImapTestServer) -> None:
    put_the_three_mails(imap_server)
    imap_server.append(pdf_invoice_mail(subject="Votre facture électricité"))

    assert [ref.file_name for ref, _ in collect(imap_server, subject_filter="invoice")] == ["INV-2026-0042.pdf"]
    assert [ref.file_name for ref, _ in collect(imap_server, subject_filter="électricité")] == ["INV-2026-0042.pdf"]


def test_the_attachment_pattern_keeps_the_matching_file_names(imap_server: ImapTestServer) -> None:
    put_the_three_mails(imap_server)

    assert [ref.file_name for ref, _ in collect(imap_server, attachment_pattern="*.PDF")] == ["INV-2026-0042.pdf"]
    assert [ref.file_name for ref, _ in collect(imap_server, attachment_pattern="*.png, receipt*")] == ["receipt.jpg"]


def test_mails_older_than_the_maximum_age_are_left_alone(imap_server: ImapTestServer) -> None:
    now = datetime.now(UTC)
    imap_server.append(pdf_invoice_mail(sent=now - timedelta(days=40)), received=now - timedelta(days=40))
    imap_server.append(jpg_receipt_mail(sent=now - timedelta(days=5)), received=now - timedelta(days=5))

    assert [ref.file_name for ref, _ in collect(imap_server, maximum_age_days=30, action="none")] == ["receipt.jpg"]
    assert len(collect(imap_server, maximum_age_days=60, action="none")) == 2


def test_since_leaves_out_the_mails_received_days_before_the_last_run(imap_server: ImapTestServer) -> None:
    now = datetime.now(UTC)
    imap_server.append(pdf_invoice_mail(), received=now - timedelta(days=10))
    imap_server.append(jpg_receipt_mail(), received=now - timedelta(days=1))

    collected = collect(imap_server, since=now - timedelta(hours=1), action="none")

    assert [ref.file_name for ref, _ in collected] == ["receipt.jpg"]


def test_mark_read_marks_only_the_mails_that_yielded_collected_files(imap_server: ImapTestServer) -> None:
    put_the_three_mails(imap_server)
    imap_server.append(pdf_invoice_mail(subject="Invoice 2"))

    with session(imap_server, action="mark_read") as opened:
        refs = list(opened.documents(since=None))
        assert len(refs) == 3
        opened.finish(refs[:2])  # the run stored the first invoice and the receipt only

    flags = imap_server.flags()
    assert "\\Seen" in flags[INVOICE_SUBJECT]
    assert "\\Seen" in flags[RECEIPT_SUBJECT]
    assert "\\Seen" not in flags[NEWS_SUBJECT]
    assert "\\Seen" not in flags["Invoice 2"]  # listed, but not collected by this run


def test_a_second_run_after_mark_read_lists_nothing(imap_server: ImapTestServer) -> None:
    put_the_three_mails(imap_server)
    first_run = datetime.now(UTC)

    assert len(collect(imap_server, action="mark_read")) == 2
    assert collect(imap_server, since=first_run, action="mark_read") == []


def test_without_an_action_a_second_run_lists_the_same_keys_for_the_run_to_drop(
    imap_server: ImapTestServer,
) -> None:
    put_the_three_mails(imap_server)
    first_run = datetime.now(UTC)

    first = [ref.key for ref, _ in collect(imap_server, action="none")]
    second = [ref.key for ref, _ in collect(imap_server, since=first_run, action="none")]

    assert len(first) == 2
    assert second == first
    assert all("\\Seen" not in flags for flags in imap_server.flags().values())


def test_a_mail_without_a_message_id_gets_the_same_key_on_every_run(imap_server: ImapTestServer) -> None:
    imap_server.append(pdf_invoice_mail(message_id=None))

    [(first, _)] = collect(imap_server, action="none")
    [(second, _)] = collect(imap_server, action="none")

    assert first.key.startswith("headers-sha256:")
    assert first.key == second.key


def test_move_moves_only_the_mails_that_yielded_collected_files(imap_server: ImapTestServer) -> None:
    put_the_three_mails(imap_server)

    collect(imap_server, action="move", move_to="Invoices/Collected")

    assert set(imap_server.flags("Invoices/Collected")) == {INVOICE_SUBJECT, RECEIPT_SUBJECT}
    assert set(imap_server.flags()) == {NEWS_SUBJECT}


def test_move_without_the_move_command_expunges_only_the_moved_mails(
    imap_server: ImapTestServer,
) -> None:
    imap_server.append(pdf_invoice_mail())
    imap_server.append(no_attachment_mail(), flags=("\\Deleted",))  # deleted by the user, not yet expunged

    with session(imap_server, action="move", move_to="Done") as opened:
        opened.capabilities.discard("MOVE")
        opened.finish(list(opened.documents(since=None)))

    assert set(imap_server.flags("Done")) == {INVOICE_SUBJECT}
    assert imap_server.flags() == {NEWS_SUBJECT: {"\\Deleted"}}


def test_flag_flags_only_the_mails_that_yielded_collected_files(imap_server: ImapTestServer) -> None:
    put_the_three_mails(imap_server)
    imap_server.append(no_attachment_mail(subject="Deleted"), flags=("\\Deleted",))

    collect(imap_server, action="flag")

    flags = imap_server.flags()
    assert flags[INVOICE_SUBJECT] == {"\\Flagged"}
    assert flags[RECEIPT_SUBJECT] == {"\\Flagged"}
    assert flags[NEWS_SUBJECT] == set()
    assert flags["Deleted"] == {"\\Deleted"}  # flagging expunges nothing


@pytest.mark.parametrize("security", ["ssl", "starttls", "none"])
def test_each_security_mode_logs_in_and_collects(imap_server: ImapTestServer, security: str) -> None:
    imap_server.append(pdf_invoice_mail())
    port = imap_server.ssl_port if security == "ssl" else imap_server.port

    collected = collect(imap_server, security=security, port=port)

    assert [ref.file_name for ref, _ in collected] == ["INV-2026-0042.pdf"]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_certificate_from_an_unknown_authority_is_refused(
    imap_server: ImapTestServer, settings: Any, security: str
) -> None:
    settings.COLLECTING_IMAP_CA_FILE = ""
    port = imap_server.ssl_port if security == "ssl" else imap_server.port

    with pytest.raises(CollectorError, match="certificate is not trusted"):
        COLLECTOR.open(imap_server.params(security=security, port=port), two_factor=no_second_factor)


def test_tls_on_the_starttls_port_fails_with_a_hint_at_the_port(imap_server: ImapTestServer) -> None:
    with pytest.raises(CollectorError, match="check the port and security"):
        COLLECTOR.open(imap_server.params(security="ssl"), two_factor=no_second_factor)


def test_a_wrong_password_is_a_login_failure_whose_message_has_no_password(imap_server: ImapTestServer) -> None:
    wrong = "Wr0ng-s3cret-passw0rd"

    with pytest.raises(LoginFailed) as raised:
        COLLECTOR.open(imap_server.params(password=wrong), two_factor=no_second_factor)

    assert str(raised.value) == "The mail server refused the user name or password."
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
    assert wrong not in repr(raised.value.args)


def test_a_non_ascii_wrong_password_is_a_login_failure_too(imap_server: ImapTestServer) -> None:
    with pytest.raises(LoginFailed):
        COLLECTOR.open(imap_server.params(password="mot-de-passe-été"), two_factor=no_second_factor)


def test_a_closed_port_is_a_transient_error(imap_server: ImapTestServer) -> None:
    with pytest.raises(TransientError, match="could not be reached"):
        COLLECTOR.open(imap_server.params(port=free_port()), two_factor=no_second_factor)


def test_a_server_that_never_answers_is_a_transient_error(imap_server: ImapTestServer, settings: Any) -> None:
    settings.COLLECTING_IMAP_TIMEOUT = 0.5
    with socket.socket() as silent:  # accepts connections (the backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        params = imap_server.params(port=silent.getsockname()[1], security="none")

        with pytest.raises(TransientError):
            COLLECTOR.open(params, two_factor=no_second_factor)


def test_an_unknown_folder_is_a_collector_error_naming_it(imap_server: ImapTestServer) -> None:
    with pytest.raises(CollectorError, match="The folder Factures does not exist"):
        COLLECTOR.open(imap_server.params(folder="Factures"), two_factor=no_second_factor)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"host": "imap.example.com", "security": "none"}, "params.security: none is only allowed"),
        ({"action": "move"}, "params.move_to: required when the action is move"),
        ({"port": 70000}, "params.port"),
        ({"maximum_age_days": 0}, "params.maximum_age_days"),
        ({"security": "tls"}, "params.security: one of ssl, starttls, none"),
    ],
)
def test_clean_params_refuses_unsafe_or_incomplete_rules(params: dict[str, Any], message: str) -> None:
    given = {"host": "127.0.0.1", "user": "alice", "password": "secret", **params}

    with pytest.raises(ValueError, match=message):
        COLLECTOR.clean_params(given)


def test_clean_params_fills_in_the_defaults() -> None:
    cleaned = COLLECTOR.clean_params({"host": "imap.example.com", "user": "alice", "password": "secret"})

    assert cleaned == {
        "host": "imap.example.com",
        "port": 993,
        "security": "ssl",
        "user": "alice",
        "password": "secret",
        "folder": "INBOX",
        "attachment_pattern": "*",
        "maximum_age_days": 30,
        "action": "mark_read",
    }


def test_no_encryption_is_accepted_for_a_server_on_this_machine() -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        cleaned = COLLECTOR.clean_params({"host": host, "user": "a", "password": "b", "security": "none"})
        assert cleaned["security"] == "none"
