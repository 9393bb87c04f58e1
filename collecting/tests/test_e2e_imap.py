"""End to end, seed 003 over a real mailbox: a customer sets its callback and adds a user through the
API, the user adds a mailbox credential with its token, three mails arrive in the test Dovecot, the
beat's task runs the schedule, and the callback receiver on 127.0.0.1 gets exactly the two invoices,
signed, with their documents and extracted totals; a second scheduled run sends nothing.

The credential is added without `download_from_timestamp`, so only documents dated after its
creation are pushed: the mails are dated (Date header and IMAP internal date) a minute after it.
"""

import base64
import time
from datetime import timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from collecting.callbacks import callback_secret
from collecting.models import CollectedDocument, Credential, CredentialState
from collecting.tasks import collect_due
from collecting.tests.imap_server import (
    ImapTestServer,
    imap_server,
    jpg_receipt_mail,
    no_attachment_mail,
    pdf_invoice_mail,
)
from invoices.models import Invoice, Source
from webhooks.models import Delivery
from webhooks.tests.receiver import Receiver, verify

__all__ = ["imap_server"]  # the fixture, imported to be used here

REMOTE_ID = "CUST-USER-7"


@pytest.fixture(autouse=True)
def _tasks_here_and_a_local_receiver(settings: Any) -> None:
    # The tasks run in this process, on this test's database; the callback receiver is on 127.0.0.1.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def signed_callbacks(receiver: Receiver, company: Any) -> list[dict[str, Any]]:
    """Each request the receiver got, checked as a customer checks it (Standard Webhooks)."""
    secret = callback_secret(company=company)
    return [verify(secret=secret, headers=r.headers, body=r.body, now=int(time.time())) for r in receiver.requests]


def attached(message: EmailMessage) -> bytes:
    [attachment] = message.iter_attachments()
    data: bytes = attachment.get_content()
    return data


def run_the_schedule(credential: Credential, capture: Any) -> None:
    """The credential's next collection has come; beat runs its task (and everything it queues)."""
    Credential.objects.filter(pk=credential.pk).update(next_collect_at=timezone.now() - timedelta(seconds=1))
    with capture(execute=True):
        assert collect_due() == 1


# mark_read: the second run does not even list the mails; none: it lists them and drops them as known.
@pytest.mark.parametrize("action", ["mark_read", "none"])
def test_three_mails_give_exactly_two_signed_callbacks_and_a_second_run_sends_nothing(
    action: str, alice, make_client, imap_server: ImapTestServer, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    customer = make_client(alice, scopes=["collectors:read", "collectors:write"])
    answer = customer.post("/api/v1/customer", {"callback": receiver.url}, format="json")
    assert answer.status_code == 200, answer.content
    answer = customer.post("/api/v1/user", {"remote_id": REMOTE_ID, "locale": "en"}, format="json")
    assert answer.status_code == 200, answer.content
    token = answer.json()["token"]
    user = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        answer = user.post(
            f"/api/v1/credential?token={token}",
            {"collector": "imap", "params": imap_server.params(action=action)},
            format="json",
        )
    assert answer.status_code == 201, answer.content
    credential = Credential.objects.get(company=alice, public_id=answer.json()["id"])
    # Collected at once, from a still empty mailbox.
    assert credential.state == CredentialState.OK
    assert receiver.requests == []

    arrived = credential.created_at + timedelta(minutes=1)
    assert arrived > credential.download_from
    invoice_mail, receipt_mail = pdf_invoice_mail(sent=arrived), jpg_receipt_mail(sent=arrived)
    for message in (invoice_mail, receipt_mail, no_attachment_mail(sent=arrived)):
        imap_server.append(message, received=arrived)

    run_the_schedule(credential, django_capture_on_commit_callbacks)

    credential.refresh_from_db()
    assert (credential.state, credential.message) == (CredentialState.OK, "")
    received = signed_callbacks(receiver, alice)
    assert len(received) == 2
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 2
    by_type = {body["invoice"]["mimetype"]: body for body in received}
    assert set(by_type) == {"application/pdf", "image/jpeg"}
    expected = {"application/pdf": (attached(invoice_mail), "1332.00"), "image/jpeg": (attached(receipt_mail), "23.40")}
    for mimetype, (data, total) in expected.items():
        body = by_type[mimetype]
        invoice = Invoice.objects.get(company=alice, public_id=body["invoice"]["id"])
        assert (body["type"], body["collector"], body["remote_id"]) == ("invoice", "imap", REMOTE_ID)
        assert base64.b64decode(body["invoice"]["data"]) == data
        assert invoice.source == Source.COLLECTED
        assert invoice.total == Decimal(total)
        assert Decimal(str(body["invoice"]["extracted"]["totals"]["total"])) == Decimal(total)
        assert body["invoice"]["amount"].split()[0] == total
    assert CollectedDocument.objects.filter(credential=credential).count() == 2
    assert Invoice.objects.filter(company=alice).count() == 2

    run_the_schedule(credential, django_capture_on_commit_callbacks)

    credential.refresh_from_db()
    assert (credential.state, credential.message) == (CredentialState.OK, "")
    assert len(receiver.requests) == 2
    assert Invoice.objects.filter(company=alice).count() == 2
    assert CollectedDocument.objects.filter(credential=credential).count() == 2
    assert Delivery.objects.filter(company=alice).count() == 2
