"""A company's connections to QuickBooks Online and Xero, and what it has published to them.

Access and refresh tokens are stored encrypted (`invoisx.encryption`); the model only ever holds
ciphertext, and the plain tokens exist in memory for the length of a call to the provider.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from companies.models import Company
from invoices.models import Invoice
from invoisx.encryption import decrypt, encrypt
from invoisx.ids import PublicIdField

# Refresh an access token that has less than this left, so it cannot expire mid-publish.
REFRESH_MARGIN = timedelta(minutes=2)


TOKENS = "integrations.tokens"  # the encryption purpose of OAuth tokens


class Provider(models.TextChoices):
    QUICKBOOKS = "quickbooks", "QuickBooks Online"
    XERO = "xero", "Xero"


class Connection(models.Model):
    """One company's OAuth connection to one provider's organisation (a QuickBooks realm, a Xero tenant)."""

    public_id = PublicIdField(prefix="conn")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="integration_connections")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    external_company_id = models.CharField(max_length=100, help_text="QuickBooks realmId or Xero tenantId")
    external_company_name = models.CharField(max_length=200, blank=True)
    access_token_encrypted = models.TextField()
    refresh_token_encrypted = models.TextField()
    access_token_expires_at = models.DateTimeField()
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    # Set when the provider refused our refresh token: the company must connect again.
    needs_reconnect = models.BooleanField(default=False)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True, help_text="Last successful publish")

    class Meta:
        ordering = ["company__name", "provider"]
        constraints = [models.UniqueConstraint(fields=["company", "provider"], name="unique_connection_per_provider")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} for {self.company}"

    @property
    def access_token(self) -> str:
        return decrypt(self.access_token_encrypted, purpose=TOKENS)

    @property
    def refresh_token(self) -> str:
        return decrypt(self.refresh_token_encrypted, purpose=TOKENS)

    def set_tokens(
        self, *, access_token: str, refresh_token: str, expires_in: int, refresh_expires_in: int | None
    ) -> None:
        now = timezone.now()
        self.access_token_encrypted = encrypt(access_token, purpose=TOKENS)
        self.refresh_token_encrypted = encrypt(refresh_token, purpose=TOKENS)
        self.access_token_expires_at = now + timedelta(seconds=expires_in)
        self.refresh_token_expires_at = now + timedelta(seconds=refresh_expires_in) if refresh_expires_in else None
        self.needs_reconnect = False

    @property
    def access_token_is_fresh(self) -> bool:
        return self.access_token_expires_at - REFRESH_MARGIN > timezone.now()


class PublicationStatus(models.TextChoices):
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class Publication(models.Model):
    """An invoice published (or being published) to one provider: at most one per invoice, target and mode.

    The row is claimed before any call to the provider, so a second publish of the same invoice
    returns the first one's result (or is told it is under way) instead of creating a second bill.
    """

    public_id = PublicIdField(prefix="pub")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="publications")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="publications")
    target = models.CharField(max_length=20, choices=Provider.choices)
    status = models.CharField(max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.PUBLISHING)
    external_id = models.CharField(max_length=100, blank=True, help_text="QuickBooks Bill.Id or Xero InvoiceID")
    external_contact_id = models.CharField(max_length=100, blank=True, help_text="Vendor.Id or ContactID")
    attachment_id = models.CharField(max_length=100, blank=True)
    sandbox = models.BooleanField(default=False, help_text="Published with an sk_test_ token")
    claimed_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "target", "sandbox"], name="unique_publication_per_target")
        ]
        indexes = [models.Index(fields=["company", "target", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.invoice} to {self.get_target_display()} ({self.status})"
