"""Data migrations of invoices: existing rows lose nothing they showed before."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("invoices", "0005_invoice_payment")]
AFTER = [("invoices", "0009_invoice_printed_supplier_backfill")]


@pytest.fixture(autouse=True)
def _schema_brought_back_up_to_date(transactional_db):
    """Whatever happens in the test, the next tests get the current schema, not the old one."""
    yield
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_existing_invoices_keep_the_supplier_they_showed_and_a_reason_for_their_review():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    company = apps.get_model("companies", "Company").objects.create(name="Alice Trading")
    supplier = apps.get_model("invoices", "Supplier").objects.create(
        company=company, name="Acme Supplies Ltd", address="123 Commerce St", tax_id="GB123456789"
    )
    invoice_model = apps.get_model("invoices", "Invoice")
    shown = invoice_model.objects.create(
        company=company, direction="purchase", supplier=supplier, currency="GBP", status="needs_review"
    )
    unlinked = invoice_model.objects.create(company=company, direction="purchase", currency="GBP")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    invoice_model = executor.loader.project_state(AFTER).apps.get_model("invoices", "Invoice")

    shown = invoice_model.objects.get(pk=shown.pk)
    assert (shown.supplier_name, shown.supplier_address, shown.supplier_tax_id) == (
        "Acme Supplies Ltd",
        "123 Commerce St",
        "GB123456789",
    )
    assert [reason["code"] for reason in shown.review_reasons] == ["low_confidence"]
    unlinked = invoice_model.objects.get(pk=unlinked.pk)
    assert (unlinked.supplier_name, unlinked.review_reasons) == ("", [])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
