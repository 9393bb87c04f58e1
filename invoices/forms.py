"""Dashboard forms for invoices: uploading a document and reviewing what was extracted from it."""

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from invoices.issuing.forms import plain
from invoices.models import Invoice
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, clean_currency_field, round_money

LINE_FIELDS = ("description", "quantity", "unit_price", "tax_rate", "amount")


class InvoiceLineForm(forms.Form):
    """One line item of a recorded invoice, as the review page edits it."""

    description = forms.CharField(max_length=1000)
    quantity = forms.DecimalField(max_digits=14, decimal_places=4, initial=1)
    unit_price = forms.DecimalField(max_digits=16, decimal_places=4, label="Unit price")
    tax_rate = forms.DecimalField(
        max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False, label="Tax %"
    )
    amount = forms.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        required=False,
        help_text="Quantity × unit price when left empty",
    )


class BaseInvoiceLineFormSet(BaseFormSet):
    def line_items(self) -> list[dict[str, Any]]:
        """The rows kept (not removed, not left empty), shaped as `invoice_update`'s `line_items`."""
        items = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            item = {name: data.get(name) for name in ("description", "quantity", "unit_price", "amount")}
            if data.get("tax_rate") is not None:
                # A rate of its own makes the line carry its tax (EN 16931): standard rated, or zero rated.
                item["tax_rate"] = data["tax_rate"]
                item["tax_category"] = "S" if data["tax_rate"] > 0 else "Z"
            items.append(item)
        return items


InvoiceLineFormSet = formset_factory(InvoiceLineForm, formset=BaseInvoiceLineFormSet, extra=1, can_delete=True)


def _typed(value: Decimal | None) -> Decimal | None:
    """As a person types it (2, not 2.0000): the form shows it so, and compares it equal to what is posted."""
    return Decimal(plain(value)) if value is not None else None


def line_formset(invoice: Invoice, data: Any = None) -> BaseInvoiceLineFormSet:
    initial = [
        {
            "description": line.description,
            "quantity": _typed(line.quantity),
            "unit_price": _typed(line.unit_price),
            "tax_rate": _typed(line.tax_rate),
            "amount": round_money(line.amount, invoice.currency),
        }
        for line in invoice.lines.all()
    ]
    return InvoiceLineFormSet(data, initial=initial, prefix="lines")  # type: ignore[return-value]


class InvoiceUploadForm(forms.Form):
    file = forms.FileField(help_text="PDF, PNG, JPG, or a UBL / CII e-invoice XML, up to 20 MB.")


class InvoiceReviewForm(forms.Form):
    supplier_name = forms.CharField(max_length=200, required=False, label="Supplier")
    supplier_address = forms.CharField(
        max_length=1000, required=False, label="Address", widget=forms.Textarea(attrs={"rows": 2})
    )
    supplier_tax_id = forms.CharField(max_length=50, required=False, label="Tax id")
    invoice_number = forms.CharField(max_length=100, required=False)
    invoice_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(min_length=3, max_length=3, required=False)
    subtotal = forms.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, required=False)
    tax_rate = forms.DecimalField(max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False)
    tax_amount = forms.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, required=False)
    total = forms.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, required=False)
    notes = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_invoice(cls, invoice: Invoice, data: Any = None) -> "InvoiceReviewForm":
        initial = {
            "supplier_name": invoice.supplier_name,
            "supplier_address": invoice.supplier_address,
            "supplier_tax_id": invoice.supplier_tax_id,
            "invoice_number": invoice.invoice_number,
            "invoice_date": invoice.invoice_date,
            "due_date": invoice.due_date,
            "currency": invoice.currency,
            "subtotal": round_money(invoice.subtotal, invoice.currency),
            # 20, not the column's 20.0000
            "tax_rate": Decimal(format(invoice.tax_rate.normalize(), "f")) if invoice.tax_rate is not None else None,
            "tax_amount": round_money(invoice.tax_amount, invoice.currency),
            "total": round_money(invoice.total, invoice.currency),
            "notes": invoice.notes,
        }
        form = cls(data, initial=initial)
        for name, field in form.fields.items():
            # The page carries the values it showed (`initial-<name>`), and a field counts as changed
            # only when it differs from those: comparing with the invoice as stored now would take a
            # field someone else corrected after this page was loaded for a change, and undo theirs.
            # A post without them (a page from before, a script) is compared with the stored values.
            field.show_hidden_initial = data is None or form.add_initial_prefix(name) in data
        return form

    def clean_currency(self) -> str:
        return clean_currency_field(self.cleaned_data.get("currency") or "")

    def update_fields(self) -> dict[str, Any]:
        """The changed values, shaped as `invoice_update` takes them."""
        changed = set(self.changed_data)
        data = self.cleaned_data
        fields: dict[str, Any] = {}
        if changed & {"supplier_name", "supplier_address", "supplier_tax_id"} and data["supplier_name"]:
            fields["supplier"] = {
                "name": data["supplier_name"],
                "address": data["supplier_address"],
                "tax_id": data["supplier_tax_id"],
            }
        for name in ("invoice_number", "invoice_date", "due_date", "currency", "notes"):
            if name in changed:
                fields[name] = data[name] if data[name] is not None else (None if "date" in name else "")
        totals = {name: data[name] for name in ("subtotal", "tax_rate", "tax_amount", "total") if name in changed}
        if totals:
            # Give every amount the form shows, so the corrected set is checked as a whole.
            fields["totals"] = {name: data[name] for name in ("subtotal", "tax_rate", "tax_amount", "total")}
        return fields
