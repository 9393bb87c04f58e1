"""Dashboard benchmark: every dashboard page's server time with 10,000 invoices in the company.

    .venv/bin/python bench/dashboard.py [--invoices 10000] [--runs 5] [--database-url postgres://…]

Prepares a database in a temporary directory (a SQLite file, or PostgreSQL with `--database-url`),
builds the tour company of `dashboard/tests/tour.py` (one of everything, through the product's pages
and services), then adds `--invoices` invoices to it in bulk with a realistic spread: sales and
purchase, four currencies, dates over two years, every state and status, payments full and partial,
some waiting for review with their reasons; a few hundred buyers and suppliers; a few thousand bank
lines, some matched to invoices by confirmed matches.

Then GETs every dashboard page of the tour (not the admin, the API docs or the collecting user page),
plus the lists at a later page and filtered, with the Django test client logged in as the owner:
one warm-up, then `--runs` timed requests each. Server time is the time of the whole request through
the middleware and the view, as the test client measures it (no network). Prints each page's median
and max in ms and its SQL queries, slowest first; the last line is
`pages=<n> over_300ms=<k> slowest=<page> <ms>`.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoisx.settings")

BUDGET_MS = 300
SKIPPED = ("/admin/", "/api/", "/no-such-page/")
# Pages of the lists that 10,000 invoices make long: a later page, a filter, a search.
EXTRA_PAGES = [
    "/?currency=EUR",
    "/invoices/?page=40",
    "/invoices/?status=needs_review",
    "/invoices/?direction=sales&currency=MYR",
    "/invoices/?search=INV-B",
    "/buyers/?page=3",
]
CURRENCIES = ["MYR"] * 12 + ["EUR"] * 4 + ["USD"] * 3 + ["SGD"]
REVIEW_REASONS = [
    {"code": "low_confidence", "message": "The total was read with low confidence.", "fields": ["total"]},
    {"code": "cross_check_failed", "message": "The lines add up to 410.10, the subtotal says 403.55."},
    {"code": "duplicate_number", "message": "Another invoice from this supplier has this number."},
]


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def add_invoices(company: Any, count: int, seed: int) -> None:
    """`count` invoices in bulk, with their lines, buyers, suppliers and bank lines."""
    from bank.models import (
        BankStatement,
        BankTransaction,
        MatchAllocation,
        MatchKind,
        MatchState,
        MatchStatus,
        PaymentMatch,
        Reconciliation,
    )
    from buyers.models import Buyer
    from invoices.models import (
        Direction,
        Invoice,
        InvoiceLine,
        PaymentStatus,
        Source,
        State,
        Status,
        Supplier,
    )

    rng = random.Random(seed)
    today = date.today()
    buyers = Buyer.objects.bulk_create(
        [
            Buyer(company=company, name=f"Buyer {n:03d} Sdn Bhd", email=f"ap{n}@buyer.example", country="MY")
            for n in range(300)
        ]
    )
    suppliers = Supplier.objects.bulk_create(
        [Supplier(company=company, name=f"Supplier {n:03d} GmbH", tax_id=f"DE{n:09d}") for n in range(200)]
    )

    invoices = []
    sales_number = 0
    for n in range(count):
        sales = rng.random() < 0.5
        currency = rng.choice(CURRENCIES)
        invoice_date = today - timedelta(days=rng.randint(0, 730))
        due_date = None if rng.random() < 0.08 else invoice_date + timedelta(days=rng.choice([14, 30, 30, 60]))
        subtotal = money(rng.uniform(20, 20000))
        tax = money(float(subtotal) * 0.08)
        total = subtotal + tax
        fields: dict[str, Any] = {
            "company": company,
            "currency": currency,
            "invoice_date": invoice_date,
            "due_date": due_date,
            "line_total": subtotal,
            "subtotal": subtotal,
            "tax_rate": Decimal(8),
            "tax_amount": tax,
            "total": total,
        }
        if sales:
            state = rng.choices(
                [State.ISSUED, State.SENT, State.RECORDED, State.DRAFT, State.VOID], [30, 40, 20, 6, 4]
            )[0]
            number = ""
            if state != State.DRAFT:
                sales_number += 1
                number = f"INV-B-{sales_number:06d}"
            fields |= {
                "direction": Direction.SALES,
                "state": state,
                "source": Source.DASHBOARD,
                "buyer": rng.choice(buyers),
                "invoice_number": number,
            }
        else:
            status = rng.choices(
                [Status.PROCESSED, Status.NEEDS_REVIEW, Status.FAILED, Status.PROCESSING], [86, 10, 3, 1]
            )[0]
            supplier = rng.choice(suppliers)
            fields |= {
                "direction": Direction.PURCHASE,
                "status": status,
                "source": rng.choice([Source.UPLOAD, Source.UPLOAD, Source.API, Source.COLLECTED]),
                "supplier": supplier,
                "supplier_name": supplier.name,
                "invoice_number": f"P-{n:06d}",
                "confidence": rng.uniform(0.55, 1.0),
                "review_reasons": rng.sample(REVIEW_REASONS, rng.randint(1, 2))
                if status == Status.NEEDS_REVIEW
                else [],
            }
        paid_chance = min(0.95, (today - invoice_date).days / 120)
        if fields.get("state") not in (State.DRAFT, State.VOID) and rng.random() < paid_chance:
            if rng.random() < 0.85:
                fields |= {"amount_paid": total, "payment_status": PaymentStatus.PAID}
            else:
                fields |= {"amount_paid": money(float(total) * 0.4), "payment_status": PaymentStatus.PARTIALLY_PAID}
            fields["last_payment_date"] = min(today, invoice_date + timedelta(days=rng.randint(5, 70)))
        invoices.append(Invoice(**fields))
    invoices = Invoice.objects.bulk_create(invoices, batch_size=1000)

    lines = []
    for invoice in invoices:
        parts = rng.randint(1, 3)
        share = money(float(invoice.subtotal) / parts)
        for position in range(1, parts + 1):
            amount = share if position < parts else invoice.subtotal - share * (parts - 1)
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    position=position,
                    description=f"Item {position}",
                    quantity=Decimal(1),
                    unit_price=amount,
                    amount=amount,
                )
            )
    InvoiceLine.objects.bulk_create(lines, batch_size=2000)

    # Bank lines on the tour's statement's account; the paid sales invoices' payments confirmed.
    statement = BankStatement.objects.filter(company=company).first()
    reconciliation = Reconciliation.objects.filter(company=company).first()
    assert statement is not None
    assert reconciliation is not None
    paid_sales = [i for i in invoices if i.direction == Direction.SALES and i.amount_paid > 0][:1500]
    transactions = []
    for n in range(3000):
        invoice = paid_sales[n] if n < len(paid_sales) else None
        transactions.append(
            BankTransaction(
                company=company,
                account=statement.account,
                statement=statement,
                date=invoice.last_payment_date if invoice else today - timedelta(days=rng.randint(0, 730)),
                amount=invoice.amount_paid if invoice else money(rng.uniform(-5000, 5000)),
                currency=invoice.currency if invoice else "MYR",
                description=f"Payment {invoice.invoice_number}" if invoice else f"Card payment {n}",
                counterparty=invoice.buyer.name if invoice and invoice.buyer else "Someone",
                checksum=f"bench-{n}",
                match_status=MatchStatus.MATCHED if invoice else rng.choice(list(MatchStatus.values)),
            )
        )
    transactions = BankTransaction.objects.bulk_create(transactions, batch_size=1000)
    matches = PaymentMatch.objects.bulk_create(
        [
            PaymentMatch(
                company=company,
                reconciliation=reconciliation,
                transaction=transaction,
                state=MatchState.CONFIRMED,
                kind=MatchKind.EXACT,
                confidence=0.99,
                reason="Number and amount",
                amount=invoice.amount_paid,
            )
            for transaction, invoice in zip(transactions, paid_sales, strict=False)
        ],
        batch_size=1000,
    )
    MatchAllocation.objects.bulk_create(
        [
            MatchAllocation(match=match, invoice=invoice, amount=invoice.amount_paid)
            for match, invoice in zip(matches, paid_sales, strict=False)
        ],
        batch_size=1000,
    )


def measure(client: Any, url: str, runs: int) -> tuple[list[float], int, int]:
    from django.db import connection

    queries = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    # Counted by an execute wrapper rather than CaptureQueriesContext: its log is a bounded deque that
    # the setup can have filled, after which its length stops changing.
    with connection.execute_wrapper(count):
        status = client.get(url).status_code  # warm-up, and the queries counted
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times, len(queries), status


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="invoisx-bench-dashboard-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir.name}/media"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.disable(logging.CRITICAL)  # the tour's collector fails on purpose; its retries would log
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)

    from django.test import Client

    from companies.models import Membership
    from dashboard.tests.tour import USER_PAGE, tour_owner, tour_pages
    from webhooks import sending

    # Nothing leaves the machine: the tour's webhook endpoint "answers" without a network.
    sending.post = lambda **kwargs: sending.Outcome(response_status=200, response_body="", error="", duration_ms=1)

    owner = tour_owner()
    pages = [url for url in tour_pages(owner) if not url.startswith(SKIPPED) and not url.startswith(USER_PAGE)]
    company = Membership.objects.get(user=owner).company
    add_invoices(company, args.invoices, args.seed)
    setup_s = time.perf_counter() - started
    pages += EXTRA_PAGES

    client = Client()
    client.force_login(owner)
    results = []
    for url in pages:
        times, queries, status = measure(client, url, args.runs)
        results.append((statistics.median(times), max(times), queries, status, url))
    results.sort(reverse=True)

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"{args.invoices} invoices added to the tour company on {engine}; setup {setup_s:.1f} s")
    print(f"each page: 1 warm-up (its SQL queries counted), then {args.runs} timed requests")
    print(f"{'median_ms':>10}{'max_ms':>9}{'queries':>9}{'status':>8}  page")
    for median, worst, queries, status, url in results:
        flag = "  > budget" if median > BUDGET_MS else ""
        print(f"{median:>10.1f}{worst:>9.1f}{queries:>9}{status:>8}  {url}{flag}")
    over = sum(1 for median, *_ in results if median > BUDGET_MS)
    slowest = results[0]
    print(f"pages={len(results)} over_{BUDGET_MS}ms={over} slowest={slowest[4]} {slowest[0]:.0f}")
    workdir.cleanup()


if __name__ == "__main__":
    main()
