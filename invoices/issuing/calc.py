"""The EN 16931 arithmetic of an invoice: line net amounts, allowances and charges, tax per category, totals.

Amounts are rounded to the currency's minor unit at each step the standard names, then summed, so
every BR-CO rule holds exactly on the rounded figures an e-invoice carries:

- BR-CO-10  sum of line net amounts            = Σ line net amounts (BT-131)
- BR-CO-11  sum of allowances on document level = Σ document allowances (BT-92)
- BR-CO-12  sum of charges on document level    = Σ document charges (BT-99)
- BR-CO-13  invoice total without tax           = lines − allowances + charges
- BR-CO-14  invoice total tax                   = Σ tax per category (BT-117)
- BR-CO-15  invoice total with tax              = total without tax + total tax
- BR-CO-16  amount due                          = total with tax − paid amount + rounding
- BR-CO-17  tax per category                    = taxable amount × rate / 100, rounded

A line's net amount is quantity × unit price, rounded, less its allowance plus its charge.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from invoisx.money import round_money

ZERO = Decimal(0)


class TaxCategory:
    """UNCL 5305 duty/tax/fee category codes as EN 16931 uses them."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"

    CHOICES = (
        (STANDARD, "Standard rate"),
        (ZERO_RATED, "Zero rated"),
        (EXEMPT, "Exempt from tax"),
        (REVERSE_CHARGE, "Reverse charge"),
        (INTRA_COMMUNITY, "Intra-community supply (EEA, tax not charged)"),
        (EXPORT, "Export outside the EU (free export, tax not charged)"),
        (NOT_SUBJECT, "Outside the scope of tax"),
    )
    CODES = tuple(code for code, _ in CHOICES)
    # Categories whose rate is always 0; O carries no rate at all (BR-O-05).
    ZERO_RATE = frozenset({ZERO_RATED, EXEMPT, REVERSE_CHARGE, INTRA_COMMUNITY, EXPORT})
    # Categories whose tax breakdown must say why no tax is charged (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10).
    NEEDS_EXEMPTION_REASON = frozenset({EXEMPT, REVERSE_CHARGE, INTRA_COMMUNITY, EXPORT, NOT_SUBJECT})
    # The reason printed when a line does not give its own; E has none: the law that exempts it must be named.
    DEFAULT_EXEMPTION_REASONS = {
        REVERSE_CHARGE: "Reverse charge",
        INTRA_COMMUNITY: "Intra-community supply",
        EXPORT: "Export outside the EU",
        NOT_SUBJECT: "Not subject to VAT",
    }


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_category: str = TaxCategory.STANDARD
    tax_rate: Decimal | None = None
    tax_exemption_reason: str = ""
    unit: str = "C62"
    discount_amount: Decimal = ZERO
    discount_reason: str = ""
    charge_amount: Decimal = ZERO
    charge_reason: str = ""


@dataclass(frozen=True)
class AllowanceChargeInput:
    """A document-level allowance (discount) or charge (BG-20 / BG-21)."""

    is_charge: bool
    amount: Decimal
    reason: str
    tax_category: str = TaxCategory.STANDARD
    tax_rate: Decimal | None = None


@dataclass(frozen=True)
class ComputedLine:
    source: LineInput
    gross_amount: Decimal  # quantity × unit price, rounded
    net_amount: Decimal  # BT-131


@dataclass(frozen=True)
class TaxSubtotal:
    """One row of the tax breakdown (BG-23)."""

    category: str
    rate: Decimal | None
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str  # BT-120


@dataclass(frozen=True)
class Computed:
    currency: str
    lines: list[ComputedLine]
    allowances_charges: list[AllowanceChargeInput]
    taxes: list[TaxSubtotal]
    line_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    paid: Decimal  # BT-113
    payable: Decimal  # BT-115
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def single_rate(self) -> Decimal | None:
        """The one tax rate of the whole invoice, or None when it has several (or none)."""
        rates = {tax.rate for tax in self.taxes}
        return rates.pop() if len(rates) == 1 else None


def effective_rate(category: str, rate: Decimal | None) -> Decimal | None:
    """The rate a category carries: 0 for the zero-rate categories, none for O, the given one for S."""
    if category == TaxCategory.NOT_SUBJECT:
        return None
    if category in TaxCategory.ZERO_RATE:
        return ZERO
    return rate


