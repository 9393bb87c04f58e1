"""`POST /api/v1/invoices/{id}/publish` against the fake QuickBooks and Xero servers.

Checks what reaches the provider (exact requests), what the caller gets back (seed 001's answer or
a clear error), and that nothing is published twice.
"""

import pytest

from events.models import Event, EventType
from integrations.models import Connection, Provider, Publication, PublicationStatus
from integrations.tests.conftest import PDF, bill, connect, expire
from integrations.tests.fakes import Canned
from invoices.models import Status
from invoices.tests.factories import sales_invoice
from invoisx.tests.envelope import error_of, success_data, validation_details

REALM = "9130357766900456"


def publish(client, invoice, target="quickbooks"):
    return client.post(f"/api/v1/invoices/{invoice.public_id}/publish", {"target": target}, format="json")


# QuickBooks


def test_it_publishes_a_purchase_invoice_to_quickbooks_as_a_bill_with_a_new_vendor(
    alice_api, qb, qb_connection, invoice
):
    data = success_data(publish(alice_api, invoice))

    bill_id = next(iter(qb.bills))
    assert set(data) == {"published", "target", "external_id", "published_at"}
    assert data["published"] is True
    assert data["target"] == "quickbooks"
    assert data["external_id"] == bill_id
    assert [(r.method, r.path) for r in qb.api_calls()] == [
        ("GET", f"/v3/company/{REALM}/query"),
        ("POST", f"/v3/company/{REALM}/vendor"),
        ("GET", f"/v3/company/{REALM}/query"),
        ("POST", f"/v3/company/{REALM}/bill"),
        ("POST", f"/v3/company/{REALM}/upload"),
    ]
    lookup, vendor, account, created, upload = qb.api_calls()
    assert lookup.query["query"] == "select * from Vendor where DisplayName = 'Acme Supplies Ltd'"
    assert lookup.query["minorversion"] == "75"
    assert vendor.json == {"DisplayName": "Acme Supplies Ltd", "CompanyName": "Acme Supplies Ltd"}
    assert account.query["query"] == "select * from Account where AccountType = 'Expense' maxresults 1"
    new_vendor_id = qb.vendors[-1]["Id"]
    assert created.query["minorversion"] == "75"
    assert created.query["requestid"].startswith(Publication.objects.get().public_id)
    assert created.json == {
        "VendorRef": {"value": new_vendor_id, "name": "Acme Supplies Ltd"},
        "CurrencyRef": {"value": "GBP"},
        "PrivateNote": f"Published from InvoisX, invoice {invoice.public_id}",
        "DocNumber": "INV-2026-0042",
        "TxnDate": "2026-04-01",
        "DueDate": "2026-05-01",
        "Line": [
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": 600.0,
                "Description": "Widget A",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}},
            },
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": 510.0,
                "Description": "Widget B",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}},
            },
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": 222.0,
                "Description": "Tax",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}},
            },
        ],
    }
    assert qb.bills[bill_id]["TotalAmt"] == 1332.0  # the invoice's total
    parts = upload.multipart()
    metadata = parts["file_metadata_01"]
    assert metadata[0] == "application/json"
    assert __import__("json").loads(metadata[1]) == {
        "AttachableRef": [{"EntityRef": {"type": "Bill", "value": bill_id}}],
        "FileName": "acme-0042.pdf",
        "ContentType": "application/pdf",
    }
    assert parts["file_content_01"] == ("application/pdf", PDF)
    for call in qb.api_calls():
        assert call.headers["authorization"] == f"Bearer {qb_connection.access_token}"
        assert call.headers["accept"] == "application/json"
        assert call.sandbox is False


def test_it_uses_the_existing_quickbooks_vendor_and_the_configured_account(
    alice_api, qb, qb_connection, alice, settings
):
    settings.QUICKBOOKS_EXPENSE_ACCOUNT_ID = "8"
    invoice = bill(alice, supplier="Known Supplier Ltd", document=False)

    success_data(publish(alice_api, invoice))

    assert [(r.method, r.path.rsplit("/", 1)[1]) for r in qb.api_calls()] == [("GET", "query"), ("POST", "bill")]
    created = qb.calls("POST", f"/v3/company/{REALM}/bill")[0].json
    assert created["VendorRef"] == {"value": "56", "name": "Known Supplier Ltd"}
    assert {line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] for line in created["Line"]} == {"8"}
    assert len(qb.vendors) == 1  # none created


