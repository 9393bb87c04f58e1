"""A token revoked while it is being used, on PostgreSQL (see `invoisx.tests.races`)."""

from invoisx.tests.races import Race, postgresql  # noqa: F401
from tokens.models import ApiToken
from tokens.scopes import ALL_SCOPES
from tokens.services import token_issue, token_revoke, token_touch


def test_a_token_used_while_it_is_revoked_stays_revoked_and_keeps_its_use(alice, postgresql, monkeypatch):  # noqa: F811
    token = token_issue(company=alice, name="ERP", scopes=list(ALL_SCOPES)).token
    in_use = ApiToken.objects.get(pk=token.pk)  # as the request authenticated it, before the revocation
    race = Race(monkeypatch, ApiToken, "save")  # the revocation is written, not yet committed

    first, second = race.run(
        lambda: token_revoke(token=ApiToken.objects.get(pk=token.pk)),
        lambda: token_touch(token=in_use, precision_seconds=0),
    )

    assert second is None  # the use was recorded, after waiting
    assert race.second_waited_for_lock
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.revoked_at == first.revoked_at is not None
    assert stored.last_used_at == in_use.last_used_at is not None
    assert not stored.is_active


def test_of_two_revocations_at_once_the_first_time_is_kept(alice, postgresql, monkeypatch):  # noqa: F811
    token = token_issue(company=alice, name="ERP", scopes=list(ALL_SCOPES)).token
    race = Race(monkeypatch, ApiToken, "save")

    first, second = race.run(
        lambda: token_revoke(token=ApiToken.objects.get(pk=token.pk)),
        lambda: token_revoke(token=ApiToken.objects.get(pk=token.pk)),
    )

    assert race.second_waited_for_lock
    assert first.revoked_at == second.revoked_at == ApiToken.objects.get(pk=token.pk).revoked_at
