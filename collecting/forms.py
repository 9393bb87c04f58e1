"""Forms of collecting's pages: a collector's credential form, built from its declared params, and the
dashboard's user and settings forms.

The credential form is only rendered: the page's script sends what the user typed to the JSON API
(`POST /api/v1/credential`), where the collector checks it (`Collector.clean_params`).
"""

from typing import Any

from django import forms

from collecting.collectors.base import Collector, Param
from collecting.models import Locale
from webhooks.destinations import UnsafeDestination, url_check


def _param_field(param: Param, locale: str) -> forms.Field:
    described = param.describe(locale)
    attrs: dict[str, Any] = {"data-param": param.name, "data-type": param.type}
    if described["placeholder"]:
        attrs["placeholder"] = described["placeholder"]
    if param.secret:
        attrs["autocomplete"] = "new-password" if param.type == "password" else "off"
    # A secret is never written into the page, not even the collector's default for it.
    initial = None if param.secret else param.default
    options: dict[str, Any] = {"label": described["label"], "required": param.mandatory, "initial": initial}
    field: forms.Field
    if param.type == "password":
        field = forms.CharField(widget=forms.PasswordInput(attrs=attrs, render_value=False), **options)
    elif param.type == "number":
        field = forms.IntegerField(min_value=0, widget=forms.NumberInput(attrs=attrs), **options)
    elif param.type == "boolean":
        options["required"] = False  # an unticked box is an answer: false
        field = forms.BooleanField(widget=forms.CheckboxInput(attrs=attrs), **options)
    elif param.type == "select":
        choices = [(choice["value"], choice["label"]) for choice in described["choices"]]
        if not param.mandatory or param.default is None:
            choices.insert(0, ("", "—"))
        field = forms.ChoiceField(choices=choices, widget=forms.Select(attrs=attrs), **options)
    elif param.type == "textarea":
        field = forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 4}), **options)
    else:
        field = forms.CharField(widget=forms.TextInput(attrs=attrs), **options)
    return field


class CredentialForm(forms.Form):
    """A collector's params as form fields; `secret_fields` names those whose value is a secret."""

    secret_fields: frozenset[str] = frozenset()


def credential_form(*, collector: Collector, locale: str) -> CredentialForm:
    """The form of one collector's params, in one locale. Its fields are prefixed with the collector's
    key, so that the forms of every collector fit on one page; each widget names its param
    (`data-param`) and type (`data-type`) for the script that sends them."""
    form = CredentialForm(prefix=collector.key, auto_id="id_%s")
    for param in collector.params:
        form.fields[param.name] = _param_field(param, locale)
    form.secret_fields = frozenset(param.name for param in collector.params if param.secret)
    return form


class CollectorUserForm(forms.Form):
    remote_id = forms.CharField(
        max_length=200, label="Remote id", help_text="The user's id in your own product (seed 003's remote_id)."
    )
    locale = forms.ChoiceField(choices=Locale.choices, initial=Locale.EN, label="Language of the credential page")
    email = forms.EmailField(required=False)


class CollectingSettingsForm(forms.Form):
    callback = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label="Callback URL",
        help_text="Each collected invoice is POSTed here, signed like a webhook.",
        widget=forms.URLInput(attrs={"placeholder": "https://app.example.com/invoisx/callback"}),
    )
    frame_ancestors = forms.CharField(
        max_length=500,
        required=False,
        label="Origins that may embed the credential page",
        help_text="One origin per line, such as https://app.example.com. Empty: no site may embed it.",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://app.example.com"}),
    )

    def clean_callback(self) -> str:
        url: str = self.cleaned_data.get("callback") or ""
        if url:
            try:
                url_check(url)
            except UnsafeDestination as error:
                raise forms.ValidationError(str(error)) from None
        return url