def test_a_quote_in_the_supplier_name_is_escaped_in_the_quickbooks_query(alice_api, qb, qb_connection, alice):
    qb.vendors.append({"Id": "77", "DisplayName": "O'Brien & Sons"})
    success_data(publish(alice_api, bill(alice, supplier="O'Brien & Sons", document=False)))

    assert qb.api_calls()[0].query["query"] == "select * from Vendor where DisplayName = 'O\\'Brien & Sons'"
    assert qb.calls("POST", f"/v3/company/{REALM}/bill")[0].json["VendorRef"]["value"] == "77"


def test_an_sk_test_token_publishes_to_the_quickbooks_sandbox(alice, make_client, qb, qb_connection, invoice):
    client = make_client(alice, is_test=True)
    data = success_data(publish(client, invoice))

    assert qb.api_calls()
    assert all(call.sandbox for call in qb.api_calls())
    assert Publication.objects.get(external_id=data["external_id"]).sandbox is True


# Xero


def test_it_publishes_a_purchase_invoice_to_xero_as_an_accpay_invoice_with_a_new_contact(
    alice_api, alice, xero, xero_connection
):
    invoice = bill(alice, supplier="Acme Supplies Ltd")
    supplier = invoice.supplier
    assert supplier is not None
    supplier.tax_id = "GB123456789"
    supplier.save()

    data = success_data(publish(alice_api, invoice, "xero"))

    xero_id = next(iter(xero.invoices))
    assert data["external_id"] == xero_id
    assert data["target"] == "xero"
    assert [(r.method, r.path) for r in xero.api_calls()] == [
        ("GET", "/api.xro/2.0/Contacts"),
        ("PUT", "/api.xro/2.0/Contacts"),
        ("PUT", "/api.xro/2.0/Invoices"),
        ("PUT", f"/api.xro/2.0/Invoices/{xero_id}/Attachments/acme-0042.pdf"),
    ]
    lookup, contact, created, attachment = xero.api_calls()
    assert lookup.query == {"where": 'Name=="Acme Supplies Ltd"'}
    assert contact.json == {"Contacts": [{"Name": "Acme Supplies Ltd", "TaxNumber": "GB123456789"}]}
    assert created.query == {"unitdp": "4"}
    assert created.json == {
        "Invoices": [
            {
                "Type": "ACCPAY",
                "Contact": {"ContactID": xero.contacts[-1]["ContactID"]},
                "CurrencyCode": "GBP",
                "LineAmountTypes": "NoTax",
                "Status": "DRAFT",
                "LineItems": [
                    {"Description": "Widget A", "Quantity": 50.0, "UnitAmount": 12.0},
                    {"Description": "Widget B", "Quantity": 20.0, "UnitAmount": 25.5},
                    {"Description": "Tax", "Quantity": 1.0, "UnitAmount": 222.0},
                ],
                "InvoiceNumber": "INV-2026-0042",
                "Date": "2026-04-01",
                "DueDate": "2026-05-01",
            }
        ]
    }
    assert attachment.body == PDF
    assert attachment.headers["content-type"] == "application/pdf"
    for call in xero.api_calls():
        assert call.headers["xero-tenant-id"] == xero.tenant_id
        assert call.headers["authorization"] == f"Bearer {xero_connection.access_token}"
        assert call.headers["accept"] == "application/json"
    assert contact.headers["idempotency-key"] != created.headers["idempotency-key"]


def test_it_uses_the_existing_xero_contact_and_the_configured_account_code(
    alice_api, alice, xero, xero_connection, settings
):
    settings.XERO_EXPENSE_ACCOUNT_CODE = "429"
    success_data(publish(alice_api, bill(alice, supplier="Known Supplier Ltd", document=False), "xero"))

    assert [r.method for r in xero.api_calls()] == ["GET", "PUT"]
    created = xero.calls("PUT", "/api.xro/2.0/Invoices")[0].json["Invoices"][0]
    assert created["Contact"] == {"ContactID": "c0ffee00-0000-0000-0000-000000000001"}
    assert {line["AccountCode"] for line in created["LineItems"]} == {"429"}


# Once only


def test_publishing_twice_returns_the_first_result_without_calling_quickbooks_again(
    alice_api, qb, qb_connection, invoice
):
    first = success_data(publish(alice_api, invoice))
    calls = len(qb.requests)

    again = success_data(publish(alice_api, invoice))

    assert again == first
    assert len(qb.requests) == calls
    assert len(qb.bills) == 1
    assert Event.objects.filter(type=EventType.INVOICE_PUBLISHED).count() == 1


