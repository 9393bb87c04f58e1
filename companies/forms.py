"""The dashboard forms of the company profile and logo; the services do the validation that matters."""

from django import forms

from companies.models import Company
from companies.services import MAX_LOGO_BYTES, PROFILE_FIELDS


class CompanyProfileForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = list(PROFILE_FIELDS)
        labels = {
            "tax_id": "Tax id (VAT, GST, SST or TIN)",
            "iban": "IBAN",
            "bic": "BIC",
            "address_line1": "Address line 1",
            "address_line2": "Address line 2",
            "country": "Country (ISO code, e.g. MY)",
            "default_currency": "Default currency (ISO code, e.g. MYR)",
            "payment_terms_days": "Payment terms (days)",
        }

    def __init__(self, *args: object, read_only: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if read_only:
            for field in self.fields.values():
                field.disabled = True


class CompanyLogoForm(forms.Form):
    logo = forms.FileField(
        label="Logo",
        help_text="A PNG or JPEG image, at most 1 MB",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def clean_logo(self) -> object:
        logo = self.cleaned_data["logo"]
        if logo.size is not None and logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError("The logo must be at most 1 MB.")
        return logo
