"""Approving an invoice read from a document is its own act: saving a correction does not imply it."""

from decimal import Decimal

import pytest

from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.models import Source, Status
from invoices.review import LOW_CONFIDENCE
from invoices.services import invoice_approve, invoice_update
from invoices.tests.factories import purchase_invoice
from invoisx.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return MembershipFactory.create().user


def _extracted(**kwargs):
    invoice = purchase_invoice(CompanyFactory.create(), **kwargs)
    invoice.source = Source.UPLOAD
    invoice.status = Status.NEEDS_REVIEW
    invoice.review_reasons = [{"code": LOW_CONFIDENCE, "field": "due_date", "message": "Due date read at 0.40."}]
    invoice.field_confidence = {"due_date": 0.4}
    invoice.save()
    return invoice


def test_approving_settles_what_the_reader_was_unsure_of(clerk):
    invoice = _extracted()

    approved = invoice_approve(invoice=invoice, approved_by=clerk)

    assert approved.status == Status.PROCESSED
    assert approved.review_reasons == []
    assert approved.reviewed_at is not None
    assert approved.changes.filter(field="approved", changed_by_user=clerk).exists()


def test_a_correction_saved_without_vouching_leaves_the_invoice_in_review(clerk):
    invoice = _extracted()

    saved = invoice_update(invoice=invoice, changed_by_user=clerk, vouch=False, notes="Checked the address")

    assert saved.status == Status.NEEDS_REVIEW
    assert saved.reviewed_at is None


def test_figures_that_disagree_are_corrected_before_approving(clerk):
    invoice = _extracted()
    invoice.total = Decimal("999.00")
    invoice.save()
    with pytest.raises(DomainError) as refused:
        invoice_approve(invoice=invoice, approved_by=clerk)

    assert "total" in refused.value.details
    invoice.refresh_from_db()
    assert invoice.status == Status.NEEDS_REVIEW
    assert invoice.reviewed_at is None