def test_a_publish_under_way_answers_409_and_calls_nobody(alice_api, qb, qb_connection, invoice):
    from django.utils import timezone

    Publication.objects.create(company=invoice.company, invoice=invoice, target="quickbooks", claimed_at=timezone.now())

    error_of(publish(alice_api, invoice), 409, "publish_in_progress")
    assert qb.api_calls() == []


def test_a_publish_abandoned_long_ago_is_taken_over(alice_api, qb, qb_connection, invoice, settings):
    from datetime import timedelta

    from django.utils import timezone

    claimed = timezone.now() - timedelta(seconds=settings.INTEGRATIONS_PUBLISH_STALE_SECONDS + 1)
    Publication.objects.create(
        company=invoice.company, invoice=invoice, target="quickbooks", claimed_at=claimed, attempts=1
    )

    success_data(publish(alice_api, invoice))
    assert Publication.objects.get().attempts == 2


def test_quickbooks_and_xero_are_published_separately(alice_api, qb, xero, qb_connection, xero_connection, invoice):
    success_data(publish(alice_api, invoice, "quickbooks"))
    success_data(publish(alice_api, invoice, "xero"))

    assert len(qb.bills) == 1
    assert len(xero.invoices) == 1
    assert Publication.objects.count() == 2


def test_a_retry_after_a_failed_attachment_does_not_create_a_second_bill(alice_api, qb, qb_connection, invoice):
    upload = f"/v3/company/{REALM}/upload"
    qb.script("POST", upload, Canned(400, qb.fault("Invalid file", "Unsupported file", "6000", "file_content_01")))
    error_of(publish(alice_api, invoice), 422, "provider_validation_error")
    publication = Publication.objects.get()
    assert publication.status == PublicationStatus.FAILED
    assert publication.external_id  # the bill exists and is remembered

    success_data(publish(alice_api, invoice))

    assert len(qb.bills) == 1
    assert len(qb.calls("POST", f"/v3/company/{REALM}/bill")) == 1
    assert len(qb.calls("POST", upload)) == 2


def test_the_published_event_is_recorded_with_the_seed_data(alice_api, qb, qb_connection, invoice):
    data = success_data(publish(alice_api, invoice))

    event = Event.objects.get(type=EventType.INVOICE_PUBLISHED)
    assert event.company == invoice.company
    assert event.data == {
        "id": invoice.public_id,
        "direction": "purchase",
        "status": "processed",
        "invoice_number": "INV-2026-0042",
        "supplier": "Acme Supplies Ltd",
        "buyer": None,
        "total": 1332.0,
        "currency": "GBP",
        "target": "quickbooks",
        "external_id": data["external_id"],
        "published_at": data["published_at"],
        "sandbox": False,
    }
    assert Connection.objects.get().last_sync_at is not None


# Tokens: refreshed before they expire, and once on a 401


def test_an_expired_access_token_is_refreshed_before_the_call(alice_api, qb, qb_connection, invoice):
    old_access, old_refresh = qb_connection.access_token, qb_connection.refresh_token
    expire(qb_connection)

    success_data(publish(alice_api, invoice))

    token_calls = qb.calls("POST", "/oauth2/v1/tokens/bearer")
    assert len(token_calls) == 1
    assert token_calls[0].form == {"grant_type": "refresh_token", "refresh_token": old_refresh}
    assert qb.requests[0] is token_calls[0]  # before any API call
    connection = Connection.objects.get()
    assert connection.access_token != old_access
    assert connection.refresh_token != old_refresh  # the rotated one is kept
    assert connection.access_token_is_fresh
    assert all(call.headers["authorization"] == f"Bearer {connection.access_token}" for call in qb.api_calls())


def test_a_401_refreshes_the_token_once_and_retries(alice_api, xero, xero_connection, alice):
    xero.access_tokens.discard(xero_connection.access_token)  # revoked early at Xero, still "fresh" here

    success_data(publish(alice_api, bill(alice, supplier="Known Supplier Ltd", document=False), "xero"))

    assert len(xero.calls("POST", "/token/connect/token")) == 1
    statuses = [call.headers["authorization"] for call in xero.api_calls()]
    assert statuses[0] != statuses[1]  # the first with the dead token, then the refreshed one
    assert Connection.objects.get().access_token in xero.access_tokens


