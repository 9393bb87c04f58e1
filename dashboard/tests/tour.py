"""A company with something on every dashboard page, and the address of each page, for tests that
visit them all (the Content-Security-Policy header test and the browser test of the policy).

Data goes in through the pages and services the product uses, so the tour follows their changes.
"""

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from PIL import Image

from bank.models import BankStatement, BankTransaction, Reconciliation
from bank.statements.tests.builders import Line, mt940_message
from buyers.tests.factories import BuyerFactory
from collecting.services import collector_user_create, credential_create, user_token_issue
from companies.models import Membership, Role
from companies.services import company_profile_update
from companies.team import invitation_create
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.intake import invoice_upload
from invoices.issuing.services import invoice_issue
from invoices.models import NumberSeries, Supplier
from invoices.services import invoice_create
from invoices.tests.factories import purchase_invoice
from invoices.tests.review_documents import UBL, mismatched_invoice_pdf
from tokens.services import token_issue
from webhooks.tests.factories import endpoint

PASSWORD = "correct horse battery staple"

# Pages anyone may open.
PUBLIC_PAGES = ["/login/", "/password/reset/"]
# Seed 003's credential page, opened with a user token (a query parameter); its own policy has no nonce
# (it has no inline code at all) and lets the customer's origins frame it.
USER_PAGE = "/api/v1/user?token="


def tour_owner() -> User:
    """An owner of a company who is also an operator, so the admin pages are on the tour."""
    company = CompanyFactory.create(name="Tour Trading Sdn Bhd")
    user = MembershipFactory.create(company=company, role=Role.OWNER).user
    user.email = "owner@tour.example"
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 120), "white").save(buffer, "PNG")
    return buffer.getvalue()


# The index in `tour_pages` of the purchase invoice whose scan (an image) its review page shows.
UPLOADED_INVOICE = 3


