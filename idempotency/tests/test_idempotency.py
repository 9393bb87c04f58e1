"""Idempotency-Key on the POSTs that create: a repeat replays the first answer and creates nothing,
another request under the same key is refused, a repeat while the first runs is a 409, and errors are
not kept. Keys belong to one company."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bank.models import BankStatement, Reconciliation
from bank.statements.tests.builders import LINES, mt940_message
from buyers.models import Buyer
from idempotency.models import IdempotentRequest
from invoices.models import Invoice
from invoisx.tests.envelope import error_of, success_data, validation_details
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = "/api/v1/buyers"


@pytest.fixture(autouse=True)
def _media_in_tmp_and_eager_runs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True


def create_buyer(client, key: str | None, name: str = "Acme Trading BV"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(BUYERS, {"name": name}, format="json", **headers)


def multipart(boundary: str, data: bytes) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="march.sta"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_a_repeat_replays_the_first_answer_and_creates_nothing(alice, alice_api):
    first = create_buyer(alice_api, "3f1c6a52-1c4e-4d7e-9b53-2d1f0f3b8e01")
    second = create_buyer(alice_api, "3f1c6a52-1c4e-4d7e-9b53-2d1f0f3b8e01")

    assert success_data(second, 201) == success_data(first, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Buyer.objects.filter(company=alice).count() == 1


def test_without_a_key_every_request_creates(alice, alice_api):
    create_buyer(alice_api, None)
    create_buyer(alice_api, None)

    assert Buyer.objects.filter(company=alice).count() == 2


def test_the_same_key_for_another_request_is_refused(alice, alice_api):
    create_buyer(alice_api, "key-1", name="Acme Trading BV")

    response = create_buyer(alice_api, "key-1", name="Globex GmbH")

    assert error_of(response, 422, "idempotency_key_reused")
    assert list(Buyer.objects.filter(company=alice).values_list("name", flat=True)) == ["Acme Trading BV"]


def test_the_same_key_on_another_endpoint_is_refused(alice, alice_api):
    create_buyer(alice_api, "key-1")

    response = alice_api.post(
        "/api/v1/bank/reconcile", {"statement_id": "bs_x"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1"
    )

    assert error_of(response, 422, "idempotency_key_reused")


def test_a_failed_request_is_not_kept_so_the_corrected_one_can_use_the_key(alice, alice_api):
    refused = alice_api.post(BUYERS, {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="key-2")
    assert "name" in validation_details(refused)

    accepted = create_buyer(alice_api, "key-2")

    assert success_data(accepted, 201)["name"] == "Acme Trading BV"
    assert IdempotentRequest.objects.get(key="key-2").response_status == 201


def test_a_repeat_while_the_first_is_running_is_a_409(alice, alice_api):
    create_buyer(alice_api, "key-3")
    IdempotentRequest.objects.filter(key="key-3").update(response_status=None, response_body=None)  # still running

    response = create_buyer(alice_api, "key-3")

    assert error_of(response, 409, "idempotency_key_in_use")
    assert Buyer.objects.count() == 1


def test_a_claim_whose_process_died_frees_the_key(alice, alice_api, settings):
    claim = IdempotentRequest.objects.create(company=alice, key="key-4", method="POST", path=BUYERS, fingerprint="dead")
    IdempotentRequest.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_ABANDONED_AFTER_SECONDS + 1)
    )

    assert success_data(create_buyer(alice_api, "key-4"), 201)
    assert Buyer.objects.count() == 1


def test_keys_are_forgotten_after_a_day(alice, alice_api, settings):
    create_buyer(alice_api, "key-5")
    IdempotentRequest.objects.filter(key="key-5").update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS, seconds=1)
    )

    again = create_buyer(alice_api, "key-5")

    assert not again.has_header("Idempotent-Replayed")
    assert Buyer.objects.filter(company=alice).count() == 2


def test_keys_belong_to_one_company(alice, alice_api, bob, bob_api):
    alices = success_data(create_buyer(alice_api, "shared-key"), 201)

    bobs = success_data(create_buyer(bob_api, "shared-key"), 201)

    assert bobs["id"] != alices["id"]
    assert Buyer.objects.filter(company=bob).count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "naïve"])
def test_a_malformed_key_is_a_400_naming_the_header(alice_api, key):
    response = create_buyer(alice_api, key)

    assert "Idempotency-Key" in validation_details(response)
    assert not Buyer.objects.exists()


def test_an_upload_sent_again_with_another_multipart_boundary_is_replayed(alice, alice_api):
    data = mt940_message(LINES).encode()
    answers = [
        alice_api.generic(
            "POST",
            "/api/v1/bank/extract",
            multipart(boundary, data),
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )
        for boundary in ("----curlBoundaryA1", "----curlBoundaryB2")
    ]

    assert success_data(answers[1]) == success_data(answers[0])
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert BankStatement.objects.filter(company=alice).count() == 1


def test_a_repeated_reconcile_runs_once(alice, alice_api):
    statement = success_data(
        alice_api.generic(
            "POST",
            "/api/v1/bank/extract",
            multipart("b1", mt940_message(LINES).encode()),
            content_type="multipart/form-data; boundary=b1",
        )
    )
    body = {"statement_id": statement["id"]}

    first = alice_api.post("/api/v1/bank/reconcile", body, format="json", HTTP_IDEMPOTENCY_KEY="rec-1")
    second = alice_api.post("/api/v1/bank/reconcile", body, format="json", HTTP_IDEMPOTENCY_KEY="rec-1")

    assert success_data(second)["id"] == success_data(first)["id"]
    assert Reconciliation.objects.filter(company=alice).count() == 1


def test_a_repeated_import_imports_once(alice, alice_api):
    rows = [
        {"supplier": {"name": "Acme Supplies Ltd"}, "invoice_number": f"P-{n}", "currency": "EUR", "invoice_date": "2026-03-01",
         "totals": {"total": "10.00"}}
        for n in range(3)
    ]  # fmt: skip

    first = alice_api.post("/api/v1/invoices/import", rows, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    second = alice_api.post("/api/v1/invoices/import", rows, format="json", HTTP_IDEMPOTENCY_KEY="import-1")

    assert success_data(second, 201) == success_data(first, 201)
    assert Invoice.objects.filter(company=alice).count() == 3


def test_the_schema_documents_the_header(client):
    schema = client.get("/api/v1/schema").content.decode()

    assert "Idempotency-Key" in schema


def test_a_repeated_webhook_test_sends_one_event(alice, alice_api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint = success_data(alice_api.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}, format="json"), 201)

    for _ in range(2):
        alice_api.post(f"/api/v1/webhooks/{endpoint['id']}/test", format="json", HTTP_IDEMPOTENCY_KEY="test-1")

    assert Delivery.objects.filter(endpoint__public_id=endpoint["id"]).count() == 1
