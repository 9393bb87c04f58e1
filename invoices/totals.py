"""Invoice arithmetic: line amounts, subtotal, tax and total, computed and cross-checked.

Given what the caller sent (lines and any totals), compute what is missing and check what is not.
A total that disagrees with its parts by more than rounding allows is an error naming the field.
Every amount is rounded, and every tolerance is counted, in the currency's minor unit (`invoisx.money`):
a yen for JPY, a cent for EUR, a fils for BHD.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from invoisx.money import largest_amount, round_money, smallest_amount


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


def _differs(given: Decimal, computed: Decimal, tolerance: Decimal) -> bool:
    return abs(given - computed) > tolerance


def _too_large(amount: Decimal) -> list[str]:
    return [f"{amount} is too large: amounts must be less than {largest_amount():,f}."]


def compute_lines(raw_lines: list[dict[str, Any]], *, currency: str) -> list[Line]:
    errors: dict[str, list[str]] = {}
    unit = smallest_amount(currency)
    lines = []
    for index, raw in enumerate(raw_lines):
        quantity = Decimal(str(raw["quantity"]))
        unit_price = Decimal(str(raw["unit_price"]))
        computed = round_money(quantity * unit_price, currency)
        given = raw.get("amount")
        if given is not None and _differs(Decimal(str(given)), computed, unit):
            errors[f"line_items[{index}].amount"] = [
                f"{given} does not equal quantity × unit price ({quantity} × {unit_price} = {computed})."
            ]
        amount = round_money(Decimal(str(given)), currency) if given is not None else computed
        if abs(amount) >= largest_amount():
            errors[f"line_items[{index}].amount"] = _too_large(amount)
        lines.append(Line(str(raw["description"]), quantity, unit_price, amount))
    if errors:
        raise ValidationError(errors)
    return lines


def compute_totals(
    *,
    currency: str,
    lines: list[Line],
    subtotal: Decimal | None = None,
    tax_rate: Decimal | None = None,
    tax_amount: Decimal | None = None,
    total: Decimal | None = None,
) -> Totals:
    """Fill in and cross-check totals. Lines, when present, are the truth for the subtotal."""
    errors: dict[str, list[str]] = {}
    unit = smallest_amount(currency)

    def rounded(value: Decimal) -> Decimal:
        return round_money(value, currency)

    if lines:
        lines_sum = rounded(sum((line.amount for line in lines), Decimal(0)))
        if subtotal is not None and _differs(subtotal, lines_sum, unit):
            errors["totals.subtotal"] = [f"{subtotal} does not equal the sum of the line items ({lines_sum})."]
        subtotal = lines_sum
    elif subtotal is None:
        if total is None:
            raise ValidationError({"line_items": ["Give line items, or at least totals.subtotal or totals.total."]})
        if tax_amount is None and tax_rate is not None:
            subtotal = rounded(total / (1 + tax_rate / 100))
            tax_amount = total - subtotal
        else:
            subtotal = total - (tax_amount or Decimal(0))

    if tax_amount is None:
        tax_amount = rounded(subtotal * tax_rate / 100) if tax_rate is not None else Decimal(0)
    elif tax_rate is not None:
        # Tax computed per line can differ from tax on the subtotal by a minor unit (a cent) per line.
        expected = rounded(subtotal * tax_rate / 100)
        if _differs(tax_amount, expected, unit * max(1, len(lines))):
            errors["totals.tax_amount"] = [
                f"{tax_amount} is not {tax_rate}% of the subtotal {subtotal} (expected {expected})."
            ]

    computed_total = rounded(subtotal + tax_amount)
    if total is not None and _differs(total, computed_total, unit):
        errors["totals.total"] = [
            f"{total} does not equal subtotal + tax ({subtotal} + {tax_amount} = {computed_total})."
        ]
    if errors:
        raise ValidationError(errors)

    result = Totals(subtotal=rounded(subtotal), tax_rate=tax_rate, tax_amount=rounded(tax_amount), total=computed_total)
    for name in ("subtotal", "tax_amount", "total"):
        if abs(getattr(result, name)) >= largest_amount():
            errors[f"totals.{name}"] = _too_large(getattr(result, name))
    if errors:
        raise ValidationError(errors)
    return result
