"""Collector runs, end to end: a fake source, the real intake and extraction, and a real callback
receiver on 127.0.0.1 that checks each Standard Webhooks signature."""

import base64
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from collecting import runs
from collecting.callbacks import callback_secret
from collecting.collectors import REGISTRY
from collecting.models import CollectedDocument, Credential, CredentialState
from collecting.runs import collections_sweep, credential_collect_run
from collecting.schedule import collections_due
from collecting.services import (
    collector_user_create,
    credential_collect_now,
    credential_create,
    credential_two_fa,
    customer_update,
)
from collecting.tasks import collect_credential
from collecting.tests.fake_collector import FAKE_KEY, FakeCollector, FakeDocument, FakeSource, invoice_pdf
from events.models import Event, EventType
from invoices.models import Direction, Invoice, Source, Status
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tests.receiver import Receiver, verify

PARAMS = {"account": "acme", "password": "right"}


@pytest.fixture(autouse=True)
def _tasks_and_receivers(settings):
    # Under CI real workers serve another database: run the tasks here. The receiver is on 127.0.0.1.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def fake():
    collector = FakeCollector()
    REGISTRY[FAKE_KEY] = collector
    yield collector
    REGISTRY.pop(FAKE_KEY, None)


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def user(alice, receiver):
    customer_update(company=alice, callback=receiver.url)
    return collector_user_create(company=alice, remote_id="R-42", locale="en")


def new_document(key: str, number: str, total: str) -> FakeDocument:
    return FakeDocument(key=key, file_name=f"{number}.pdf", data=invoice_pdf(number, total))


def callbacks(receiver: Receiver, company) -> list[dict]:
    secret = callback_secret(company=company)
    return [verify(secret=secret, headers=r.headers, body=r.body, now=int(time.time())) for r in receiver.requests]


def add_credential(user, capture, **kwargs) -> Credential:
    with capture(execute=True):
        credential = credential_create(user=user, collector=FAKE_KEY, params=PARAMS, **kwargs)
    credential.refresh_from_db()
    return credential


def collect_again(credential: Credential, capture) -> Credential:
    with capture(execute=True):
        credential_collect_now(credential=credential)
    credential.refresh_from_db()
    return credential


