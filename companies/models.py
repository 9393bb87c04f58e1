"""Companies (the tenants), and memberships that give staff users a role in a company."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from companies.plans import PLAN_LIMITS, PlanLimits, PlanName
from invoisx.ids import PublicIdField


class InvoiceLanguage(models.TextChoices):
    EN = "en", "English"
    MS = "ms", "Malay"
    FR = "fr", "French"
    DE = "de", "German"


class Company(models.Model):
    public_id = PublicIdField(prefix="cmp")
    name = models.CharField(max_length=200, unique=True)
    plan = models.CharField(max_length=20, choices=PlanName.choices, default=PlanName.STARTER)
    # The next number for sales invoices issued without one; taken under a row lock.
    next_invoice_sequence = models.PositiveIntegerField(default=1)
    # The seller on the invoices the company issues (EN 16931 BG-4 to BG-6, BG-16), kept by
    # `company_profile_update`, which validates each field.
    legal_name = models.CharField(max_length=200, blank=True, db_default="")
    tax_id = models.CharField(max_length=50, blank=True, db_default="")
    registration_number = models.CharField(max_length=50, blank=True, db_default="")
    email = models.EmailField(blank=True, db_default="")
    phone = models.CharField(max_length=40, blank=True, db_default="")
    address_line1 = models.CharField(max_length=200, blank=True, db_default="")
    address_line2 = models.CharField(max_length=200, blank=True, db_default="")
    city = models.CharField(max_length=100, blank=True, db_default="")
    state = models.CharField(max_length=100, blank=True, db_default="")
    postal_code = models.CharField(max_length=20, blank=True, db_default="")
    country = models.CharField(max_length=2, blank=True, db_default="", help_text="ISO 3166-1 alpha-2")
    iban = models.CharField(max_length=34, blank=True, db_default="")
    bic = models.CharField(max_length=11, blank=True, db_default="")
    bank_account_number = models.CharField(max_length=50, blank=True, db_default="")
    bank_name = models.CharField(max_length=200, blank=True, db_default="")
    default_currency = models.CharField(max_length=3, blank=True, db_default="", help_text="ISO 4217")
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30, db_default=30, validators=[MinValueValidator(0), MaxValueValidator(365)]
    )
    invoice_language = models.CharField(
        max_length=2, choices=InvoiceLanguage.choices, default=InvoiceLanguage.EN, db_default=InvoiceLanguage.EN
    )
    logo = models.FileField(upload_to="logos/", blank=True, db_default="", help_text="PNG or JPEG, on issued PDFs")
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