def test_a_refresh_token_refused_asks_to_reconnect(alice_api, qb, qb_connection, invoice):
    expire(qb_connection)
    qb.revoke_all()

    error = error_of(publish(alice_api, invoice), 409, "integration_reconnect_required")

    assert "Reconnect QuickBooks" in error["message"]
    assert Connection.objects.get().needs_reconnect is True
    assert qb.api_calls() == []
    assert Publication.objects.get().status == PublicationStatus.FAILED
    # The next publish does not try the dead grant again.
    error_of(publish(alice_api, invoice), 409, "integration_reconnect_required")
    assert len(qb.calls("POST", "/oauth2/v1/tokens/bearer")) == 1


def test_a_401_after_refreshing_asks_to_reconnect(alice_api, qb, qb_connection, invoice):
    path = f"/v3/company/{REALM}/query"
    unauthorised = Canned(401, qb.fault("AuthenticationFailed", "", "3200", kind="AUTHENTICATION"))
    qb.script("GET", path, unauthorised, unauthorised)

    error_of(publish(alice_api, invoice), 409, "integration_reconnect_required")
    assert len(qb.calls("POST", "/oauth2/v1/tokens/bearer")) == 1


# The provider's errors


def test_publishing_without_a_connection_answers_409_not_connected(alice_api, qb, invoice):
    error = error_of(publish(alice_api, invoice), 409, "integration_not_connected")
    assert "QuickBooks" in error["message"]
    assert qb.requests == []
    assert not Publication.objects.exists()


def test_a_rate_limit_is_waited_out_then_the_publish_succeeds(alice_api, qb, qb_connection, invoice, waits):
    path = f"/v3/company/{REALM}/bill"
    qb.script("POST", path, Canned(429, {"fault": "ThrottleExceeded"}, {"Retry-After": "2"}))

    success_data(publish(alice_api, invoice))

    assert waits == [2.0]
    assert len(qb.calls("POST", path)) == 2
    first, second = qb.calls("POST", path)
    assert first.query["requestid"] == second.query["requestid"]  # the same request, idempotently
    assert len(qb.bills) == 1


def test_a_rate_limit_that_persists_answers_503_with_retry_after(alice_api, xero, xero_connection, alice, waits):
    limited = Canned(429, {"Title": "Too Many Requests"}, {"Retry-After": "3"})
    xero.script("GET", "/api.xro/2.0/Contacts", limited, limited, limited)

    response = publish(alice_api, bill(alice), "xero")

    error_of(response, 503, "provider_rate_limited")
    assert response["Retry-After"] == "3"
    assert waits == [3.0, 3.0]  # three attempts, two waits between them
    assert Publication.objects.get().status == PublicationStatus.FAILED


def test_a_rate_limit_asking_for_a_long_wait_is_passed_on_at_once(alice_api, qb, qb_connection, invoice, waits):
    qb.script("GET", f"/v3/company/{REALM}/query", Canned(429, None, {"Retry-After": "60"}))

    response = publish(alice_api, invoice)

    error_of(response, 503, "provider_rate_limited")
    assert response["Retry-After"] == "60"
    assert waits == []
    assert len(qb.api_calls()) == 1


def test_a_quickbooks_validation_fault_comes_back_as_422_with_its_messages(alice_api, qb, qb_connection, invoice):
    fault = qb.fault(
        "Invalid Reference Id", "Invalid Reference Id : Accounts element id 7 not found", "2500", "AccountRef"
    )
    qb.script("POST", f"/v3/company/{REALM}/bill", Canned(400, fault))

    error = error_of(publish(alice_api, invoice), 422, "provider_validation_error")

    assert error["details"] == {
        "AccountRef": ["Invalid Reference Id: Invalid Reference Id : Accounts element id 7 not found (code 2500)"]
    }
    publication = Publication.objects.get()
    assert publication.status == PublicationStatus.FAILED
    assert publication.failure_reason == "QuickBooks rejected the bill."


def test_a_xero_validation_error_comes_back_as_422_with_its_messages(alice_api, xero, xero_connection, alice):
    xero.script("PUT", "/api.xro/2.0/Invoices", Canned(400, xero.validation("Account code '999' is not a valid code")))

    error = error_of(publish(alice_api, bill(alice), "xero"), 422, "provider_validation_error")

    assert error["details"] == {"xero": ["Account code '999' is not a valid code"]}


