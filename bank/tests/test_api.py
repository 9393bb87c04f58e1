"""`/api/v1/bank/extract` and `/api/v1/bank/statements`: every format, de-duplication, the balance
check, bad files, filters, company isolation and scopes. Statements are built in code."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from bank.models import BankAccount, BankStatement, BankTransaction, MatchStatus
from bank.statements.tests.builders import LINES, OPENING, Line, camt053, csv_statement, mt940_message
from events.models import Event, EventType
from invoisx.money import largest_amount
from invoisx.tests.envelope import error_of, success_data, validation_details
from tokens.scopes import ALL_SCOPES

EXTRACT = "/api/v1/bank/extract"
STATEMENTS = "/api/v1/bank/statements"

pytestmark = pytest.mark.django_db(transaction=True)


def upload(client: APIClient, data: bytes, name: str = "statement.txt"):
    return client.post(EXTRACT, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def url(statement_id: str, suffix: str = "") -> str:
    return f"{STATEMENTS}/{statement_id}{suffix}"


def stored() -> tuple[int, int, int]:
    return BankAccount.objects.count(), BankStatement.objects.count(), BankTransaction.objects.count()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The import job runs here, even where CI configures a broker (no worker serves these tests).
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def statement(alice_api) -> dict:
    return success_data(upload(alice_api, mt940_message(LINES).encode(), "march.sta"))


# Upload, each format


@pytest.mark.parametrize(
    ("data", "fmt", "bank", "last4"),
    [
        (csv_statement(), "csv", "", ""),
        (mt940_message(LINES).encode(), "mt940", "ABNANL2A", "4300"),
        (camt053(), "camt053", "Example Bank N.V.", "4300"),
    ],
)
def test_each_format_is_extracted_with_its_transactions(alice, alice_api, data, fmt, bank, last4):
    data = success_data(upload(alice_api, data), 200)

    assert data["id"].startswith("bs_")
    assert (data["format"], data["bank_name"], data["account_number_last4"]) == (fmt, bank, last4)
    assert data["period"]["to"] == "2026-03-28" if fmt != "camt053" else data["period"]["to"] == "2026-03-31"
    assert data["balance"] == {"opening": 1500.0, "closing": 2974.99, "ok": True, "difference": 0.0}
    assert data["transactions_count"] == len(LINES)
    assert (data["new_transactions_count"], data["duplicate_transactions_count"]) == (len(LINES), 0)
    assert data["duplicate"] is False
    assert [s["id"] for s in data["statements"]] == [data["id"]]
    assert [(t["date"], t["amount"]) for t in data["transactions"]] == [
        (line.day.isoformat(), float(line.amount)) for line in LINES
    ]
    assert all(t["id"].startswith("txn_") and t["matched"] is False for t in data["transactions"])
    rows = BankTransaction.objects.filter(company=alice)
    assert rows.count() == len(LINES)
    assert sorted(rows.values_list("amount", flat=True)) == sorted(line.amount for line in LINES)
    assert BankStatement.objects.get(public_id=data["id"]).file_sha256


def test_the_two_identical_coffees_are_both_kept(alice_api):
    data = success_data(upload(alice_api, csv_statement()))

    coffees = [t for t in data["transactions"] if t["amount"] == -2.8]
    assert len(coffees) == 2
    assert coffees[0]["id"] != coffees[1]["id"]


def test_a_file_with_two_statements_stores_both(alice, alice_api):
    data = success_data(upload(alice_api, camt053(statements=2)))

    assert len(data["statements"]) == 2
    assert data["statements"][0]["id"] == data["id"]
    assert BankAccount.objects.filter(company=alice).count() == 2
    assert BankTransaction.objects.filter(company=alice).count() == 2 * len(LINES)


# De-duplication


def test_an_overlapping_statement_adds_only_the_new_lines(alice, alice_api):
    first = success_data(upload(alice_api, mt940_message(LINES[:4]).encode()))
    later = [Line(date(2026, 4, 2), Decimal("99.00"), "Interest", "Bank", "INT-04")]
    opening = OPENING + sum((line.amount for line in LINES[:2]), Decimal(0))

    second = success_data(upload(alice_api, mt940_message(LINES[2:] + later, opening=opening, sequence=2).encode()))

    assert (first["new_transactions_count"], first["duplicate_transactions_count"]) == (4, 0)
    assert (second["new_transactions_count"], second["duplicate_transactions_count"]) == (3, 2)
    assert second["transactions_count"] == 5
    assert BankTransaction.objects.filter(company=alice).count() == len(LINES) + 1
    assert BankAccount.objects.filter(company=alice).count() == 1
    # The second statement lists all of its lines, including those the first one brought.
    listed = success_data(alice_api.get(url(second["id"], "/transactions")))
    assert [t["amount"] for t in listed["transactions"]] == [float(x.amount) for x in LINES[2:] + later]
    assert listed["transactions"][0]["id"] in {t["id"] for t in first["transactions"]}


def test_the_same_file_twice_stores_nothing_new(alice_api):
    first = success_data(upload(alice_api, camt053()))
    before = stored()

    second = success_data(upload(alice_api, camt053(), "again.xml"))

    assert second["id"] == first["id"]
    assert second["duplicate"] is True
    assert stored() == before


def test_bob_uploading_alices_statement_gets_his_own_copy(alice_api, bob, bob_api):
    alices = success_data(upload(alice_api, camt053()))

    bobs = success_data(upload(bob_api, camt053()))

    assert bobs["id"] != alices["id"]
    assert bobs["duplicate"] is False
    assert bobs["new_transactions_count"] == len(LINES)
    assert BankTransaction.objects.filter(company=bob).count() == len(LINES)


# The balance check


def test_a_balance_mismatch_is_reported(alice_api):
    text = mt940_message(LINES).replace(":62F:C260328EUR2974,99", ":62F:C260328EUR2984,99")

    data = success_data(upload(alice_api, text.encode()))

    assert data["balance"] == {"opening": 1500.0, "closing": 2984.99, "ok": False, "difference": 10.0}
    assert BankStatement.objects.get(public_id=data["id"]).balance_ok is False


# Bad files


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (camt053()[:700], "not well-formed"),
        (b"Date,Description,Amount\r\n", "no rows"),
        (mt940_message([Line(date(2026, 3, 2), Decimal("1e15"), "Huge", "X", "H-1")]).encode(), "too large"),
        (
            b":20:X\n:25:123456789\n:60F:C260301EUR1,00\n:61:2603020302DX,YZNTRFA\n:62F:C260302EUR1,00\n",
            "line 4 (:61:): the amount 'x,yz' is not a number",
        ),
        (
            b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR\n<BANKTRANLIST>\n"
            b"<STMTTRN><DTPOSTED>20260302\n<TRNAMT>12.3O\n</STMTTRN>\n</BANKTRANLIST></STMTRS></STMTTRNRS>"
            b"</BANKMSGSRSV1></OFX>\n",
            "line 4 (<trnamt>): the amount '12.3o' is not a number",
        ),
    ],
)
def test_a_bad_file_is_a_400_naming_file_and_nothing_is_stored(alice_api, data, words):
    details = validation_details(upload(alice_api, data))

    assert list(details) == ["file"]
    assert words in details["file"][0].lower()
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize("beyond", ["largest", "-largest", "limit"])
def test_an_amount_too_large_to_store_exactly_is_a_400_naming_its_row_and_field(alice_api, beyond):
    # What the database stores exactly: 99999999999999.99 on PostgreSQL, less on SQLite (money.largest_amount).
    limit = largest_amount()
    amount = {"largest": f"{limit * 10 - Decimal('0.01')}", "-largest": f"-{limit * 10 - Decimal('0.01')}"}.get(
        beyond, f"{limit:.2f}"
    )
    data = f"Date,Description,Amount\r\n2026-03-02,Small,1.00\r\n2026-03-03,Huge,{amount}\r\n".encode()

    details = validation_details(upload(alice_api, data, "big.csv"))

    assert list(details) == ["file"]
    assert "row 3" in details["file"][0].lower()
    assert "amount" in details["file"][0]
    assert amount.lstrip("-") in details["file"][0]
    assert stored() == (0, 0, 0)


def test_the_largest_amount_stored_is_imported_exactly(alice_api):
    largest = -(largest_amount() - Decimal("0.01"))
    data = f"Date,Description,Amount\r\n2026-03-02,Largest,{largest}\r\n".encode()

    response = upload(alice_api, data, "largest.csv")

    assert f'"amount":{largest}'.encode() in response.content.replace(b" ", b"")
    assert BankTransaction.objects.get().amount == largest


def test_a_pdf_statement_whose_page_box_is_absurd_is_a_400_naming_file(alice_api):
    from invoices.tests.test_extract_api import pdf_with_media_box

    details = validation_details(upload(alice_api, pdf_with_media_box([0, 0, 1e9, 1e9]), name="statement.pdf"))

    assert list(details) == ["file"]
    assert "page size" in details["file"][0]
    assert stored() == (0, 0, 0)


def test_a_request_without_a_file_is_a_400_naming_file(alice_api):
    details = validation_details(alice_api.post(EXTRACT, {"other": "x"}, format="multipart"))

    assert "file" in details
    assert stored() == (0, 0, 0)


def test_a_file_over_the_limit_is_refused(alice_api, settings):
    settings.BANK_STATEMENT_MAX_BYTES = 1024

    details = validation_details(upload(alice_api, csv_statement() * 20))

    assert "larger than" in details["file"][0]
    assert stored() == (0, 0, 0)


# Reading statements


def test_statements_are_listed_newest_first_with_pagination(alice_api, statement):
    other = success_data(upload(alice_api, csv_statement()))

    data = success_data(alice_api.get(STATEMENTS, {"limit": 1}))

    assert [s["id"] for s in data["statements"]] == [other["id"]]
    assert data["pagination"] == {"page": 1, "limit": 1, "total": 2, "total_pages": 2}
    assert "transactions" not in data["statements"][0]


def test_a_statement_is_read_by_its_id(alice_api, statement):
    data = success_data(alice_api.get(url(statement["id"])))

    assert data["id"] == statement["id"]
    assert data["period"] == {"from": "2026-03-02", "to": "2026-03-28"}
    assert data["transactions_count"] == len(LINES)


def test_an_unknown_statement_id_answers_404(alice_api):
    error_of(alice_api.get(url("bs_doesnotexist00")), 404, "resource_not_found")
    error_of(alice_api.get(url("bs_doesnotexist00", "/transactions")), 404, "resource_not_found")


# Filters


def amounts(response) -> list[float]:
    return [t["amount"] for t in success_data(response)["transactions"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [2450.0, -2.8, -2.8, -1234.56, -45.1, 310.25]),
        ({"date_from": "2026-03-14"}, [-1234.56, -45.1, 310.25]),
        ({"date_to": "2026-03-03"}, [2450.0, -2.8, -2.8]),
        ({"date_from": "2026-03-03", "date_to": "2026-03-14"}, [-2.8, -2.8, -1234.56]),
        ({"amount_min": "0"}, [2450.0, 310.25]),
        ({"amount_max": "-45.10"}, [-1234.56, -45.1]),
        ({"amount_min": "-50", "amount_max": "-1"}, [-2.8, -2.8, -45.1]),
        ({"q": "rent"}, [-1234.56]),
        ({"q": "RF18539007547034"}, [2450.0]),
        ({"q": "nobody"}, []),
        ({"matched": "false"}, [2450.0, -2.8, -2.8, -1234.56, -45.1, 310.25]),
        ({"matched": "true"}, [-1234.56]),
    ],
)
def test_transactions_are_filtered(alice_api, statement, query, expected):
    BankTransaction.objects.filter(amount=Decimal("-1234.56")).update(match_status=MatchStatus.MATCHED)
    if query.get("matched") == "false":
        expected = [amount for amount in expected if amount != -1234.56]

    assert amounts(alice_api.get(url(statement["id"], "/transactions"), query)) == expected


def test_the_text_filter_reads_the_counterparty(alice_api):
    data = success_data(upload(alice_api, camt053()))

    assert amounts(alice_api.get(url(data["id"], "/transactions"), {"q": "landlord"})) == [-1234.56]


def test_transactions_are_paginated(alice_api, statement):
    data = success_data(alice_api.get(url(statement["id"], "/transactions"), {"limit": 4, "page": 2}))

    assert len(data["transactions"]) == 2
    assert data["pagination"] == {"page": 2, "limit": 4, "total": 6, "total_pages": 2}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_from", "03/14/2026"),
        ("date_to", "yesterday"),
        ("amount_min", "ten"),
        ("amount_max", "NaN"),
        ("matched", "maybe"),
        ("limit", "1000"),
        ("page", "x"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(alice_api, statement, field, value):
    details = validation_details(alice_api.get(url(statement["id"], "/transactions"), {field: value}))

    assert list(details) == [field]


# Isolation and scopes


@pytest.mark.parametrize("suffix", ["", "/transactions"])
def test_another_companys_token_gets_404(bob_api, statement, suffix):
    error_of(bob_api.get(url(statement["id"], suffix)), 404, "resource_not_found")


def test_bob_lists_none_of_alices_statements(bob_api, statement):
    data = success_data(bob_api.get(STATEMENTS))

    assert data["statements"] == []
    assert data["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("post", EXTRACT, "bank:write"),
        ("get", STATEMENTS, "bank:read"),
        ("get", "detail", "bank:read"),
        ("get", "transactions", "bank:read"),
    ],
)
def test_a_token_without_the_scope_gets_403(alice, make_client, statement, method, path, scope):
    client = make_client(alice, scopes=[s for s in ALL_SCOPES if s != scope])
    target = {"detail": url(statement["id"]), "transactions": url(statement["id"], "/transactions")}.get(path, path)
    body = {"file": SimpleUploadedFile("s.xml", camt053())} if method == "post" else None
    before = stored()

    response = getattr(client, method)(target, body, format="multipart") if body else client.get(target)

    error = error_of(response, 403, "insufficient_scope", "FORBIDDEN")
    assert error["details"]["required_scope"] == scope
    assert stored() == before


def test_a_read_only_token_can_read_but_not_upload(alice, make_client, statement):
    client = make_client(alice, scopes=["bank:read"])

    success_data(client.get(url(statement["id"], "/transactions")))
    error_of(upload(client, camt053()), 403, "insufficient_scope", "FORBIDDEN")


def test_a_request_without_a_token_gets_401(statement):
    error_of(APIClient().get(STATEMENTS), 401, "authentication_required", "UNAUTHORIZED")
    error_of(upload(APIClient(), camt053()), 401, "authentication_required", "UNAUTHORIZED")


def test_the_schema_describes_the_bank_endpoints(client):
    paths = client.get("/api/v1/schema", {"format": "json"}).json()["paths"]

    assert {"/api/v1/bank/extract", "/api/v1/bank/statements", "/api/v1/bank/statements/{statement_id}"} <= set(paths)
    assert "/api/v1/bank/statements/{statement_id}/transactions" in paths


def test_an_import_records_a_statement_imported_event_and_a_repeat_records_none(alice, alice_api):
    first = success_data(upload(alice_api, camt053()))
    success_data(upload(alice_api, camt053(), "again.xml"))

    events = list(Event.objects.filter(company=alice, type=EventType.BANK_STATEMENT_IMPORTED))
    assert len(events) == 1
    assert events[0].data["statement_id"] == first["id"]
    assert events[0].data["new_transactions_count"] == first["transactions_count"]
