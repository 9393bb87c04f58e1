"""Suppliers: the company's record of each party that bills it, linking an invoice to one, and the
dashboard's own create, edit and delete of a record."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from companies.models import Company
from invoices.models import Invoice, Supplier
from invoisx.errors import CONFLICT, DomainError


def supplier_get_or_create(*, company: Company, name: str, address: str = "", tax_id: str = "") -> Supplier:
    """The company's supplier with this tax id (or, lacking one, this name), created if new."""
    name, tax_id = name.strip(), tax_id.strip()
    if not name:
        raise ValidationError({"supplier.name": ["A supplier needs a name."]})
    suppliers = Supplier.objects.filter(company=company)
    supplier = None
    if tax_id:
        supplier = suppliers.filter(tax_id__iexact=tax_id).first()
    if supplier is None:
        # A tax id names one legal entity: only reuse a same-named supplier without a different one.
        by_name = suppliers.filter(name__iexact=name)
        supplier = (by_name.filter(tax_id__in=["", tax_id]) if tax_id else by_name).first()
    if supplier is None:
        return Supplier.objects.create(company=company, name=name, address=address.strip(), tax_id=tax_id)
    changed = False
    if address and not supplier.address:
        supplier.address, changed = address.strip(), True
    if tax_id and not supplier.tax_id:
        supplier.tax_id, changed = tax_id, True
    if changed:
        supplier.save(update_fields=["address", "tax_id", "updated_at"])
    return supplier


def supplier_link(invoice: Invoice, supplier: dict[str, str]) -> None:
    """Keep the supplier as the invoice states it, and link the company's supplier record it names.

    The record is found by tax id or name (created if new) and only has its blanks filled: a
    correction of one invoice never rewrites the supplier as other invoices printed it.
    """
    invoice.supplier = supplier_get_or_create(company=invoice.company, **supplier)
    invoice.supplier_name = supplier["name"].strip()
    invoice.supplier_address = supplier.get("address", "").strip()
    invoice.supplier_tax_id = supplier.get("tax_id", "").strip()


EDITABLE_FIELDS = ("name", "address", "tax_id")


def _clean(*, company: Company, name: str, address: str, tax_id: str, exclude_pk: int | None = None) -> dict[str, str]:
    name, address, tax_id = name.strip(), address.strip(), tax_id.strip()
    if not name:
        raise ValidationError({"name": ["A supplier needs a name."]})
    if tax_id:
        same = Supplier.objects.filter(company=company, tax_id__iexact=tax_id)
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        if same.exists():
            raise ValidationError({"tax_id": ["Another supplier already has this tax id."]})
    return {"name": name, "address": address, "tax_id": tax_id}


def supplier_create(*, company: Company, name: str, address: str = "", tax_id: str = "") -> Supplier:
    """A new supplier record, entered by hand (extraction links invoices through `supplier_get_or_create`)."""
    fields = _clean(company=company, name=name, address=address, tax_id=tax_id)
    return Supplier.objects.create(company=company, **fields)


@transaction.atomic
def supplier_update(*, supplier: Supplier, name: str, address: str = "", tax_id: str = "") -> Supplier:
    """Change the company's record of a supplier. Its invoices keep the supplier as each document printed it."""
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    fields = _clean(company=locked.company, name=name, address=address, tax_id=tax_id, exclude_pk=locked.pk)
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.save(update_fields=[*fields, "updated_at"])
    return locked


def _has_invoices(supplier: Supplier) -> DomainError:
    return DomainError(
        code=CONFLICT,
        message="This supplier has invoices and cannot be deleted.",
        details={"id": [f"{supplier.invoices.count()} invoice(s) refer to this supplier."]},
    )


@transaction.atomic
def supplier_delete(*, supplier: Supplier) -> None:
    """Delete a supplier record without invoices (with its learned layout); one with invoices is refused,
    as their PROTECT would refuse it anyway, with a reason a person can read."""
    locked = Supplier.objects.select_for_update().filter(pk=supplier.pk).first()
    if locked is None:
        return  # deleted meanwhile: what was asked is done
    if locked.invoices.exists():
        raise _has_invoices(locked)
    try:
        with transaction.atomic():
            locked.delete()
    except (ProtectedError, IntegrityError):
        # An invoice linked to it between the check and the delete (extraction does not take this lock).
        raise _has_invoices(locked) from None
