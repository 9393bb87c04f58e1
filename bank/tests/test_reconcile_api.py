"""`/api/v1/bank/reconcile` and `/api/v1/bank/reconciliations`: runs, suggestions and their reasons,
auto-confirmation above the threshold, confirm / reject / manual match, invoices paid or partly paid,
events, company isolation and scopes.

These tests use `transactional_db`: the run is queued on commit and, with no broker, runs eagerly in
the request, as it does on the embedded default.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bank.models import BankTransaction, MatchState, MatchStatus, PaymentMatch, Reconciliation
from bank.statements.tests.builders import Line, mt940_message
from buyers.tests.factories import BuyerFactory
from events.models import Event, EventType
from invoices.models import Invoice
from invoices.tests.factories import purchase_invoice, sales_invoice
from invoisx.tests.envelope import error_of, success_data, validation_details

RECONCILE = "/api/v1/bank/reconcile"
RECONCILIATIONS = "/api/v1/bank/reconciliations"

pytestmark = pytest.mark.django_db(transaction=True)

MARCH = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _media_in_tmp_and_eager_runs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI, where REDIS_URL would queue runs for a worker


def invoice(company, direction: str, number: str, party: str, total: str, **kwargs) -> Invoice:
    fields = {
        "currency": "EUR",
        "invoice_date": MARCH,
        "due_date": date(2026, 3, 31),
        "line_items": [{"description": "Services", "quantity": Decimal(1), "unit_price": Decimal(total)}],
        "totals": {"tax_rate": Decimal(0)},
    } | kwargs
    if direction == "sales":
        return sales_invoice(
            company, buyer=BuyerFactory.create(company=company, name=party), invoice_number=number, **fields
        )
    return purchase_invoice(company, number=number, supplier=party, **fields)


def upload_statement(client, lines: list[Line], name: str = "march.sta") -> dict:
    response = client.post(
        "/api/v1/bank/extract", {"file": SimpleUploadedFile(name, mt940_message(lines).encode())}, format="multipart"
    )
    return success_data(response, 200)


def line(day: int, amount: str, payee: str, description: str, reference: str = "NONREF") -> Line:
    return Line(date(2026, 3, day), Decimal(amount), description, payee, reference)


def reconcile(client, statement_id: str, expected_status: int = 200, **body) -> dict:
    return success_data(client.post(RECONCILE, {"statement_id": statement_id, **body}, format="json"), expected_status)


def match_for(data: dict, amount: float) -> dict:
    [match] = [m for m in data["matches"] if abs(m["transaction"]["amount"]) == amount]
    return match


def get_invoice(client, inv: Invoice) -> dict:
    return success_data(client.get(f"/api/v1/invoices/{inv.public_id}"))


# A run: what it matches, how sure it is, and why


@pytest.fixture
def ledger(alice) -> dict[str, Invoice]:
    return {
        "exact": invoice(alice, "sales", "INV-2026-0101", "Acme Trading BV", "1210.00"),
        "installments": invoice(alice, "sales", "INV-2026-0102", "Globex GmbH", "500.00"),
        "multi_a": invoice(alice, "sales", "INV-2026-0103", "Initech SARL", "300.00"),
        "multi_b": invoice(alice, "sales", "INV-2026-0104", "Initech SARL", "450.00"),
        "fee": invoice(alice, "sales", "INV-2026-0105", "Hooli Inc", "1000.00"),
        "amount_only": invoice(alice, "sales", "INV-2026-0106", "Umbrella Corp", "99.00"),
        "supplier": invoice(alice, "purchase", "EL-7781", "Power & Light", "45.10"),
    }


LEDGER_LINES = [
    line(3, "1210.00", "Acme Trading BV", "Payment INV-2026-0101"),
    line(5, "250.00", "Globex GmbH", "Part payment INV-2026-0102"),
    line(6, "750.00", "Initech SARL", "INV-2026-0103 INV-2026-0104"),
    line(9, "985.00", "Hooli Inc", "Invoice INV-2026-0105"),
    line(12, "99.00", "J SMITH", "Thanks"),
    line(14, "-45.10", "Power & Light", "Direct debit electricity"),
    line(20, "250.00", "Globex GmbH", "Rest of INV 2026-0102"),
    line(21, "-2.80", "Costa Coffee", "Cafe"),
]


@pytest.fixture
def statement(alice_api, ledger) -> dict:
    return upload_statement(alice_api, LEDGER_LINES)


def test_a_run_matches_each_case_and_auto_confirms_only_the_sure_ones(alice_api, ledger, statement):
    data = reconcile(alice_api, statement["id"])

    assert data["id"].startswith("rec_")
    assert data["status"] == "completed"
    assert data["statement_id"] == statement["id"]
    by_amount = {abs(m["transaction"]["amount"]): m for m in data["matches"]}
    assert by_amount[1210.0]["kind"] == "exact"
    assert [a["invoice_id"] for a in by_amount[1210.0]["allocations"]] == [ledger["exact"].public_id]
    assert "INV-2026-0101" in by_amount[1210.0]["reason"]
    assert by_amount[750.0]["kind"] == "multi"
    assert sorted(a["invoice_number"] for a in by_amount[750.0]["allocations"]) == ["INV-2026-0103", "INV-2026-0104"]
    assert by_amount[985.0]["kind"] == "fee"
    assert by_amount[985.0]["allocations"][0]["write_off"] == 15.0
    assert by_amount[45.1]["allocations"][0]["invoice_id"] == ledger["supplier"].public_id
    assert by_amount[99.0]["kind"] == "amount_only"
    assert 2.8 not in by_amount  # no invoice for a coffee
    for match in data["matches"]:
        assert match["reason"]
        assert 0 < match["confidence"] <= 1
        assert match["state"] == ("confirmed" if match["confidence"] >= 0.85 else "suggested")
        assert match["auto_confirmed"] == (match["state"] == "confirmed")
    assert by_amount[99.0]["state"] == "suggested"
    assert data["summary"]["transactions"] == len(LEDGER_LINES)
    assert data["summary"]["unmatched"] == 1
    assert data["summary"]["confirmed"] == data["summary"]["auto_confirmed"] == len(data["matches"]) - 1
    assert data["summary"]["pending"] == 1


def test_confirmed_matches_mark_invoices_paid_or_partly_paid(alice_api, ledger, statement):
    reconcile(alice_api, statement["id"])

    paid = get_invoice(alice_api, ledger["exact"])["payment"]
    assert paid == {
        "status": "paid",
        "amount_paid": 1210.0,
        "amount_written_off": 0.0,
        "amount_due": 0.0,
        "amount_credited": 0.0,
        "last_payment_date": "2026-03-03",
    }
    assert get_invoice(alice_api, ledger["installments"])["payment"]["status"] == "paid"  # two payments
    assert get_invoice(alice_api, ledger["installments"])["payment"]["last_payment_date"] == "2026-03-20"
    assert get_invoice(alice_api, ledger["multi_a"])["payment"]["status"] == "paid"
    assert get_invoice(alice_api, ledger["multi_b"])["payment"]["status"] == "paid"
    fee = get_invoice(alice_api, ledger["fee"])["payment"]
    assert (fee["status"], fee["amount_paid"], fee["amount_written_off"]) == ("paid", 985.0, 15.0)
    assert get_invoice(alice_api, ledger["amount_only"])["payment"]["status"] == "unpaid"  # only suggested
    unpaid = success_data(alice_api.get("/api/v1/invoices?payment_status=unpaid"))["invoices"]
    assert [i["id"] for i in unpaid] == [ledger["amount_only"].public_id]


def test_one_installment_leaves_the_invoice_partly_paid(alice, alice_api):
    inv = invoice(alice, "sales", "INV-2026-0200", "Globex GmbH", "500.00")
    statement = upload_statement(alice_api, [line(5, "200.00", "Globex GmbH", "INV-2026-0200 first part")])

    data = reconcile(alice_api, statement["id"])

    assert data["matches"][0]["kind"] == "partial"
    payment = get_invoice(alice_api, inv)["payment"]
    assert (payment["status"], payment["amount_paid"], payment["amount_due"]) == ("partially_paid", 200.0, 300.0)


def test_transactions_show_their_match_status(alice_api, statement):
    reconcile(alice_api, statement["id"])

    lines = success_data(alice_api.get(f"/api/v1/bank/statements/{statement['id']}/transactions"))["transactions"]
    status = {abs(t["amount"]): t["match_status"] for t in lines}
    assert status[1210.0] == status[750.0] == status[985.0] == "matched"
    assert status[99.0] == status[2.8] == "unmatched"
    unmatched = success_data(alice_api.get(f"/api/v1/bank/statements/{statement['id']}/transactions?matched=false"))[
        "transactions"
    ]
    assert sorted(abs(t["amount"]) for t in unmatched) == [2.8, 99.0]


def test_below_the_threshold_nothing_is_confirmed(alice_api, statement, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = 1.01

    data = reconcile(alice_api, statement["id"])

    assert data["auto_confirm_threshold"] == 1.01
    assert {m["state"] for m in data["matches"]} == {"suggested"}
    assert not Invoice.objects.exclude(payment_status="unpaid").exists()


def test_a_run_records_bank_reconciled_and_invoice_paid_events(alice, alice_api, ledger, statement):
    data = reconcile(alice_api, statement["id"])

    [event] = Event.objects.filter(company=alice, type=EventType.BANK_RECONCILED)
    assert event.data["id"] == data["id"]
    assert event.data["statement_id"] == statement["id"]
    assert event.data["auto_confirmed_count"] == data["summary"]["auto_confirmed"]
    paid = Event.objects.filter(company=alice, type=EventType.INVOICE_PAID)
    assert sorted(e.data["invoice_number"] for e in paid) == [
        "EL-7781",
        "INV-2026-0101",
        "INV-2026-0102",
        "INV-2026-0103",
        "INV-2026-0104",
        "INV-2026-0105",
    ]
    assert event.payload()["event"] == "bank.reconciled"


def test_the_date_range_limits_the_lines(alice_api, statement):
    data = reconcile(alice_api, statement["id"], date_from="2026-03-04", date_to="2026-03-10")

    assert data["date_from"] == "2026-03-04"
    assert data["date_to"] == "2026-03-10"
    assert data["summary"]["transactions"] == 3
    assert sorted(m["transaction"]["amount"] for m in data["matches"]) == [250.0, 750.0, 985.0]


def test_a_second_run_leaves_confirmed_lines_alone(alice_api, statement):
    first = reconcile(alice_api, statement["id"])

    second = reconcile(alice_api, statement["id"])

    assert second["summary"]["transactions"] == 2  # the coffee, and the suggestion nobody decided on
    assert [m["transaction"]["amount"] for m in second["matches"]] == [99.0]
    earlier = PaymentMatch.objects.get(reconciliation__public_id=first["id"], transaction__amount=Decimal("99.00"))
    assert earlier.state == MatchState.SUPERSEDED


def test_async_answers_202_processing_at_once(alice_api, statement, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # nothing runs the task: the run stays processing
    settings.CELERY_BROKER_URL = "memory://"

    data = success_data(
        alice_api.post(RECONCILE + "?async=true", {"statement_id": statement["id"]}, format="json"), 202
    )

    assert data["status"] == "processing"
    assert data["matches"] == []
    assert success_data(alice_api.get(f"{RECONCILIATIONS}/{data['id']}"))["status"] == "processing"


def test_a_run_that_is_not_done_within_the_wait_answers_202(alice_api, statement, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    settings.RECONCILE_WAIT_SECONDS = 0.3

    response = alice_api.post(RECONCILE, {"statement_id": statement["id"]}, format="json")

    assert success_data(response, 202)["status"] == "processing"


# Listing and reading runs


def test_reconciliations_are_listed_newest_first_with_their_summary(alice_api, statement):
    first = reconcile(alice_api, statement["id"])
    second = reconcile(alice_api, statement["id"])

    data = success_data(alice_api.get(RECONCILIATIONS))

    assert [r["id"] for r in data["reconciliations"]] == [second["id"], first["id"]]
    assert data["reconciliations"][1]["summary"]["confirmed"] == first["summary"]["confirmed"]
    assert data["reconciliations"][1]["summary"]["pending"] == 0  # superseded by the second run
    assert "matches" not in data["reconciliations"][0]
    assert data["pagination"]["total"] == 2
    other = success_data(alice_api.get(RECONCILIATIONS + "?statement_id=bs_nothing"))
    assert other["reconciliations"] == []


def test_a_reconciliation_is_read_with_its_matches(alice_api, statement):
    run = reconcile(alice_api, statement["id"])

    data = success_data(alice_api.get(f"{RECONCILIATIONS}/{run['id']}"))

    assert [m["id"] for m in data["matches"]] == [m["id"] for m in run["matches"]]
    match = data["matches"][0]
    assert match["id"].startswith("mch_")
    assert match["transaction"]["id"].startswith("txn_")
    assert set(match["allocations"][0]) == {
        "invoice_id",
        "invoice_number",
        "direction",
        "counterparty",
        "currency",
        "amount",
        "write_off",
    }


def test_matches_are_filtered_by_state_and_confidence(alice_api, statement):
    run = reconcile(alice_api, statement["id"])

    pending = success_data(alice_api.get(f"{RECONCILIATIONS}/{run['id']}/matches?state=suggested"))["matches"]
    sure = success_data(alice_api.get(f"{RECONCILIATIONS}/{run['id']}/matches?min_confidence=0.9"))["matches"]

    assert [m["transaction"]["amount"] for m in pending] == [99.0]
    assert sure
    assert all(m["confidence"] >= 0.9 for m in sure)
    bad = alice_api.get(f"{RECONCILIATIONS}/{run['id']}/matches?state=maybe")
    assert "state" in validation_details(bad)


# Confirm, reject, undo


def test_confirming_a_suggestion_pays_the_invoice(alice_api, ledger, statement):
    run = reconcile(alice_api, statement["id"])
    suggestion = match_for(run, 99.0)

    data = success_data(alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{suggestion['id']}/confirm"))

    assert data["state"] == "confirmed"
    assert data["auto_confirmed"] is False
    assert data["decided_by"].startswith("API token test")
    assert data["transaction"]["match_status"] == "matched"
    assert get_invoice(alice_api, ledger["amount_only"])["payment"]["status"] == "paid"
    again = success_data(alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{suggestion['id']}/confirm"))
    assert again["state"] == "confirmed"  # confirming twice changes nothing
    assert Invoice.objects.get(pk=ledger["amount_only"].pk).amount_paid == Decimal("99.00")


def test_rejecting_a_suggestion_keeps_it_out_of_later_runs(alice_api, statement):
    run = reconcile(alice_api, statement["id"])
    suggestion = match_for(run, 99.0)

    data = success_data(alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{suggestion['id']}/reject"))

    assert data["state"] == "rejected"
    assert reconcile(alice_api, statement["id"])["matches"] == []
    confirm = alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{suggestion['id']}/confirm")
    assert error_of(confirm, 409, "conflict")


def test_rejecting_a_confirmed_match_undoes_the_payment(alice_api, ledger, statement):
    run = reconcile(alice_api, statement["id"])
    confirmed = match_for(run, 1210.0)

    data = success_data(alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{confirmed['id']}/reject"))

    assert data["state"] == "rejected"
    assert data["transaction"]["match_status"] == "unmatched"
    assert get_invoice(alice_api, ledger["exact"])["payment"] == {
        "status": "unpaid",
        "amount_paid": 0.0,
        "amount_written_off": 0.0,
        "amount_due": 1210.0,
        "amount_credited": 0.0,
        "last_payment_date": None,
    }


def test_undoing_a_confirmed_match_puts_it_back_to_suggested(alice_api, ledger, statement):
    run = reconcile(alice_api, statement["id"])
    confirmed = match_for(run, 1210.0)

    data = success_data(alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{confirmed['id']}/undo"))

    assert data["state"] == "suggested"
    assert data["transaction"]["match_status"] == "unmatched"
    assert get_invoice(alice_api, ledger["exact"])["payment"]["status"] == "unpaid"
    again = success_data(alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{confirmed['id']}/confirm"))
    assert again["state"] == "confirmed"
    assert get_invoice(alice_api, ledger["exact"])["payment"]["status"] == "paid"


def test_a_suggestion_whose_invoice_was_paid_meanwhile_cannot_be_confirmed(alice, alice_api, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = 1.01
    invoice(alice, "sales", "INV-2026-0300", "Acme Trading BV", "100.00")
    statement = upload_statement(
        alice_api,
        [
            line(3, "100.00", "Acme Trading BV", "INV-2026-0300"),
            line(4, "100.00", "Acme Trading BV", "INV-2026-0300 again"),
        ],
    )
    run = reconcile(alice_api, statement["id"])
    [first] = run["matches"]  # one invoice, so only one of the two lines is proposed
    success_data(alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{first['id']}/confirm"))
    second_run = reconcile(alice_api, statement["id"])

    assert second_run["matches"] == []  # nothing is left open for the second payment


def test_only_a_suggested_match_of_this_run_can_be_decided(alice_api, statement, bob_api):
    run = reconcile(alice_api, statement["id"])
    match = run["matches"][0]

    assert error_of(
        alice_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/mch_unknown/confirm"), 404, "resource_not_found"
    )
    assert error_of(
        bob_api.post(f"{RECONCILIATIONS}/{run['id']}/matches/{match['id']}/reject"), 404, "resource_not_found"
    )


def test_confirm_all_confirms_the_pending_suggestions(alice_api, ledger, statement, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = 1.01
    run = reconcile(alice_api, statement["id"])

    data = success_data(
        alice_api.post(f"{RECONCILIATIONS}/{run['id']}/confirm-all", {"min_confidence": 0.8}, format="json")
    )

    assert data["confirmed"] == len(run["matches"]) - 1  # all but the amount-only guess
    assert data["reconciliation"]["summary"]["pending"] == 1
    assert get_invoice(alice_api, ledger["exact"])["payment"]["status"] == "paid"
    assert get_invoice(alice_api, ledger["amount_only"])["payment"]["status"] == "unpaid"


# Manual matches


def test_a_line_is_matched_by_hand(alice, alice_api, statement):
    coffee_invoice = invoice(alice, "purchase", "C-0001", "Costa Coffee", "5.60")
    run = reconcile(alice_api, statement["id"])
    coffee = BankTransaction.objects.get(amount=Decimal("-2.80"))

    response = alice_api.post(
        f"{RECONCILIATIONS}/{run['id']}/matches",
        {"transaction_id": coffee.public_id, "allocations": [{"invoice_id": coffee_invoice.public_id}]},
        format="json",
    )

    data = success_data(response, 201)
    assert (data["state"], data["kind"], data["confidence"]) == ("confirmed", "manual", 1.0)
    assert data["allocations"][0]["amount"] == 2.8
    assert "by hand" in data["reason"]
    payment = get_invoice(alice_api, coffee_invoice)["payment"]
    assert (payment["status"], payment["amount_due"]) == ("partially_paid", 2.8)
    again = alice_api.post(
        f"{RECONCILIATIONS}/{run['id']}/matches",
        {"transaction_id": coffee.public_id, "allocations": [{"invoice_id": coffee_invoice.public_id}]},
        format="json",
    )
    assert error_of(again, 409, "conflict")["message"] == "This transaction is already fully matched."


def test_one_payment_is_split_by_hand_over_two_invoices_with_a_fee(alice, alice_api):
    first = invoice(alice, "sales", "INV-2026-0400", "Wayne Enterprises", "600.00")
    second = invoice(alice, "sales", "INV-2026-0401", "Wayne Enterprises", "400.00")
    statement = upload_statement(alice_api, [line(3, "995.00", "WAYNE ENT", "Batch payment")])
    run = reconcile(alice_api, statement["id"])
    [payment] = BankTransaction.objects.filter(amount=Decimal("995.00"))

    data = success_data(
        alice_api.post(
            f"{RECONCILIATIONS}/{run['id']}/matches",
            {
                "transaction_id": payment.public_id,
                "allocations": [
                    {"invoice_id": first.public_id},
                    {"invoice_id": second.public_id, "amount": "395.00", "write_off": "5.00"},
                ],
            },
            format="json",
        ),
        201,
    )

    assert [(a["amount"], a["write_off"]) for a in data["allocations"]] == [(600.0, 0.0), (395.0, 5.0)]
    assert get_invoice(alice_api, first)["payment"]["status"] == "paid"
    assert get_invoice(alice_api, second)["payment"]["status"] == "paid"
    assert BankTransaction.objects.get(pk=payment.pk).match_status == MatchStatus.MATCHED


@pytest.mark.parametrize(
    ("allocations", "field"),
    [
        ([], "allocations"),
        ([{"invoice_id": "inv_unknown"}], "allocations[0].invoice_id"),
        ([{"invoice_id": "SALES"}], "allocations[0].invoice_id"),  # money out never pays a sales invoice
        ([{"invoice_id": "PURCHASE", "amount": "50.00"}], "allocations[0].amount"),  # more than it owes
        ([{"invoice_id": "PURCHASE", "amount": "-1"}], "allocations[0].amount"),
        ([{"invoice_id": "PURCHASE", "colour": "red"}], "allocations[0].colour"),
    ],
)
def test_a_bad_manual_match_is_a_400_naming_the_field(alice, alice_api, statement, allocations, field):
    run = reconcile(alice_api, statement["id"])
    ids = {
        "SALES": invoice(alice, "sales", "INV-2026-0500", "Someone", "2.80").public_id,
        "PURCHASE": invoice(alice, "purchase", "C-9", "Costa Coffee", "2.80").public_id,
    }
    coffee = BankTransaction.objects.get(amount=Decimal("-2.80"))
    for allocation in allocations:
        allocation["invoice_id"] = ids.get(allocation["invoice_id"], allocation["invoice_id"])

    response = alice_api.post(
        f"{RECONCILIATIONS}/{run['id']}/matches",
        {"transaction_id": coffee.public_id, "allocations": allocations},
        format="json",
    )

    assert field in validation_details(response)
    assert not PaymentMatch.objects.filter(kind="manual").exists()


def test_a_manual_match_needs_a_line_of_the_reconciled_statement(alice, alice_api, statement):
    run = reconcile(alice_api, statement["id"])
    other = upload_statement(alice_api, [line(25, "-9.99", "Shop", "Other")], name="other.sta")
    target = invoice(alice, "purchase", "S-1", "Shop", "9.99")

    response = alice_api.post(
        f"{RECONCILIATIONS}/{run['id']}/matches",
        {"transaction_id": other["transactions"][0]["id"], "allocations": [{"invoice_id": target.public_id}]},
        format="json",
    )

    assert "transaction_id" in validation_details(response)


def test_a_paid_invoice_cannot_be_deleted(alice_api, ledger, statement):
    reconcile(alice_api, statement["id"])

    response = alice_api.delete(f"/api/v1/invoices/{ledger['exact'].public_id}")

    assert error_of(response, 409, "conflict")


# Bad requests, isolation, scopes


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "statement_id"),
        ({"statement_id": "bs_unknown"}, "statement_id"),
        ({"statement_id": 5}, "statement_id"),
        ({"statement_id": "STATEMENT", "date_from": "03/01/2026"}, "date_from"),
        ({"statement_id": "STATEMENT", "date_from": "2026-03-10", "date_to": "2026-03-01"}, "date_from"),
        ({"statement_id": "STATEMENT", "auto": True}, "auto"),
    ],
)
def test_a_bad_reconcile_request_is_a_400_naming_the_field(alice_api, statement, body, field):
    if body.get("statement_id") == "STATEMENT":
        body["statement_id"] = statement["id"]

    response = alice_api.post(RECONCILE, body, format="json")

    assert field in validation_details(response)
    assert not Reconciliation.objects.exists()


def test_bob_cannot_reconcile_or_read_alices_statement(alice_api, bob_api, statement):
    run = reconcile(alice_api, statement["id"])

    assert "statement_id" in validation_details(
        bob_api.post(RECONCILE, {"statement_id": statement["id"]}, format="json")
    )
    assert error_of(bob_api.get(f"{RECONCILIATIONS}/{run['id']}"), 404, "resource_not_found")
    assert error_of(bob_api.get(f"{RECONCILIATIONS}/{run['id']}/matches"), 404, "resource_not_found")
    assert success_data(bob_api.get(RECONCILIATIONS))["reconciliations"] == []


def test_a_run_never_matches_another_companys_invoices(alice_api, bob, statement):
    bobs = invoice(bob, "sales", "INV-2026-0101", "Acme Trading BV", "1210.00")
    success_data(
        alice_api.delete(
            f"/api/v1/invoices/{Invoice.objects.get(company__name__startswith='Alice', invoice_number='INV-2026-0101').public_id}"
        )
    )

    data = reconcile(alice_api, statement["id"])

    assert all(a["invoice_id"] != bobs.public_id for m in data["matches"] for a in m["allocations"])
    assert Invoice.objects.get(pk=bobs.pk).payment_status == "unpaid"


def test_bob_cannot_match_alices_invoice_by_hand(alice, alice_api, bob, bob_api):
    alices = invoice(alice, "purchase", "C-1", "Costa Coffee", "2.80")
    bobs_statement = upload_statement(bob_api, [line(3, "-2.80", "Costa Coffee", "Cafe")])
    run = reconcile(bob_api, bobs_statement["id"])

    response = bob_api.post(
        f"{RECONCILIATIONS}/{run['id']}/matches",
        {"transaction_id": bobs_statement["transactions"][0]["id"], "allocations": [{"invoice_id": alices.public_id}]},
        format="json",
    )

    assert "allocations[0].invoice_id" in validation_details(response)
    assert Invoice.objects.get(pk=alices.pk).payment_status == "unpaid"


@pytest.mark.parametrize(
    ("method", "suffix", "scope"),
    [
        ("post", "reconcile", "bank:write"),
        ("get", "reconciliations", "bank:read"),
        ("get", "reconciliations/RUN", "bank:read"),
        ("get", "reconciliations/RUN/matches", "bank:read"),
        ("post", "reconciliations/RUN/matches", "bank:write"),
        ("post", "reconciliations/RUN/matches/MATCH/confirm", "bank:write"),
        ("post", "reconciliations/RUN/matches/MATCH/reject", "bank:write"),
        ("post", "reconciliations/RUN/confirm-all", "bank:write"),
    ],
)
def test_a_token_without_the_scope_gets_403(alice, alice_api, make_client, statement, method, suffix, scope):
    run = reconcile(alice_api, statement["id"])
    path = "/api/v1/bank/" + suffix.replace("RUN", run["id"]).replace("MATCH", run["matches"][0]["id"])
    others = ["bank:read", "bank:write", "invoices:read", "invoices:write"]
    client = make_client(alice, scopes=[s for s in others if s != scope])

    response = getattr(client, method)(path, {"statement_id": statement["id"]}, format="json")

    assert error_of(response, 403, "insufficient_scope", "FORBIDDEN")["details"]["required_scope"] == scope


def test_a_request_without_a_token_gets_401(client):
    assert client.get(RECONCILIATIONS).status_code == 401
    assert client.post(RECONCILE, {}, content_type="application/json").status_code == 401


def test_the_schema_describes_the_reconciliation_endpoints(client):
    schema = client.get("/api/v1/schema").content.decode()

    for path in ("/api/v1/bank/reconcile", "/api/v1/bank/reconciliations/{reconciliation_id}/matches"):
        assert path in schema


def test_a_run_whose_engine_crashes_answers_failed_with_the_reason_never_500(alice_api, statement, monkeypatch):
    from bank import reconciliations

    def crash(*args, **kwargs):
        raise RuntimeError("an engine bug")

    monkeypatch.setattr(reconciliations, "reconcile", crash)

    data = reconcile(alice_api, statement["id"])

    assert data["status"] == "failed"
    assert data["failure_reason"] == "The reconciliation failed unexpectedly; run it again."
