"""Forms of the account pages and of the login's second step."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from accounts.services import two_factor_enabled


class ProfileForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="Email", max_length=254, required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
    )


class DisableForm(forms.Form):
    code = forms.CharField(label="A code from the app, or a recovery code", max_length=32, required=False)
    password = forms.CharField(
        label="Or your password",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecondStepAwareAdminAuthenticationForm(AdminAuthenticationForm):
    """Django admin's login, refusing accounts that have two-factor login on: they log in on the
    dashboard's login page (password, then code) and open the admin from there."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if two_factor_enabled(user=user):
            raise ValidationError(
                "This account uses two-factor login: log in on the dashboard's login page, then open the admin.",
                code="two_factor",
            )