def test_server_errors_are_retried_then_answer_502(alice_api, qb, qb_connection, invoice, waits):
    broken = Canned(503, {"Fault": {"Error": [{"Message": "Service unavailable"}]}})
    qb.script("GET", f"/v3/company/{REALM}/query", broken, broken, broken)

    error_of(publish(alice_api, invoice), 502, "provider_unavailable")

    assert len(qb.api_calls()) == 3
    assert len(waits) == 2
    assert waits[1] > waits[0]  # backing off


def test_a_server_error_once_is_retried_and_succeeds(alice_api, xero, xero_connection, alice):
    xero.script("PUT", "/api.xro/2.0/Invoices", Canned(500, {"Title": "Internal Server Error"}))

    success_data(publish(alice_api, bill(alice, document=False), "xero"))

    first, second = xero.calls("PUT", "/api.xro/2.0/Invoices")
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert len(xero.invoices) == 1


def test_network_errors_are_retried_then_answer_502(alice_api, qb, qb_connection, invoice):
    dropped = Canned(0)
    qb.script("GET", f"/v3/company/{REALM}/query", dropped, dropped, dropped)

    error = error_of(publish(alice_api, invoice), 502, "provider_unavailable")

    assert "could not be reached" in error["message"]
    assert len(qb.api_calls()) == 3


def test_an_unreachable_provider_answers_502(alice_api, qb, qb_connection, invoice, settings):
    settings.QUICKBOOKS_API_URL = "http://127.0.0.1:9"  # discard port: nothing listens

    error_of(publish(alice_api, invoice), 502, "provider_unavailable")


# What can be published


def test_a_sales_invoice_is_refused(alice_api, alice, qb, qb_connection):
    error = error_of(publish(alice_api, sales_invoice(alice)), 409, "invoice_not_publishable")
    assert "purchase" in error["message"]
    assert qb.requests == []


def test_an_invoice_that_needs_review_is_refused(alice_api, qb, qb_connection, invoice):
    invoice.status = Status.NEEDS_REVIEW
    invoice.save()

    error = error_of(publish(alice_api, invoice), 409, "invoice_not_publishable")
    assert "needs review" in error["message"]
    assert qb.requests == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "target"),
        ({"target": "sage"}, "target"),
        ({"target": 1}, "target"),
        ({"target": "xero", "draft": True}, "draft"),
    ],
)
def test_a_bad_body_answers_400_naming_the_field(alice_api, invoice, body, field):
    response = alice_api.post(f"/api/v1/invoices/{invoice.public_id}/publish", body, format="json")
    assert field in validation_details(response)


def test_malformed_json_answers_400(alice_api, invoice):
    response = alice_api.post(
        f"/api/v1/invoices/{invoice.public_id}/publish", b"{not json", content_type="application/json"
    )
    validation_details(response)


# Isolation and scopes


def test_bob_cannot_publish_alices_invoice(bob_api, bob, qb, invoice):
    connect(bob, qb, Provider.QUICKBOOKS)

    error_of(publish(bob_api, invoice), 404, "resource_not_found")
    assert qb.api_calls() == []


def test_an_unknown_invoice_answers_404(alice_api, qb_connection):
    error_of(
        alice_api.post("/api/v1/invoices/inv_nope/publish", {"target": "quickbooks"}, format="json"),
        404,
        "resource_not_found",
    )


def test_a_token_without_a_publish_scope_gets_403(alice, make_client, invoice):
    client = make_client(alice, scopes=["invoices:read", "invoices:write"])
    error_of(publish(client, invoice), 403, "insufficient_scope", "FORBIDDEN")


@pytest.mark.parametrize(("scope", "target"), [("publish:qb", "xero"), ("publish:xero", "quickbooks")])
def test_a_token_may_only_publish_to_the_target_of_its_scope(alice, make_client, invoice, qb, xero, scope, target):
    client = make_client(alice, scopes=[scope])
    error = error_of(publish(client, invoice, target), 403, "insufficient_scope", "FORBIDDEN")
    assert error["details"]["required_scope"] == ("publish:xero" if target == "xero" else "publish:qb")
    assert qb.requests == []
    assert xero.requests == []


def test_a_publish_scope_is_enough_for_its_own_target(alice, make_client, qb, qb_connection, invoice):
    success_data(publish(make_client(alice, scopes=["publish:qb"]), invoice))
