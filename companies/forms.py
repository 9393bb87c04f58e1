"""The dashboard forms of the company profile and logo, and of Settings › Team; the services do the
validation that matters."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from companies.models import Company
from companies.roles import OWNER_ROLES, ROLES, Role
from companies.services import MAX_LOGO_BYTES, PROFILE_FIELDS
from companies.team import MAX_INVITED_EMAIL_LENGTH


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


class InvitationForm(forms.Form):
    """Settings › Team: invite someone by email with a role; only owners are offered the owner role."""

    email = forms.EmailField(label="Email address", max_length=MAX_INVITED_EMAIL_LENGTH)
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect, initial=Role.ACCOUNTANT)

    def __init__(self, *args: Any, may_invite_owners: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (info.value, info.label) for info in ROLES if may_invite_owners or info.role not in OWNER_ROLES
        ]


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    """The invitee's new password, twice; Django's password validators run in `invitation_accept`."""

    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="The password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return cleaned