def tour_pages(user: User) -> list[str]:
    """Fill the user's company with one of everything and return the address of every page that shows it.

    Needs MEDIA_ROOT set to a temporary folder and eager Celery tasks.
    """
    company = Membership.objects.get(user=user).company
    client = Client()
    client.force_login(user)

    buyer = BuyerFactory.create(company=company, name="Kedai Runcit Maju", country="MY", email="ap@maju.example")
    company_profile_update(
        company=company,
        legal_name="Tour Trading Sdn Bhd",
        tax_id="C20880050010",
        registration_number="202301012345",
        address_line1="1 Jalan Ampang",
        city="Kuala Lumpur",
        country="MY",
        bank_account_number="5641 2345 6789",
    )
    sale: dict[str, Any] = {
        "currency": "MYR",
        "line_items": [
            {"description": "Consulting", "quantity": Decimal(2), "unit_price": Decimal(500), "tax_rate": Decimal(8)}
        ],
    }
    draft = invoice_create(company=company, buyer=buyer, **sale)
    issued = invoice_issue(invoice=invoice_create(company=company, buyer=buyer, **sale))
    series = NumberSeries.objects.get(company=company, document_type="invoice")
    invoice = purchase_invoice(company, number="INV-2026-0101", supplier="Acme Trading BV")
    invoice.document.save("scan.png", ContentFile(_png()), save=False)
    invoice.document_kind = "png"
    invoice.save()
    purchase_invoice(
        company,
        number="INV-2026-0106",
        supplier="Umbrella Corp",
        line_items=[{"description": "Paper", "quantity": Decimal(1), "unit_price": Decimal("99.00")}],
    )
    # Uploads waiting for review: a text PDF whose figures disagree (page images, field boxes) and a UBL e-invoice.
    with TestCase.captureOnCommitCallbacks(execute=True):
        reviewed = invoice_upload(company=company, file=SimpleUploadedFile("review.pdf", mismatched_invoice_pdf()))
        einvoice = invoice_upload(company=company, file=SimpleUploadedFile("einvoice.xml", UBL))
    statement_file = mt940_message(
        [Line(date(2026, 3, 3), Decimal("120.00"), "Payment INV-2026-0101", "Acme Trading BV", "NONREF")]
    ).encode()
    # The import is queued on commit: run it as the commit of a real request would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/bank/upload", {"file": SimpleUploadedFile("march.sta", statement_file)})
    statement = BankStatement.objects.get(company=company)
    client.post(f"/bank/statements/{statement.public_id}/reconcile", {})
    reconciliation = Reconciliation.objects.get(company=company)
    line = BankTransaction.objects.get(company=company)
    token = token_issue(company=company, name="Tour", scopes=["buyers:read"]).token
    hook = endpoint(company).endpoint
    collector_user = collector_user_create(company=company, remote_id="tour-customer-42", locale="fr")
    # Nothing listens on port 1: its first collection (eager) ends in error, a row with a message.
    credential_create(
        user=collector_user,
        collector="imap",
        params={"host": "127.0.0.1", "port": 1, "user": "ap@tour.example", "password": "tour-password"},
        note="ap@tour.example",
    )
    user_token = user_token_issue(user=collector_user)
    supplier = Supplier.objects.get(company=company, name="Acme Trading BV")
    accountant = MembershipFactory.create(company=company, role=Role.ACCOUNTANT)
    invitation = invitation_create(
        company=company, email="invitee@tour.example", role=Role.VIEWER, invited_by=user, base_url="http://testserver/"
    )

    return [
        "/",
        "/invoices/",
        "/invoices/upload",
        f"/invoices/{invoice.public_id}/",
        "/review/",
        f"/invoices/{reviewed.invoice.public_id}/",
        f"/invoices/{einvoice.invoice.public_id}/",
        "/bank/",
        "/bank/upload",
        f"/bank/statements/{statement.public_id}/",
        f"/bank/reconciliations/{reconciliation.public_id}/",
        "/invoices/?search=nothing-matches-this&sort=-total&per_page=50",
        f"/bank/reconciliations/{reconciliation.public_id}/lines/{line.public_id}/",
        "/bank/transactions/",
        f"/bank/transactions/?statement={statement.public_id}&state=matched&sort=-amount&q=INV",
        "/buyers/",
        "/buyers/?sort=-open",
        "/buyers/new",
        f"/buyers/{buyer.public_id}/",
        f"/buyers/{buyer.public_id}/edit",
        "/suppliers/",
        f"/suppliers/{supplier.public_id}/",
        "/suppliers/new",
        f"/suppliers/{supplier.public_id}/edit",
        "/invoices/new",
        f"/invoices/{draft.public_id}/",
        f"/invoices/{draft.public_id}/edit",
        f"/invoices/{draft.public_id}/delete",
        f"/invoices/{issued.public_id}/",
        f"/invoices/{issued.public_id}/send",
        f"/invoices/{issued.public_id}/credit-note",
        f"/invoices/{issued.public_id}/void",
        "/settings/",
        "/settings/company",
        "/settings/signing",
        "/settings/number-series/",
        "/settings/number-series/new",
        f"/settings/number-series/{series.public_id}/edit",
        "/usage/",
        "/settings/api-tokens/",
        "/settings/api-tokens/new",
        f"/settings/api-tokens/{token.public_id}/revoke",
        "/settings/webhooks/",
        "/settings/webhooks/new",
        f"/settings/webhooks/{hook.public_id}/",
        f"/settings/webhooks/{hook.public_id}/delete",
        "/settings/integrations/",
        "/collecting/users/",
        "/settings/collecting",
        f"{USER_PAGE}{user_token}",
        "/password/change/",
        "/settings/team/",
        f"/settings/team/members/{accountant.public_id}/remove",
        invitation.link.removeprefix("http://testserver"),
        "/account/",
        "/account/two-factor/",
        "/no-such-page/",
        "/api/v1/docs",
        "/admin/",
        "/admin/invoices/invoice/",
        f"/admin/invoices/invoice/{invoice.pk}/change/",
        "/admin/auth/user/add/",
    ]
