"""The dashboard form of a buyer; `buyer_create` / `buyer_update` do the validation that matters."""

from django import forms

from buyers.models import Buyer
from buyers.services import EDITABLE_FIELDS


class BuyerForm(forms.ModelForm):
    class Meta:
        model = Buyer
        fields = list(EDITABLE_FIELDS)
        labels = {
            "tax_id": "Tax id (VAT, GST, SST or TIN)",
            "address_line1": "Address line 1",
            "address_line2": "Address line 2",
            "country": "Country (ISO code, e.g. MY)",
            "wants_ubl": "Email the UBL e-invoice with the PDF",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
