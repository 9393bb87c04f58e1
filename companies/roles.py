"""The roles a staff user can have in a company, and what each may do: the one list.

The API (validation and the schema's enum), the Settings › Team pages (choices and the descriptions
they show), the admin and README's "Roles" table all read it from here.
"""

from dataclasses import dataclass

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    ACCOUNTANT = "accountant", "Accountant"
    VIEWER = "viewer", "Viewer"


@dataclass(frozen=True)
class RoleInfo:
    role: Role
    description: str
    # Changes API tokens, webhooks, integrations, company settings and the team.
    can_manage: bool
    # Changes business data: buyers, invoices, statements, reconciliations.
    can_edit: bool
    # Makes, unmakes and removes owners; invites owners.
    can_manage_owners: bool

    @property
    def value(self) -> str:
        return str(self.role.value)

    @property
    def label(self) -> str:
        return str(self.role.label)


ROLES: tuple[RoleInfo, ...] = (
    RoleInfo(
        Role.OWNER,
        "Everything an admin does, and makes or removes owners. A company always keeps at least one owner.",
        can_manage=True,
        can_edit=True,
        can_manage_owners=True,
    ),
    RoleInfo(
        Role.ADMIN,
        "Manages the team (except owners), API tokens, webhooks, integrations and company settings, "
        "and works with all the data.",
        can_manage=True,
        can_edit=True,
        can_manage_owners=False,
    ),
    RoleInfo(
        Role.ACCOUNTANT,
        "Uploads, reviews, issues and approves invoices, manages buyers, imports statements and "
        "reconciles; sees settings but does not change them.",
        can_manage=False,
        can_edit=True,
        can_manage_owners=False,
    ),
    RoleInfo(
        Role.VIEWER,
        "Reads everything in the company; changes nothing.",
        can_manage=False,
        can_edit=False,
        can_manage_owners=False,
    ),
)
ROLE_INFO: dict[str, RoleInfo] = {info.value: info for info in ROLES}

# Roles that may manage API tokens, company settings and the team in the dashboard.
MANAGER_ROLES = frozenset(info.role for info in ROLES if info.can_manage)
# Roles that may change business data (buyers, invoices, statements) in the dashboard.
EDITOR_ROLES = frozenset(info.role for info in ROLES if info.can_edit)
OWNER_ROLES = frozenset(info.role for info in ROLES if info.can_manage_owners)


def role_choices_described() -> list[tuple[str, str]]:
    """(value, "Label: description") pairs, for a select that explains itself."""
    return [(info.value, f"{info.label}: {info.description}") for info in ROLES]
