"""Dashboard forms for bank statements and reconciliations."""

from decimal import Decimal

from django import forms

from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class StatementUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, OFX / QFX, MT940, CAMT.053 XML or a text PDF, up to 20 MB.")


class ReconcileForm(forms.Form):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_from", "Must be on or before the end date.")
        return cleaned


class ManualMatchForm(forms.Form):
    transaction = forms.CharField(max_length=40)
    invoice = forms.CharField(max_length=40)
    amount = forms.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, min_value=Decimal("0.001"), required=False
    )
