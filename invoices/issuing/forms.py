"""Dashboard forms for sales invoices issued here: the draft editor (header, lines, document discounts
and charges) and the forms of the actions on an issued invoice (send, credit note, void).

The editor's forms only check what each field is; the EN 16931 arithmetic and rules are the
services' (`invoice_create`, `invoice_update`, `invoice_issue`), whose errors name fields as
`line_items[1].tax_rate` or `discounts[0].reason`: `EditorForms.add_service_errors` puts each one
next to the input it names.
"""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.forms import formset_factory

from buyers.models import Buyer
from companies.models import Company
from invoices.issuing.calc import TaxCategory
from invoices.models import Invoice, Language, PaperSize
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, clean_currency_field

# Common UN/ECE Recommendation 20 unit codes, offered as suggestions; any valid code is accepted.
UNIT_SUGGESTIONS = (
    ("C62", "one (piece)"),
    ("H87", "piece"),
    ("HUR", "hour"),
    ("DAY", "day"),
    ("MON", "month"),
    ("ANN", "year"),
    ("KGM", "kilogram"),
    ("MTR", "metre"),
    ("LTR", "litre"),
    ("E48", "service unit"),
    ("LS", "lump sum"),
)
CATEGORY_CHOICES = [(code, f"{code} · {label}") for code, label in TaxCategory.CHOICES]
# A service error's field path: `line_items[2].tax_rate`, `discounts[0].amount`, `line_items`.
ITEM_PATH = re.compile(r"^(line_items|discounts|charges)(?:\[(\d+)\](?:\.(\w+))?)?$")
# Header fields the services name differently from the form.
HEADER_ALIASES = {"buyer_id": "buyer", "totals.total": None, "totals.subtotal": None, "series_id": None}


