"""The one list of roles: what Membership, the API schema and README say each role may do all come from it."""

from pathlib import Path

from django.conf import settings

from companies.models import EDITOR_ROLES, MANAGER_ROLES, Membership, Role
from companies.roles import ROLE_INFO, ROLES

README = Path(settings.BASE_DIR) / "README.md"


def test_every_role_is_described_once_in_order_of_power():
    assert [info.value for info in ROLES] == ["owner", "admin", "accountant", "viewer"]
    assert set(ROLE_INFO) == set(Role.values)


def test_the_membership_flags_follow_the_list():
    for info in ROLES:
        membership = Membership(role=info.value)
        assert (membership.can_manage, membership.can_edit, membership.can_manage_owners) == (
            info.can_manage,
            info.can_edit,
            info.can_manage_owners,
        )
    assert {Role.OWNER, Role.ADMIN} == MANAGER_ROLES
    assert {Role.OWNER, Role.ADMIN, Role.ACCOUNTANT} == EDITOR_ROLES


def test_the_readme_table_says_what_the_list_says():
    readme = README.read_text()
    for info in ROLES:
        flags = " | ".join("yes" if flag else "—" for flag in (info.can_edit, info.can_manage, info.can_manage_owners))
        assert f"| `{info.value}` | yes | {flags} | {info.description} |" in readme