def test_a_new_credential_is_collected_at_once_into_collected_purchase_invoices(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    fake.sources["acme"] = FakeSource(
        documents=[new_document("m1/1", "INV-1", "100.00"), new_document("m2/1", "INV-2", "250.50")]
    )

    credential = add_credential(user, django_capture_on_commit_callbacks)

    assert credential.state == CredentialState.OK
    assert credential.last_collect_at is not None
    assert credential.next_collect_at is not None
    assert credential.next_collect_at > timezone.now()
    invoices = Invoice.objects.filter(company=alice).order_by("invoice_number")
    assert [(i.invoice_number, i.total) for i in invoices] == [
        ("INV-1", Decimal("100.00")),
        ("INV-2", Decimal("250.50")),
    ]
    assert {i.status for i in invoices} <= {Status.PROCESSED, Status.NEEDS_REVIEW}  # extracted
    assert {(i.direction, i.source) for i in invoices} == {(Direction.PURCHASE, Source.COLLECTED)}
    documents = CollectedDocument.objects.filter(credential=credential)
    assert {d.source_key for d in documents} == {"m1/1", "m2/1"}
    assert all(d.pushed and d.invoice is not None for d in documents)
    assert fake.sources["acme"].finished == ["m1/1", "m2/1"]
    assert fake.sources["acme"].closed == 1
    assert {tuple(sorted(i.collected_from.items())) for i in invoices} == {
        (
            ("collector", credential.collector),
            ("credential_id", credential.public_id),
            ("remote_id", user.remote_id),
            ("user_id", user.public_id),
        )
    }


def test_the_api_lists_a_users_collected_invoices_by_remote_id(
    alice, alice_api, user, fake, receiver, django_capture_on_commit_callbacks
):
    fake.sources["acme"] = FakeSource(documents=[new_document("m1/1", "INV-1", "100.00")])
    credential = add_credential(user, django_capture_on_commit_callbacks)

    listed = alice_api.get("/api/v1/invoices", {"remote_id": user.remote_id}).json()["data"]["invoices"]
    elsewhere = alice_api.get("/api/v1/invoices", {"remote_id": "someone-else"}).json()["data"]["invoices"]

    assert [invoice["invoice_number"] for invoice in listed] == ["INV-1"]
    assert listed[0]["collected_from"] == {
        "collector": credential.collector,
        "credential_id": credential.public_id,
        "user_id": user.public_id,
        "remote_id": user.remote_id,
    }
    assert elsewhere == []


def test_each_new_document_is_pushed_once_signed_in_seed_003s_schema_with_the_extracted_invoice(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    documents = [new_document("m1/1", "INV-1", "100.00"), new_document("m2/1", "INV-2", "250.50")]
    fake.sources["acme"] = FakeSource(documents=documents)

    credential = add_credential(user, django_capture_on_commit_callbacks)

    received = sorted(callbacks(receiver, alice), key=lambda body: body["invoice"]["extracted"]["invoice_number"])
    assert len(received) == 2
    for body, document in zip(received, documents, strict=True):
        invoice = Invoice.objects.get(
            company=alice,
            document_sha256=CollectedDocument.objects.get(credential=credential, source_key=document.key).sha256,
        )
        assert body["type"] == "invoice"
        assert body["collector"] == FAKE_KEY
        assert body["remote_id"] == "R-42"
        assert body["invoice"]["id"] == invoice.public_id
        assert base64.b64decode(body["invoice"]["data"]) == document.data
        assert body["invoice"]["mimetype"] == "application/pdf"
        assert body["invoice"]["link"].endswith(f"/api/v1/invoices/{invoice.public_id}")
        assert body["invoice"]["timestamp"] == 1772409600000  # 2026-03-02, the date printed on it
    assert [b["invoice"]["amount"] for b in received] == ["100.00 USD", "250.50 USD"]
    assert [b["invoice"]["extracted"]["totals"]["total"] for b in received] == [100.0, 250.5]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 2
    events = Event.objects.filter(company=alice, type=EventType.COLLECTOR_INVOICE_COLLECTED)
    assert sorted(e.data["invoice"]["invoice_number"] for e in events) == ["INV-1", "INV-2"]
    assert {e.data["credential_id"] for e in events} == {credential.public_id}


def test_a_second_run_collects_and_pushes_nothing_new(alice, user, fake, receiver, django_capture_on_commit_callbacks):
    fake.sources["acme"] = FakeSource(documents=[new_document("m1/1", "INV-1", "100.00")])
    credential = add_credential(user, django_capture_on_commit_callbacks)
    assert fake.sources["acme"].downloads == ["m1/1"]

    credential = collect_again(credential, django_capture_on_commit_callbacks)

    assert credential.state == CredentialState.OK
    assert fake.sources["acme"].logins == 2
    assert fake.sources["acme"].downloads == ["m1/1"]  # known by its key: not even downloaded again
    assert Invoice.objects.filter(company=alice).count() == 1
    assert len(receiver.requests) == 1


def test_a_document_seen_under_another_key_is_recognised_by_its_content(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    first = new_document("m1/1", "INV-1", "100.00")
    fake.sources["acme"] = FakeSource(documents=[first])
    credential = add_credential(user, django_capture_on_commit_callbacks)
    fake.sources["acme"].documents.append(FakeDocument(key="m9/2", file_name="copy.pdf", data=first.data))

    collect_again(credential, django_capture_on_commit_callbacks)

    assert CollectedDocument.objects.filter(credential=credential).count() == 1
    assert Invoice.objects.filter(company=alice).count() == 1
    assert len(receiver.requests) == 1


def test_documents_older_than_download_from_are_stored_but_not_pushed(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    old = new_document("m1/1", "INV-7001", "10.00")
    old.issued_at = timezone.now() - timedelta(days=40)
    fake.sources["acme"] = FakeSource(documents=[old, new_document("m2/1", "INV-7002", "20.00")])

    credential = add_credential(user, django_capture_on_commit_callbacks)

    assert Invoice.objects.filter(company=alice).count() == 2
    assert [body["invoice"]["extracted"]["invoice_number"] for body in callbacks(receiver, alice)] == ["INV-7002"]
    assert not CollectedDocument.objects.get(credential=credential, source_key="m1/1").pushed


def test_download_from_in_the_past_pushes_older_documents_too(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    old = new_document("m1/1", "INV-7001", "10.00")
    old.issued_at = timezone.now() - timedelta(days=40)
    fake.sources["acme"] = FakeSource(documents=[old])

    add_credential(user, django_capture_on_commit_callbacks, download_from=timezone.now() - timedelta(days=90))

    assert [body["invoice"]["extracted"]["invoice_number"] for body in callbacks(receiver, alice)] == ["INV-7001"]


def test_a_file_the_company_already_uploaded_is_linked_and_pushed_without_a_second_invoice(
    alice, alice_api, user, fake, receiver, django_capture_on_commit_callbacks
):
    document = new_document("m1/1", "INV-1", "100.00")
    with django_capture_on_commit_callbacks(execute=True):
        # async: the extraction is queued when the test's transaction "commits", after the answer.
        uploaded = alice_api.post(
            "/api/v1/invoices/extract?async=1",
            {"file": SimpleUploadedFile("INV-1.pdf", document.data)},
            format="multipart",
        )
    assert uploaded.status_code == 202, uploaded.content
    fake.sources["acme"] = FakeSource(documents=[document])

    credential = add_credential(user, django_capture_on_commit_callbacks)

    invoice = Invoice.objects.get(company=alice)
    assert invoice.source == Source.UPLOAD
    assert CollectedDocument.objects.get(credential=credential).invoice == invoice
    assert [body["invoice"]["id"] for body in callbacks(receiver, alice)] == [invoice.public_id]


def test_a_file_the_intake_refuses_is_remembered_without_an_invoice(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    fake.sources["acme"] = FakeSource(
        documents=[FakeDocument(key="m1/1", file_name="notes.txt", data=b"just some text", mimetype="text/plain")]
    )

    credential = add_credential(user, django_capture_on_commit_callbacks)
    collect_again(credential, django_capture_on_commit_callbacks)

    assert credential.state == CredentialState.OK
    assert CollectedDocument.objects.get(credential=credential).invoice is None
    assert fake.sources["acme"].downloads == ["m1/1"]
    assert not Invoice.objects.filter(company=alice).exists()
    assert receiver.requests == []


def test_one_failed_login_is_an_error_and_two_in_a_row_disconnect_with_a_callback_and_an_event(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    fake.sources["acme"] = FakeSource(password="changed")

    credential = add_credential(user, django_capture_on_commit_callbacks)
    assert (credential.state, credential.login_failures) == (CredentialState.ERROR, 1)
    assert "wrong password" in credential.message
    assert receiver.requests == []

    credential = collect_again(credential, django_capture_on_commit_callbacks)

    assert (credential.state, credential.login_failures) == (CredentialState.DISCONNECTED, 2)
    assert callbacks(receiver, alice) == [
        {
            "type": "notification_disconnected",
            "collector": FAKE_KEY,
            "remote_id": "R-42",
            "credential_id": credential.public_id,
            "message": credential.message,
        }
    ]
    event = Event.objects.get(company=alice, type=EventType.COLLECTOR_CREDENTIAL_DISCONNECTED)
    assert event.data["credential_id"] == credential.public_id
    # Disconnected credentials are not due; the beat leaves them to their user.
    Credential.objects.filter(pk=credential.pk).update(next_collect_at=timezone.now() - timedelta(days=1))
    assert collections_due() == []


def test_a_successful_login_clears_the_failures(alice, user, fake, receiver, django_capture_on_commit_callbacks):
    fake.sources["acme"] = FakeSource(password="changed")
    credential = add_credential(user, django_capture_on_commit_callbacks)
    fake.sources["acme"].password = "right"

    credential = collect_again(credential, django_capture_on_commit_callbacks)

    assert (credential.state, credential.login_failures, credential.message) == (CredentialState.OK, 0, "")


def run_task(credential: Credential, *, retries: int) -> None:
    """The task's own code as Celery's n-th retry of a run runs it (its retry raised, not re-applied)."""
    task = collect_credential
    task.push_request(id=f"retry-{retries}", retries=retries, is_eager=True, called_directly=False)
    try:
        task._orig_run(credential.pk)
    finally:
        task.pop_request()


def queued_credential(user) -> Credential:
    credential = credential_create(user=user, collector=FAKE_KEY, params=PARAMS)  # its task waits for the commit
    assert credential.state == CredentialState.COLLECTING
    return credential


def test_a_transient_error_is_retried_and_the_run_then_finishes(alice, user, fake, receiver, settings):
    fake.sources["acme"] = FakeSource(transient_failures=2)
    credential = queued_credential(user)

    for retries in (0, 1):
        with pytest.raises(Retry):
            run_task(credential, retries=retries)
        credential.refresh_from_db()
        # Let go of for the retry, which could not claim it otherwise.
        assert (credential.state, credential.collect_lease_until) == (CredentialState.COLLECTING, None)
    run_task(credential, retries=2)

    credential.refresh_from_db()
    assert credential.state == CredentialState.OK
    assert fake.sources["acme"].logins == 3
    assert credential.collect_attempts == 1  # Celery's retries of one run are not new attempts


def test_a_transient_error_that_persists_ends_as_an_error(alice, user, fake, receiver, settings):
    settings.COLLECTING_TRANSIENT_RETRIES = 2
    fake.sources["acme"] = FakeSource(transient_failures=10)
    credential = queued_credential(user)

    for retries in (0, 1):
        with pytest.raises(Retry):
            run_task(credential, retries=retries)
    run_task(credential, retries=2)

    credential.refresh_from_db()
    assert credential.state == CredentialState.ERROR
    assert "503" in credential.message
    assert "tried 3 times" in credential.message
    assert credential.collect_lease_until is None


def test_a_collector_error_ends_the_run_as_an_error_with_its_message(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    credential = add_credential(user, django_capture_on_commit_callbacks)  # no such account at the source

    assert (credential.state, credential.message) == (CredentialState.ERROR, "No such account.")
    assert credential.next_collect_at is not None
    assert credential.next_collect_at > timezone.now()


def test_the_run_waits_for_the_second_factor_posted_through_the_service(
    alice, user, fake, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    fake.sources["acme"] = FakeSource(documents=[new_document("m1/1", "INV-1", "100.00")], two_factor_code="123456")
    seen = []

    def user_posts_the_code(seconds: float) -> None:
        # Called while the run polls: the user reads the state and posts the code, as `…/2fa` does.
        credential = Credential.objects.get(user=user)
        seen.append((credential.state, credential.two_fa_until is not None))
        credential_two_fa(credential=credential, code="123456")

    monkeypatch.setattr(runs, "_wait", user_posts_the_code)

    credential = add_credential(user, django_capture_on_commit_callbacks)

    assert seen == [(CredentialState.TWO_FA_WAITING, True)]
    assert credential.state == CredentialState.OK
    assert (credential.two_fa_until, credential.two_fa_code_sealed) == (None, "")
    assert len(receiver.requests) == 1


def test_without_a_second_factor_in_time_the_run_ends_as_an_error(
    alice, user, fake, receiver, settings, django_capture_on_commit_callbacks
):
    settings.COLLECTING_TWO_FA_WAIT_SECONDS = 0.05
    settings.COLLECTING_TWO_FA_POLL_SECONDS = 0.01
    fake.sources["acme"] = FakeSource(two_factor_code="123456")

    credential = add_credential(user, django_capture_on_commit_callbacks)

    assert (credential.state, credential.message) == (CredentialState.ERROR, "No second factor came in time.")
    assert credential.two_fa_until is None


def test_a_run_for_a_credential_not_queued_or_held_by_another_worker_does_nothing(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    fake.sources["acme"] = FakeSource(documents=[new_document("m1/1", "INV-1", "100.00")])
    credential = add_credential(user, django_capture_on_commit_callbacks)

    assert credential_collect_run(credential_id=credential.pk) is None  # ok, not queued
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.COLLECTING, collect_lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert credential_collect_run(credential_id=credential.pk) is None  # another worker holds it
    assert fake.sources["acme"].logins == 1


def test_the_sweep_queues_again_a_collection_whose_worker_died_and_nothing_is_duplicated(
    alice, user, fake, receiver, django_capture_on_commit_callbacks
):
    fake.sources["acme"] = FakeSource(documents=[new_document("m1/1", "INV-1", "100.00")])
    credential = add_credential(user, django_capture_on_commit_callbacks)
    fake.sources["acme"].documents.append(new_document("m2/1", "INV-2", "200.00"))
    # A worker claimed the next collection and died: its lease ran out, the queued message is gone.
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.COLLECTING,
        collect_attempts=1,
        collect_queued_at=timezone.now() - timedelta(hours=1),
        collect_lease_until=timezone.now() - timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        lost = collections_sweep()

    assert lost.requeue == [credential.pk]
    credential.refresh_from_db()
    assert credential.state == CredentialState.OK
    assert Invoice.objects.filter(company=alice).count() == 2
    assert sorted(json.loads(r.body)["invoice"]["extracted"]["invoice_number"] for r in receiver.requests) == [
        "INV-1",
        "INV-2",
    ]


def test_the_sweep_fails_a_collection_out_of_attempts(alice, user, fake, receiver, django_capture_on_commit_callbacks):
    fake.sources["acme"] = FakeSource()
    credential = add_credential(user, django_capture_on_commit_callbacks)
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.TWO_FA_WAITING,
        collect_attempts=3,
        collect_lease_until=timezone.now() - timedelta(seconds=1),
    )

    lost = collections_sweep()

    assert lost.exhausted == [credential.pk]
    credential.refresh_from_db()
    assert credential.state == CredentialState.ERROR
    assert "3 times" in credential.message


def test_the_callback_delivery_is_retried_on_the_webhook_schedule_when_the_receiver_fails(
    alice, fake, django_capture_on_commit_callbacks
):
    with Receiver(statuses=[500]) as failing:
        customer_update(company=alice, callback=failing.url)
        user = collector_user_create(company=alice, remote_id="R-1", locale="fr")
        fake.sources["acme"] = FakeSource(documents=[new_document("m1/1", "INV-1", "100.00")])
        add_credential(user, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(company=alice)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts_count == 1
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > timezone.now()
    assert delivery.attempts.get().response_status == 500


def test_without_a_callback_the_documents_are_stored_and_the_event_recorded(
    alice, fake, django_capture_on_commit_callbacks
):
    user = collector_user_create(company=alice, remote_id="R-1", locale="en")
    fake.sources["acme"] = FakeSource(documents=[new_document("m1/1", "INV-1", "100.00")])

    add_credential(user, django_capture_on_commit_callbacks)

    assert Invoice.objects.filter(company=alice).count() == 1
    assert Event.objects.filter(company=alice, type=EventType.COLLECTOR_INVOICE_COLLECTED).count() == 1
    assert not Delivery.objects.filter(company=alice).exists()