def plain(value: Decimal | None) -> str:
    """A decimal as a person types it: 2, 0.5, 19 (not 2.0000 or 1.9E+1)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


class MoneyField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)


class InvoiceHeaderForm(forms.Form):
    buyer = forms.ModelChoiceField(queryset=Buyer.objects.none(), empty_label="Choose a buyer")
    currency = forms.CharField(min_length=3, max_length=3, widget=forms.TextInput(attrs={"size": 4}))
    invoice_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to date it the day it is issued.",
    )
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the company's payment terms.",
    )
    delivery_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(choices=[("", "The company's language"), *Language.choices], required=False)
    paper_size = forms.ChoiceField(choices=PaperSize.choices, initial=PaperSize.A4)
    buyer_reference = forms.CharField(max_length=200, required=False, label="Buyer reference")
    purchase_order = forms.CharField(max_length=200, required=False, label="Purchase order")
    notes = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buyer_field = self.fields["buyer"]
        assert isinstance(buyer_field, forms.ModelChoiceField)
        buyer_field.queryset = Buyer.objects.filter(company=company)
        buyer_field.to_field_name = "public_id"

    def clean_currency(self) -> str:
        return clean_currency_field(self.cleaned_data.get("currency") or "")

    @classmethod
    def initial_for(cls, invoice: Invoice | None, company: Company) -> dict[str, Any]:
        if invoice is None:
            return {"currency": company.default_currency or "EUR", "paper_size": PaperSize.A4}
        return {
            "buyer": invoice.buyer.public_id if invoice.buyer else None,
            "currency": invoice.currency,
            "invoice_date": invoice.invoice_date,
            "due_date": invoice.due_date,
            "delivery_date": invoice.delivery_date,
            "language": invoice.language,
            "paper_size": invoice.paper_size,
            "buyer_reference": invoice.buyer_reference,
            "purchase_order": invoice.purchase_order,
            "notes": invoice.notes,
        }


class LineForm(forms.Form):
    description = forms.CharField(max_length=1000)
    quantity = forms.DecimalField(
        max_digits=14,
        decimal_places=4,
        initial=Decimal(1),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6}),
    )
    unit = forms.CharField(
        max_length=3, required=False, initial="C62", widget=forms.TextInput(attrs={"list": "unit-codes", "size": 4})
    )
    unit_price = forms.DecimalField(
        max_digits=16,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 9}),
    )
    discount_amount = MoneyField(required=False, min_value=0, label="Discount")
    discount_reason = forms.CharField(max_length=200, required=False)
    tax_category = forms.ChoiceField(choices=CATEGORY_CHOICES, initial=TaxCategory.STANDARD, label="Tax")
    tax_rate = forms.DecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        required=False,
        label="Rate %",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 5}),
    )
    tax_exemption_reason = forms.CharField(max_length=300, required=False, label="Exemption reason")

    def line_item(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "description": data["description"].strip(),
            "quantity": data["quantity"],
            "unit_price": data["unit_price"],
            "unit": (data["unit"] or "C62").strip().upper(),
            "discount_amount": data["discount_amount"] or Decimal(0),
            "discount_reason": data["discount_reason"].strip(),
            "tax_category": data["tax_category"],
            "tax_rate": data["tax_rate"],
            "tax_exemption_reason": data["tax_exemption_reason"].strip(),
        }


class AllowanceChargeForm(forms.Form):
    kind = forms.ChoiceField(choices=[("discount", "Discount"), ("charge", "Charge")], initial="discount")
    amount = MoneyField()
    reason = forms.CharField(max_length=200)
    tax_category = forms.ChoiceField(choices=CATEGORY_CHOICES, initial=TaxCategory.STANDARD, label="Tax")
    tax_rate = forms.DecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        required=False,
        label="Rate %",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 5}),
    )

    def item(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "reason": data["reason"].strip(),
            "tax_category": data["tax_category"],
            "tax_rate": data["tax_rate"],
        }


# Every row may be left blank (the rows the page offers and the user did not fill are skipped);
# a row is checked once anything in it differs from a fresh row.
LineFormSet = formset_factory(LineForm, extra=0, max_num=500, validate_max=True)
AllowanceChargeFormSet = formset_factory(AllowanceChargeForm, extra=0, max_num=50, validate_max=True)


class EditorForms:
    """The editor's header form and its two formsets, bound or unbound, as one."""

    def __init__(self, *, company: Company, invoice: Invoice | None = None, data: Any = None) -> None:
        self.company = company
        blank = {"empty_permitted": True, "use_required_attribute": False}
        self.header = InvoiceHeaderForm(data, company=company, initial=InvoiceHeaderForm.initial_for(invoice, company))
        if data is not None:
            self.lines = LineFormSet(data, prefix="lines", form_kwargs=blank)
            self.items = AllowanceChargeFormSet(data, prefix="items", form_kwargs=blank)
        else:
            lines = [self._line_initial(line) for line in invoice.lines.all()] if invoice else []
            items = [self._item_initial(item) for item in invoice.allowances_charges.all()] if invoice else []
            self.lines = LineFormSet(initial=lines or [{}], prefix="lines", form_kwargs=blank)
            self.items = AllowanceChargeFormSet(initial=items, prefix="items", form_kwargs=blank)
        # Which editor row each of the service's `discounts[i]` and `charges[i]` came from.
        self._item_rows: dict[tuple[str, int], int] = {}
        self._line_rows: list[int] = []
        self.errors: list[str] = []

    @staticmethod
    def _line_initial(line: Any) -> dict[str, Any]:
        return {
            "description": line.description,
            "quantity": plain(line.quantity),
            "unit": line.unit or "C62",
            "unit_price": plain(line.unit_price),
            "discount_amount": plain(line.discount_amount) if line.discount_amount else "",
            "discount_reason": line.discount_reason,
            "tax_category": line.tax_category or TaxCategory.STANDARD,
            "tax_rate": plain(line.tax_rate),
            "tax_exemption_reason": line.tax_exemption_reason,
        }

    @staticmethod
    def _item_initial(item: Any) -> dict[str, Any]:
        return {
            "kind": "charge" if item.is_charge else "discount",
            "amount": plain(item.amount),
            "reason": item.reason,
            "tax_category": item.tax_category,
            "tax_rate": plain(item.tax_rate),
        }

    def is_valid(self) -> bool:
        valid = all([self.header.is_valid(), self.lines.is_valid(), self.items.is_valid()])
        if valid and not self._filled(self.lines):
            self.errors.append("Add at least one line.")
            return False
        return valid

    @staticmethod
    def _filled(formset: Any) -> list[tuple[int, Any]]:
        return [(row, form) for row, form in enumerate(formset.forms) if form.has_changed() and form.cleaned_data]

    def fields(self) -> dict[str, Any]:
        """The draft's fields as `invoice_create` / `invoice_update` take them."""
        data = self.header.cleaned_data
        filled_lines = self._filled(self.lines)
        self._line_rows = [row for row, _ in filled_lines]
        discounts: list[dict[str, Any]] = []
        charges: list[dict[str, Any]] = []
        for row, form in self._filled(self.items):
            target, name = (charges, "charges") if form.cleaned_data["kind"] == "charge" else (discounts, "discounts")
            self._item_rows[(name, len(target))] = row
            target.append(form.item())
        return {
            "buyer": data["buyer"],
            "currency": data["currency"],
            "invoice_date": data["invoice_date"],
            "due_date": data["due_date"],
            "delivery_date": data["delivery_date"],
            "language": data["language"] or None,
            "paper_size": data["paper_size"],
            "buyer_reference": data["buyer_reference"].strip(),
            "purchase_order": data["purchase_order"].strip(),
            "notes": data["notes"].strip(),
            "line_items": [form.line_item() for _, form in filled_lines],
            "discounts": discounts,
            "charges": charges,
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put each of a service's errors next to the input it names; what names none goes on top."""
        for path, messages in errors.items():
            match = ITEM_PATH.match(path)
            if match:
                kind, index, name = match.group(1), match.group(2), match.group(3)
                form = self._row_form(kind, int(index)) if index is not None else None
                if form is not None and name in form.fields:
                    form.add_error(name, messages)
                elif form is not None:
                    form.add_error(None, messages)
                else:
                    self.errors.extend(messages)
                continue
            name = HEADER_ALIASES.get(path, path)
            if name and name in self.header.fields:
                self.header.add_error(name, messages)
            else:
                self.errors.extend(messages)

    def _row_form(self, kind: str, index: int) -> forms.Form | None:
        if kind == "line_items":
            rows = self._line_rows or list(range(len(self.lines.forms)))
            return self.lines.forms[rows[index]] if index < len(rows) else None
        row = self._item_rows.get((kind, index))
        return self.items.forms[row] if row is not None else None


def email_list(value: str) -> list[str]:
    """Addresses separated by commas, semicolons or spaces, each checked."""
    addresses = [part.strip() for part in re.split(r"[,;\s]+", value or "") if part.strip()]
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(f"{address} is not an email address.") from None
    if len(addresses) > 10:
        raise ValidationError("At most 10 addresses.")
    return addresses


class SendForm(forms.Form):
    to = forms.CharField(max_length=2000, label="To", help_text="Separate several addresses with commas.")
    cc = forms.CharField(max_length=2000, required=False, label="CC")

    def clean_to(self) -> list[str]:
        return email_list(self.cleaned_data["to"])

    def clean_cc(self) -> list[str]:
        return email_list(self.cleaned_data["cc"])


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), help_text="What it corrects; printed on it."
    )
    scope = forms.ChoiceField(
        choices=[("all", "The whole invoice"), ("lines", "The lines chosen below")],
        initial="all",
        widget=forms.RadioSelect,
        label="Credit",
    )
    lines = forms.TypedMultipleChoiceField(
        choices=[], coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Lines"
    )
    issue = forms.BooleanField(required=False, label="Issue it at once (otherwise it is kept as a draft)")

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lines_field = self.fields["lines"]
        assert isinstance(lines_field, forms.TypedMultipleChoiceField)
        lines_field.choices = [(line.position, line.description) for line in invoice.lines.all()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "lines" and not data.get("lines"):
            self.add_error("lines", "Choose the lines to credit.")
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept with the invoice."
    )
    confirm = forms.BooleanField(
        label="I understand the invoice keeps its number and can no longer be sent or paid.",
    )
