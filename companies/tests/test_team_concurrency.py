"""The last owner, kept when two owners are demoted or removed at the same time (PostgreSQL row locks,
see `invoisx.tests.races`): the second change waits for the first and then finds no other owner."""

from companies import team
from companies.models import Membership, Role
from companies.team import membership_remove, membership_role_change
from companies.tests.factories import MembershipFactory
from invoisx.errors import CONFLICT, DomainError
from invoisx.tests.races import Race, postgresql  # noqa: F401


def test_two_concurrent_demotions_leave_one_owner(alice, postgresql, monkeypatch):  # noqa: F811
    one, other = (MembershipFactory.create(company=alice, role=Role.OWNER) for _ in range(2))
    race = Race(monkeypatch, team, "_lock_owners")

    first, second = race.run(
        lambda: membership_role_change(membership=one, role=Role.ADMIN),
        lambda: membership_role_change(membership=other, role=Role.VIEWER),
    )

    assert isinstance(first, Membership)
    assert isinstance(second, DomainError)
    assert second.code == CONFLICT
    assert race.second_waited_for_lock
    assert list(Membership.objects.filter(company=alice, role=Role.OWNER)) == [other]


def test_a_demotion_and_a_removal_at_once_leave_one_owner(alice, postgresql, monkeypatch):  # noqa: F811
    one, other = (MembershipFactory.create(company=alice, role=Role.OWNER) for _ in range(2))
    race = Race(monkeypatch, team, "_lock_owners")

    first, second = race.run(
        lambda: membership_remove(membership=one),
        lambda: membership_role_change(membership=other, role=Role.ADMIN),
    )

    assert first is None
    assert isinstance(second, DomainError)
    assert race.second_waited_for_lock
    assert list(Membership.objects.filter(company=alice, role=Role.OWNER)) == [other]
