"""The API's scopes (seed 001, plus buyers and webhooks) and seed 000's simple permissions."""

SCOPES: dict[str, str] = {
    "buyers:read": "Read and list buyers",
    "buyers:write": "Create and update buyers",
    "buyers:delete": "Delete buyers",
    "invoices:read": "Read and list invoices",
    "invoices:write": "Create, upload, extract and update invoices",
    "invoices:delete": "Delete invoices",
    "publish:qb": "Publish invoices to QuickBooks",
    "publish:xero": "Publish invoices to Xero",
    "bank:read": "Read bank statements and reconciliations",
    "bank:write": "Upload statements and run reconciliation",
    "settings:read": "Read integration status and usage statistics",
    "settings:write": "Modify account and integration settings",
    "team:read": "View team members and roles",
    "team:write": "Manage team members and roles",
    "webhooks:read": "Read webhook endpoints and deliveries",
    "webhooks:write": "Manage webhook endpoints and retry deliveries",
    "collectors:read": "Read the collecting customer, its users and their credentials (seed 003)",
    "collectors:write": "Manage collecting users, credentials and the callback (seed 003)",
}
ALL_SCOPES: tuple[str, ...] = tuple(SCOPES)

# Seed 000's dashboard offers Create / Read / Update / Delete. The API's scopes do not separate
# creating from updating (both are `:write`), so Create and Update each grant the write scopes.
SIMPLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "create": (
        "buyers:write",
        "invoices:write",
        "bank:write",
        "webhooks:write",
        "publish:qb",
        "publish:xero",
        "collectors:write",
    ),
    "read": (
        "buyers:read",
        "invoices:read",
        "bank:read",
        "settings:read",
        "team:read",
        "webhooks:read",
        "collectors:read",
    ),
    "update": (
        "buyers:write",
        "invoices:write",
        "bank:write",
        "webhooks:write",
        "settings:write",
        "team:write",
        "collectors:write",
    ),
    "delete": ("buyers:delete", "invoices:delete"),
}


def scopes_for_permissions(permissions: list[str]) -> list[str]:
    granted = {scope for permission in permissions for scope in SIMPLE_PERMISSIONS[permission]}
    return [scope for scope in ALL_SCOPES if scope in granted]


def normalise_scopes(scopes: list[str]) -> list[str]:
    """The scopes in canonical order; raises ValueError naming any unknown one."""
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}.")
    return [scope for scope in ALL_SCOPES if scope in set(scopes)]
