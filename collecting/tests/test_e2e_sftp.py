"""End to end, seed 003 over a real SFTP folder: a customer sets its callback and adds a user through the
API, the user adds an SFTP credential with its token, a PDF invoice and a UBL e-invoice are put in the
folder of the test OpenSSH server, the beat's task runs the schedule, and the callback receiver on
127.0.0.1 gets exactly the two invoices, signed, with their documents and extracted totals; a second
scheduled run sends nothing, whether the files were moved to `done` or left in place.

The files are put back-dated by an hour (older than the collector's SETTLE_SECONDS, as a finished
upload is), so the credential says explicitly, with `download_from_timestamp`, to push documents from
two hours before its creation.
"""

import base64
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from collecting.callbacks import callback_secret
from collecting.collectors.sftp import DONE_FOLDER, SETTLE_SECONDS
from collecting.models import CollectedDocument, Credential, CredentialState
from collecting.tasks import collect_due
from collecting.tests.imap_server import einvoice_xml, invoice_pdf
from collecting.tests.sftp_server import FINISHED_AGE_SECONDS, SftpFolder
from invoices.models import Invoice, Source
from webhooks.models import Delivery
from webhooks.tests.receiver import Receiver, verify

REMOTE_ID = "CUST-USER-9"
PUSH_FROM = timedelta(hours=2)


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


def run_the_schedule(credential: Credential, capture: Any) -> None:
    """The credential's next collection has come; beat runs its task (and everything it queues)."""
    Credential.objects.filter(pk=credential.pk).update(next_collect_at=timezone.now() - timedelta(seconds=1))
    with capture(execute=True):
        assert collect_due() == 1


@pytest.mark.parametrize("after", ["move_to_done", "leave"])
def test_two_files_give_exactly_two_signed_callbacks_and_a_second_run_sends_nothing(
    after: str, alice, make_client, sftp_folder: SftpFolder, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    assert FINISHED_AGE_SECONDS > SETTLE_SECONDS  # the files are taken at once
    assert PUSH_FROM.total_seconds() > FINISHED_AGE_SECONDS  # and pushed
    customer = make_client(alice, scopes=["collectors:read", "collectors:write"])
    answer = customer.post("/api/v1/customer", {"callback": receiver.url}, format="json")
    assert answer.status_code == 200, answer.content
    answer = customer.post("/api/v1/user", {"remote_id": REMOTE_ID, "locale": "fr"}, format="json")
    assert answer.status_code == 200, answer.content
    token = answer.json()["token"]
    push_from_ms = int((timezone.now() - PUSH_FROM).timestamp() * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        answer = APIClient().post(
            f"/api/v1/credential?token={token}",
            {
                "collector": "sftp",
                "params": sftp_folder.params(after=after),
                "download_from_timestamp": push_from_ms,
            },
            format="json",
        )
    assert answer.status_code == 201, answer.content
    credential = Credential.objects.get(company=alice, public_id=answer.json()["id"])
    # Collected at once, from a still empty folder.
    assert credential.state == CredentialState.OK
    assert receiver.requests == []

    pdf, xml = invoice_pdf(), einvoice_xml()
    sftp_folder.put("INV-2026-0042.pdf", pdf)
    sftp_folder.put("e-invoice.xml", xml)

    run_the_schedule(credential, django_capture_on_commit_callbacks)

    credential.refresh_from_db()
    assert (credential.state, credential.message) == (CredentialState.OK, "")
    received = signed_callbacks(receiver, alice)
    assert len(received) == 2
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 2
    by_type = {body["invoice"]["mimetype"]: body for body in received}
    assert set(by_type) == {"application/pdf", "application/xml"}
    expected = {"application/pdf": (pdf, "1332.00"), "application/xml": (xml, "35.70")}
    for mimetype, (data, total) in expected.items():
        body = by_type[mimetype]
        invoice = Invoice.objects.get(company=alice, public_id=body["invoice"]["id"])
        assert (body["type"], body["collector"], body["remote_id"]) == ("invoice", "sftp", REMOTE_ID)
        assert base64.b64decode(body["invoice"]["data"]) == data
        assert invoice.source == Source.COLLECTED
        assert invoice.total == Decimal(total)
        assert Decimal(str(body["invoice"]["extracted"]["totals"]["total"])) == Decimal(total)
        assert body["invoice"]["amount"].split()[0] == total
    if after == "move_to_done":
        assert sftp_folder.names() == [DONE_FOLDER]
        assert sftp_folder.names(DONE_FOLDER) == ["INV-2026-0042.pdf", "e-invoice.xml"]
    else:
        assert sftp_folder.names() == ["INV-2026-0042.pdf", "e-invoice.xml"]

    run_the_schedule(credential, django_capture_on_commit_callbacks)

    credential.refresh_from_db()
    assert (credential.state, credential.message) == (CredentialState.OK, "")
    assert len(receiver.requests) == 2
    assert Invoice.objects.filter(company=alice).count() == 2
    assert CollectedDocument.objects.filter(credential=credential).count() == 2
    assert Delivery.objects.filter(company=alice).count() == 2
