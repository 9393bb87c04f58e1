"""Dashboard form for a webhook endpoint: URL, description, the events it receives, active."""

from typing import Any

from django import forms

from events.models import EventType
from webhooks.models import ALL_EVENTS, SUBSCRIBABLE_EVENTS, WebhookEndpoint


class EndpointForm(forms.Form):
    url = forms.CharField(
        max_length=2000,
        label="Endpoint URL",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/invoisx"}),
    )
    description = forms.CharField(max_length=500, required=False)
    all_events = forms.BooleanField(required=False, initial=True, label="Every event, including those added later")
    events = forms.MultipleChoiceField(
        choices=[(value, f"{value} — {EventType(value).label}") for value in SUBSCRIBABLE_EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(required=False, initial=True, label="Active: send events to it")

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, data: Any = None) -> "EndpointForm":
        every = ALL_EVENTS in endpoint.event_types
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "all_events": every,
            "events": [] if every else endpoint.event_types,
            "active": endpoint.active,
        }
        return cls(data, initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("all_events"):
            data["event_types"] = [ALL_EVENTS]
        elif data.get("events"):
            data["event_types"] = data["events"]
        else:
            self.add_error("events", "Choose at least one event, or every event.")
        return data
