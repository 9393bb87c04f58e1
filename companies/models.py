"""Companies (the tenants), memberships that give staff users a role in a company (roles: companies/roles.py),
and invitations to join one."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from companies.plans import PLAN_LIMITS, PlanLimits, PlanName
from companies.roles import EDITOR_ROLES, MANAGER_ROLES, ROLE_INFO, Role

__all__ = ["EDITOR_ROLES", "MANAGER_ROLES", "Company", "Invitation", "InvoiceLanguage", "Membership", "Role"]
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


class Membership(models.Model):
    public_id = PublicIdField(prefix="mem")
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

    @property
    def can_manage_owners(self) -> bool:
        return ROLE_INFO[self.role].can_manage_owners if self.role in ROLE_INFO else False

    @property
    def role_description(self) -> str:
        return ROLE_INFO[self.role].description if self.role in ROLE_INFO else ""


class Invitation(models.Model):
    """An invitation to join a company with a role, sent by email as a one-time link that expires.

    Only the SHA-256 of the link's token is stored: the link is in the email and nowhere else.
    At most one invitation per company and address is open (neither accepted nor revoked); inviting
    the same address again revokes the open one and sends a new link.
    """

    public_id = PublicIdField(prefix="ivt")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_address",
            )
        ]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} to {self.company} ({self.role})"

    @property
    def status(self) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"