def line_problems(line: LineInput, *, prefix: str) -> dict[str, list[str]]:
    """What EN 16931 forbids in one line's tax fields, keyed by field path (`line_items[2].tax_rate`)."""
    problems: dict[str, list[str]] = {}
    if line.tax_category not in TaxCategory.CODES:
        problems[f"{prefix}.tax_category"] = [f"Must be one of {', '.join(TaxCategory.CODES)}."]
        return problems
    if line.tax_category == TaxCategory.STANDARD and (line.tax_rate is None or line.tax_rate <= 0):
        problems[f"{prefix}.tax_rate"] = ["A standard-rated line (S) needs a tax rate above 0 (BR-S-05)."]
    if line.tax_category in TaxCategory.ZERO_RATE and line.tax_rate not in (None, ZERO):
        problems[f"{prefix}.tax_rate"] = [f"Category {line.tax_category} is charged at 0%, not {line.tax_rate}%."]
    if line.tax_category == TaxCategory.NOT_SUBJECT and line.tax_rate not in (None, ZERO):
        problems[f"{prefix}.tax_rate"] = ["A line outside the scope of tax (O) has no tax rate (BR-O-05)."]
    if line.discount_amount < 0 or line.charge_amount < 0:
        problems[f"{prefix}.discount_amount"] = ["Discounts and charges are positive amounts."]
    return problems


def compute(
    *,
    currency: str,
    lines: Sequence[LineInput],
    allowances_charges: Sequence[AllowanceChargeInput] = (),
    paid: Decimal = ZERO,
) -> Computed:
    """Compute every amount of the invoice. `problems` names each field that breaks a tax rule."""
    problems: dict[str, list[str]] = {}

    def money(value: Decimal) -> Decimal:
        return round_money(value, currency)

    computed_lines = []
    for index, line in enumerate(lines):
        problems |= line_problems(line, prefix=f"line_items[{index}]")
        gross = money(line.quantity * line.unit_price)
        net = gross - money(line.discount_amount) + money(line.charge_amount)
        computed_lines.append(ComputedLine(source=line, gross_amount=gross, net_amount=net))
    for index, item in enumerate(allowances_charges):
        name = "charges" if item.is_charge else "discounts"
        if item.amount <= 0:
            problems[f"{name}[{index}].amount"] = ["Must be above 0."]
        if not item.reason.strip():
            problems[f"{name}[{index}].reason"] = ["Say what the discount or charge is for (BR-33 / BR-38)."]

    groups: dict[tuple[str, Decimal | None], Decimal] = {}
    reasons: dict[tuple[str, Decimal | None], str] = {}
    for computed_line in computed_lines:
        line = computed_line.source
        key = (line.tax_category, effective_rate(line.tax_category, line.tax_rate))
        groups[key] = groups.get(key, ZERO) + computed_line.net_amount
        if line.tax_exemption_reason and not reasons.get(key):
            reasons[key] = line.tax_exemption_reason.strip()
    for item in allowances_charges:
        key = (item.tax_category, effective_rate(item.tax_category, item.tax_rate))
        groups[key] = groups.get(key, ZERO) + (money(item.amount) if item.is_charge else -money(item.amount))

    taxes = []
    for (category, rate), base in groups.items():
        reason = reasons.get((category, rate)) or TaxCategory.DEFAULT_EXEMPTION_REASONS.get(category, "")
        if category == TaxCategory.EXEMPT and not reason:
            index = next(i for i, line in enumerate(lines) if line.tax_category == TaxCategory.EXEMPT)
            problems[f"line_items[{index}].tax_exemption_reason"] = [
                "An exempt line (E) must say why: name the exemption (BR-E-10)."
            ]
        tax = money(base * (rate or ZERO) / 100)
        taxes.append(TaxSubtotal(category, rate, base, tax, reason if category != TaxCategory.STANDARD else ""))
    categories = {tax.category for tax in taxes}
    if TaxCategory.NOT_SUBJECT in categories and len(categories) > 1:
        problems["line_items"] = [
            "An invoice with lines outside the scope of tax (O) cannot also have taxed lines (BR-O-11)."
        ]

    line_total = sum((line.net_amount for line in computed_lines), ZERO)
    allowance_total = sum((money(i.amount) for i in allowances_charges if not i.is_charge), ZERO)
    charge_total = sum((money(i.amount) for i in allowances_charges if i.is_charge), ZERO)
    tax_exclusive = line_total - allowance_total + charge_total
    tax_total = sum((tax.tax_amount for tax in taxes), ZERO)
    tax_inclusive = tax_exclusive + tax_total
    return Computed(
        currency=currency,
        lines=computed_lines,
        allowances_charges=list(allowances_charges),
        taxes=taxes,
        line_total=money(line_total),
        allowance_total=money(allowance_total),
        charge_total=money(charge_total),
        tax_exclusive=money(tax_exclusive),
        tax_total=money(tax_total),
        tax_inclusive=money(tax_inclusive),
        paid=money(paid),
        payable=money(tax_inclusive - paid),
        problems=problems,
    )
