"""Writes for buyers. Each records its event in the same transaction."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from buyers.models import Buyer
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, DomainError
from invoisx.tax_ids import validate_tax_id

EDITABLE_FIELDS = (
    "name",
    "tax_id",
    "registration_number",
    "email",
    "phone",
    "contact_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "notes",
    "wants_ubl",
)


def _event_data(buyer: Buyer) -> dict[str, Any]:
    return {"id": buyer.public_id, "name": buyer.name, "tax_id": buyer.tax_id, "country": buyer.country}


def _validate(buyer: Buyer) -> None:
    if not buyer.name.strip():
        raise ValidationError({"name": ["A buyer needs a name."]})
    buyer.country = buyer.country.upper()
    if buyer.tax_id:
        try:
            buyer.tax_id = validate_tax_id(buyer.tax_id, buyer.country or None)
        except ValueError as error:
            raise ValidationError({"tax_id": [str(error)]}) from None


@transaction.atomic
def buyer_create(*, company: Company, name: str, **fields: Any) -> Buyer:
    buyer = Buyer(company=company, name=name, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    _validate(buyer)
    buyer.save()
    event_record(company=company, type=EventType.BUYER_CREATED, data=_event_data(buyer))
    return buyer


def _locked(buyer: Buyer, *, for_delete: bool = False) -> Buyer:
    """The buyer as stored now, its row locked until the transaction ends (call inside one).

    Changes are made to this copy, never to the caller's, which may be older than another change.
    """
    locked = (
        Buyer.objects.select_for_update(of=("self",), no_key=not for_delete)
        .select_related("company")
        .filter(pk=buyer.pk)
        .first()
    )
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No buyer with this id.")
    return locked


def buyer_lock_for_invoice(*, buyer: Buyer, company: Company) -> Buyer:
    """Lock a buyer an invoice is about to refer to, so it cannot be deleted before that commits.

    FOR NO KEY UPDATE: it waits for (and makes wait) `buyer_delete`, but not invoices of the same buyer.
    """
    locked = Buyer.objects.select_for_update(no_key=True).filter(pk=buyer.pk, company=company).first()
    if locked is None:
        raise ValidationError({"buyer_id": ["No buyer with this id."]})
    return locked


@transaction.atomic
def buyer_update(*, buyer: Buyer, **fields: Any) -> Buyer:
    """Change the given fields of the buyer (`buyer` names it; the stored row is re-read under its lock)."""
    buyer = _locked(buyer)
    given = [name for name in fields if name in EDITABLE_FIELDS]
    for name in given:
        setattr(buyer, name, fields[name])
    _validate(buyer)
    buyer.save(update_fields=[*given, "updated_at"])
    event_record(company=buyer.company, type=EventType.BUYER_UPDATED, data=_event_data(buyer))
    return buyer


@transaction.atomic
def buyer_delete(*, buyer: Buyer) -> None:
    # Locked first: an invoice being created for this buyer holds it (`buyer_lock_for_invoice`), so it
    # is either committed and counted here, or waits and then finds the buyer gone.
    buyer = _locked(buyer, for_delete=True)
    if buyer.invoices.exists():
        raise DomainError(
            code=CONFLICT,
            message="This buyer has invoices and cannot be deleted.",
            details={"id": [f"{buyer.invoices.count()} invoice(s) refer to this buyer."]},
        )
    data = _event_data(buyer)
    buyer.delete()
    event_record(company=buyer.company, type=EventType.BUYER_DELETED, data=data)
