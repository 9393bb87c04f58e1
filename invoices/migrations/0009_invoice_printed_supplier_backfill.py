"""Existing invoices get the supplier they showed until now (their linked record's), so nothing is lost;
those waiting for review get one reason saying it was decided before reasons were recorded.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

LEGACY_REASON = {
    "code": "low_confidence",
    "field": None,
    "message": "Sent to review before review reasons were recorded: check the highlighted fields.",
}


def backfill(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    Supplier = apps.get_model("invoices", "Supplier")
    supplier = Supplier.objects.filter(pk=OuterRef("supplier_id"))
    Invoice.objects.filter(supplier__isnull=False).update(
        supplier_name=Subquery(supplier.values("name")[:1]),
        supplier_address=Subquery(supplier.values("address")[:1]),
        supplier_tax_id=Subquery(supplier.values("tax_id")[:1]),
    )
    Invoice.objects.filter(status="needs_review").update(review_reasons=[LEGACY_REASON])


class Migration(migrations.Migration):
    dependencies = [("invoices", "0008_invoice_printed_supplier_duplicate_of_review_reasons")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
