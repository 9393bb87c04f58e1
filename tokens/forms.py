"""The dashboard's Create Token form (seed 000): name, expiry, and permissions or fine scopes."""

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from tokens.scopes import SCOPES, SIMPLE_PERMISSIONS, scopes_for_permissions

EXPIRY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year (recommended)"),
    ("custom", "Custom date"),
    ("never", "No expiration"),
]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Production Integration", "autofocus": True}),
    )
    expiration = forms.ChoiceField(choices=EXPIRY_CHOICES, initial="365")
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    permissions = forms.MultipleChoiceField(
        choices=[(name, name.capitalize()) for name in SIMPLE_PERMISSIONS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scopes = forms.MultipleChoiceField(
        choices=[(scope, f"{scope} — {text}") for scope, text in SCOPES.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_test = forms.BooleanField(required=False, label="Test token (sk_test_): usage is not counted")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        granted = set(scopes_for_permissions(data.get("permissions") or [])) | set(data.get("scopes") or [])
        if not granted:
            raise forms.ValidationError("Select at least one permission or scope.")
        data["granted_scopes"] = sorted(granted)
        data["expires_at"] = self._expires_at(data)
        return data

    def _expires_at(self, data: dict[str, Any]) -> datetime | None:
        choice = data.get("expiration")
        if choice == "never":
            return None
        if choice == "custom":
            day = data.get("expires_on")
            if day is None:
                self.add_error("expires_on", "Choose the expiry date.")
                return None
            if day <= timezone.localdate():
                self.add_error("expires_on", "The expiry date must be in the future.")
                return None
            return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())
        return timezone.now() + timedelta(days=int(choice or 365))
