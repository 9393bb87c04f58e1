"""Webhook endpoints changed at the same time, on PostgreSQL (see `invoisx.tests.races`)."""

from invoisx.tests.races import Race, postgresql  # noqa: F401
from webhooks import services
from webhooks.models import WebhookEndpoint
from webhooks.services import endpoint_rotate_secret, endpoint_update
from webhooks.signing import secret_decrypt
from webhooks.tests.factories import endpoint


def test_two_patches_of_different_fields_both_land(alice, make_client, postgresql, monkeypatch):  # noqa: F811
    created = endpoint(alice, description="ERP")
    one, other = make_client(alice), make_client(alice)
    url = f"/api/v1/webhooks/{created.endpoint.public_id}"
    race = Race(monkeypatch, services, "_clean_event_types")  # the first has its endpoint locked

    first, second = race.run(
        lambda: one.patch(url, {"url": created.endpoint.url, "events": ["invoice.paid"]}, format="json"),
        lambda: other.patch(url, {"url": created.endpoint.url, "active": False}, format="json"),
    )

    assert (first.status_code, second.status_code) == (200, 200), (first.content, second.content)
    assert race.second_waited_for_lock
    stored = WebhookEndpoint.objects.get(pk=created.endpoint.pk)
    assert (stored.event_types, stored.active, stored.description) == (["invoice.paid"], False, "ERP")


def test_a_change_made_while_the_secret_is_rotated_keeps_the_new_secret(alice, postgresql, monkeypatch):  # noqa: F811
    created = endpoint(alice)
    stale = WebhookEndpoint.objects.get(pk=created.endpoint.pk)
    race = Race(monkeypatch, services, "secret_encrypt")  # the first has its new secret, not yet saved

    first, second = race.run(
        lambda: endpoint_rotate_secret(endpoint=WebhookEndpoint.objects.get(pk=stale.pk)),
        lambda: endpoint_update(endpoint=stale, active=False),
    )

    assert race.second_waited_for_lock
    stored = WebhookEndpoint.objects.get(pk=stale.pk)
    assert secret_decrypt(stored.secret_encrypted) == first.secret
    assert stored.active is False
    assert second.secret_encrypted == stored.secret_encrypted


def test_of_two_rotations_at_once_the_later_secret_is_stored_and_shown_last(alice, postgresql, monkeypatch):  # noqa: F811
    created = endpoint(alice)
    race = Race(monkeypatch, services, "secret_encrypt")

    first, second = race.run(
        lambda: endpoint_rotate_secret(endpoint=created.endpoint),
        lambda: endpoint_rotate_secret(endpoint=created.endpoint),
    )

    assert race.second_waited_for_lock
    assert secret_decrypt(WebhookEndpoint.objects.get(pk=created.endpoint.pk).secret_encrypted) == second.secret
    assert first.secret != second.secret
