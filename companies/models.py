"""Companies (the tenants), and memberships that give staff users a role in a company."""

from django.conf import settings
from django.db import models

from companies.plans import PLAN_LIMITS, PlanLimits, PlanName
from invoisx.ids import PublicIdField


class Company(models.Model):
    public_id = PublicIdField(prefix="cmp")
    name = models.CharField(max_length=200, unique=True)
    plan = models.CharField(max_length=20, choices=PlanName.choices, default=PlanName.STARTER)
    # The next number for sales invoices issued without one; taken under a row lock.
    next_invoice_sequence = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def plan_limits(self) -> PlanLimits:
        return PLAN_LIMITS[self.plan]


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    ACCOUNTANT = "accountant", "Accountant"
    VIEWER = "viewer", "Viewer"


# Roles that may manage API tokens and company settings in the dashboard.
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})
# Roles that may change business data (buyers, invoices, statements) in the dashboard.
EDITOR_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.ACCOUNTANT})


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="unique_membership")]
        ordering = ["company__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.company} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGER_ROLES

    @property
    def can_edit(self) -> bool:
        return self.role in EDITOR_ROLES
