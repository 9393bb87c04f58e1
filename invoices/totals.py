"""Invoice arithmetic: line amounts, subtotal, tax and total, computed and cross-checked.

Given what the caller sent (lines and any totals), compute what is missing and check what is not.
A total that disagrees with its parts by more than rounding allows is an error naming the field.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from invoisx.money import CENT, round_money


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_rate: Decimal | None
    tax_amount: Decimal
    total: Decimal


def _differs(given: Decimal, computed: Decimal, tolerance: Decimal = CENT) -> bool:
    return abs(given - computed) > tolerance


def compute_lines(raw_lines: list[dict[str, Any]]) -> list[Line]:
    errors: dict[str, list[str]] = {}
    lines = []
    for index, raw in enumerate(raw_lines):
        quantity = Decimal(str(raw["quantity"]))
        unit_price = Decimal(str(raw["unit_price"]))
        computed = round_money(quantity * unit_price)
        given = raw.get("amount")
        if given is not None and _differs(Decimal(str(given)), computed):
            errors[f"line_items[{index}].amount"] = [
                f"{given} does not equal quantity × unit price ({quantity} × {unit_price} = {computed})."
            ]
        amount = round_money(Decimal(str(given))) if given is not None else computed
        lines.append(Line(str(raw["description"]), quantity, unit_price, amount))
    if errors:
        raise ValidationError(errors)
    return lines


def compute_totals(
    *,
    lines: list[Line],
    subtotal: Decimal | None = None,
    tax_rate: Decimal | None = None,
    tax_amount: Decimal | None = None,
    total: Decimal | None = None,
) -> Totals:
    """Fill in and cross-check totals. Lines, when present, are the truth for the subtotal."""
    errors: dict[str, list[str]] = {}

    if lines:
        lines_sum = round_money(sum((line.amount for line in lines), Decimal(0)))
        if subtotal is not None and _differs(subtotal, lines_sum):
            errors["totals.subtotal"] = [f"{subtotal} does not equal the sum of the line items ({lines_sum})."]
        subtotal = lines_sum
    elif subtotal is None:
        if total is None:
            raise ValidationError({"line_items": ["Give line items, or at least totals.subtotal or totals.total."]})
        if tax_amount is None and tax_rate is not None:
            subtotal = round_money(total / (1 + tax_rate / 100))
            tax_amount = total - subtotal
        else:
            subtotal = total - (tax_amount or Decimal(0))

    if tax_amount is None:
        tax_amount = round_money(subtotal * tax_rate / 100) if tax_rate is not None else Decimal("0.00")
    elif tax_rate is not None:
        # Tax computed per line can differ from tax on the subtotal by a cent per line.
        expected = round_money(subtotal * tax_rate / 100)
        if _differs(tax_amount, expected, CENT * max(1, len(lines))):
            errors["totals.tax_amount"] = [
                f"{tax_amount} is not {tax_rate}% of the subtotal {subtotal} (expected {expected})."
            ]

    computed_total = round_money(subtotal + tax_amount)
    if total is not None and _differs(total, computed_total):
        errors["totals.total"] = [
            f"{total} does not equal subtotal + tax ({subtotal} + {tax_amount} = {computed_total})."
        ]

    if errors:
        raise ValidationError(errors)
    return Totals(
        subtotal=round_money(subtotal), tax_rate=tax_rate, tax_amount=round_money(tax_amount), total=computed_total
    )
