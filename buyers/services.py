"""Writes for buyers. Each records its event in the same transaction."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from buyers.models import Buyer
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoisx.errors import CONFLICT, DomainError
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


@transaction.atomic
def buyer_update(*, buyer: Buyer, **fields: Any) -> Buyer:
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(buyer, name, value)
    _validate(buyer)
    buyer.save()
    event_record(company=buyer.company, type=EventType.BUYER_UPDATED, data=_event_data(buyer))
    return buyer


@transaction.atomic
def buyer_delete(*, buyer: Buyer) -> None:
    if buyer.invoices.exists():
        raise DomainError(
            code=CONFLICT,
            message="This buyer has invoices and cannot be deleted.",
            details={"id": [f"{buyer.invoices.count()} invoice(s) refer to this buyer."]},
        )
    data = _event_data(buyer)
    buyer.delete()
    event_record(company=buyer.company, type=EventType.BUYER_DELETED, data=data)
