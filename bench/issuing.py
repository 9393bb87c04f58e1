"""Issuing benchmark: sales invoices of the test matrix issued end to end, timed step by step.

    .venv/bin/python bench/issuing.py [--invoices 60] [--database-url postgres://…]

Prepares a database in a temporary directory (a SQLite file, or PostgreSQL with `--database-url`),
creates one company per seller and one buyer per customer of `invoices/issuing/tests/matrix.py`,
then issues `--invoices` drafts through the product's own service (`invoice_issue`: checks, number,
CII and UBL XML, WeasyPrint PDF/A-3b, Factur-X embedding, PAdES signature, signed envelope, storage),
cycling through the matrix cases; credit notes are issued against the invoice issued before them.
Each step is timed inside the real call (`einvoice_problems` is the schematron guard issuing runs on the
CII and UBL). Afterwards every issued CII, UBL and embedded Factur-X XML
is run through the EN 16931 schematron again (the PDF's copy included; not counted in the issuing time).

Prints, per step, seconds per invoice (median, p95), the schematron pass rate, and peak memory.
The last line is `issued_per_s=<n> median_s=<s> schematron_ok=<pct>`.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoisx.settings")

TIMED_STEPS = ("cii_xml", "ubl_xml", "einvoice_problems", "render_pdf", "embed_cii", "sign_pdf", "envelope_build")
TIMINGS: dict[str, list[float]] = defaultdict(list)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TIMINGS[name].append(time.perf_counter() - started)

    return wrapper


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=60)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="invoisx-bench-issuing-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir.name}/media"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    call_command("migrate", verbosity=0, interactive=False)

    from buyers.models import Buyer
    from companies.models import Company
    from companies.services import company_create, company_profile_update
    from invoices.extraction.einvoice import embedded_xml
    from invoices.issuing import outputs
    from invoices.issuing.schematron import validate_cii, validate_ubl, warm_up
    from invoices.issuing.services import credit_note_create, invoice_issue
    from invoices.issuing.tests.matrix import MATRIX
    from invoices.services import invoice_create

    for name in TIMED_STEPS:
        setattr(outputs, name, timed(name, getattr(outputs, name)))

    companies: dict[str, Company] = {}
    buyers: dict[tuple[int, str], Buyer] = {}

    def company_for(party: dict[str, Any]) -> Company:
        key = f"{party['name']} {party['tax_id']}"
        if key not in companies:
            company = company_create(name=f"{party['name']} ({len(companies) + 1})")
            address = party["address"]
            company_profile_update(
                company=company,
                legal_name=party["legal_name"],
                tax_id=party["tax_id"],
                registration_number=party["registration_number"],
                email=party["email"],
                address_line1=address["line1"],
                address_line2=address["line2"],
                city=address["city"],
                postal_code=address["postal_code"],
                country=address["country"],
                iban="DE89370400440532013000",
                bic="COBADEFFXXX",
                bank_name="Commerzbank",
            )
            companies[key] = company
        return companies[key]

    def buyer_for(company: Company, party: dict[str, Any]) -> Buyer:
        key = (company.pk, party["name"])
        if key not in buyers:
            address = party["address"]
            buyers[key] = Buyer.objects.create(
                company=company,
                name=party["name"],
                tax_id=party["tax_id"],
                email=party["email"],
                address_line1=address["line1"],
                address_line2=address["line2"],
                city=address["city"],
                state=address["state"],
                postal_code=address["postal_code"],
                country=address["country"],
            )
        return buyers[key]

    def line_items(document: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "description": line["description"],
                "quantity": Decimal(line["quantity"]),
                "unit": line["unit"],
                "unit_price": Decimal(line["unit_price"]),
                "tax_category": line["tax"]["category"],
                "tax_rate": Decimal(line["tax"]["rate"]) if line["tax"]["rate"] is not None else None,
                "tax_exemption_reason": line["tax"]["exemption_reason"],
                "discount_amount": Decimal(line["discount"]["amount"]) if line["discount"] else None,
                "discount_reason": line["discount"]["reason"] if line["discount"] else "",
                "charge_amount": Decimal(line["charge"]["amount"]) if line["charge"] else None,
                "charge_reason": line["charge"]["reason"] if line["charge"] else "",
            }
            for line in document["lines"]
        ]

    def allowances(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "amount": Decimal(item["amount"]),
                "reason": item["reason"],
                "tax_category": item["tax"]["category"],
                "tax_rate": Decimal(item["tax"]["rate"]) if item["tax"]["rate"] is not None else None,
            }
            for item in items
        ]

    warm_up()  # compile the schematron XSLTs once, outside the measured part
    cases = list(MATRIX.items())
    issued = []
    totals: list[float] = []
    previous: dict[int, Any] = {}
    started_all = time.perf_counter()
    for index in range(args.invoices):
        case, build = cases[index % len(cases)]
        document = build()
        company = company_for(document["supplier"])
        buyer = buyer_for(company, document["customer"])
        started = time.perf_counter()
        if document["type"] == "credit_note" and company.pk in previous:
            invoice = credit_note_create(
                invoice=previous[company.pk],
                reason="Refund of unused hours",
                line_items=line_items(document),
                issue=True,
            )
        else:
            draft = invoice_create(
                company=company,
                buyer=buyer,
                currency=document["currency"],
                line_items=line_items(document),
                discounts=allowances(document["discounts"]),
                charges=allowances(document["charges"]),
                language=document["language"],
                buyer_reference=document["buyer_reference"],
            )
            invoice = invoice_issue(invoice=draft)
            previous[company.pk] = invoice
        totals.append(time.perf_counter() - started)
        issued.append((case, invoice))
    elapsed = time.perf_counter() - started_all

    checks = passed = 0
    schematron_s: list[float] = []
    for case, invoice in issued:
        stored = invoice.issued_document
        with stored.pdf.open("rb") as file:
            embedded = embedded_xml(file.read())
        for validate, xml in (
            (validate_cii, stored.cii.encode()),
            (validate_ubl, stored.ubl.encode()),
            (validate_cii, embedded),
        ):
            started = time.perf_counter()
            failures = validate(xml) if xml is not None else ["no factur-x.xml"]
            schematron_s.append(time.perf_counter() - started)
            checks += 1
            passed += not failures
            if failures:
                print(f"  schematron: {case} {invoice.invoice_number}: {failures[:3]}")

    print(f"Issued {len(issued)} invoices ({len(cases)} matrix cases) on {settings.DATABASES['default']['ENGINE']}")
    print(f"{'step':<18}{'median_s':>10}{'p95_s':>10}")
    for name in TIMED_STEPS:
        print(f"{name:<18}{statistics.median(TIMINGS[name]):>10.4f}{percentile(TIMINGS[name], 0.95):>10.4f}")
    print(f"{'issue (total)':<18}{statistics.median(totals):>10.4f}{percentile(totals, 0.95):>10.4f}")
    schematron_row = f"{statistics.median(schematron_s):>10.4f}{percentile(schematron_s, 0.95):>10.4f}"
    print(f"{'schematron':<18}{schematron_row}  (not in issuing)")
    pct = 100 * passed / checks if checks else 0.0
    print(f"schematron: {passed}/{checks} documents with 0 failed assertions (CII, UBL, embedded Factur-X)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:.0f} MB")
    print(f"issued_per_s={len(issued) / elapsed:.2f} median_s={statistics.median(totals):.3f} schematron_ok={pct:.1f}")
    workdir.cleanup()


if __name__ == "__main__":
    main()
