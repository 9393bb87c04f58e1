"""Collecting: the customer's settings, its users and their short-lived tokens, credentials, and what
each credential collected."""

from django.db import models
from django.db.models import Q

from companies.models import Company
from invoices.models import Invoice
from invoisx.ids import PublicIdField


class Locale(models.TextChoices):
    """The languages of seed 003's user pages and collector labels."""

    EN = "en", "English"
    FR = "fr", "French"


class CustomerSettings(models.Model):
    """Seed 003's customer, for one company: where collected invoices are pushed, and who may frame the
    user pages."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="collecting_settings")
    callback = models.URLField(max_length=500, blank=True)
    # Origins allowed to show the user pages in an iframe (`frame-ancestors`), space-separated.
    frame_ancestors = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Collecting settings of {self.company}"


class CollectorUser(models.Model):
    """A user of the customer's product (seed 003's "user"), known by the customer's `remote_id`."""

    public_id = PublicIdField(prefix="usr")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="collector_users")
    remote_id = models.CharField(max_length=200)
    locale = models.CharField(max_length=2, choices=Locale.choices, default=Locale.EN)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["company", "remote_id"], name="unique_collector_user")]

    def __str__(self) -> str:
        return self.remote_id


class UserToken(models.Model):
    """A user token (seed 003: 30 minutes, passed as `?token=`). Only its SHA-256 is kept, so a token
    survives a restart, works in every process, and a database dump gives none away."""

    user = models.ForeignKey(CollectorUser, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"Token of {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class CredentialState(models.TextChoices):
    PENDING = "pending", "Pending"
    COLLECTING = "collecting", "Collecting"
    TWO_FA_WAITING = "2fa_waiting", "Waiting for the 2FA code"
    OK = "ok", "OK"
    ERROR = "error", "Error"
    DISCONNECTED = "disconnected", "Disconnected"


class Credential(models.Model):
    """What a collector logs in with, for one user. `params` are sealed with ENCRYPTION_KEYS
    (`invoisx.encryption`) and never returned by the API."""

    public_id = PublicIdField(prefix="crd")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="credentials")
    user = models.ForeignKey(CollectorUser, on_delete=models.CASCADE, related_name="credentials")
    collector = models.CharField(max_length=50)
    params_sealed = models.TextField()
    note = models.CharField(max_length=200, blank=True, help_text="What the user calls it, e.g. the login")
    state = models.CharField(max_length=20, choices=CredentialState.choices, default=CredentialState.PENDING)
    message = models.TextField(blank=True, help_text="Why it is in error or disconnected")
    # Only documents newer than this are pushed to the callback (seed 003: only new invoices).
    download_from = models.DateTimeField()
    last_collect_at = models.DateTimeField(null=True, blank=True)
    next_collect_at = models.DateTimeField(null=True, blank=True)
    login_failures = models.PositiveSmallIntegerField(default=0)
    # A collection is leased work (`invoisx.leases`): queued, held by a worker until, started how often.
    collect_queued_at = models.DateTimeField(null=True, blank=True)
    collect_lease_until = models.DateTimeField(null=True, blank=True)
    collect_attempts = models.PositiveSmallIntegerField(default=0)
    # The second factor a collector waits for (`…/2fa`), sealed like the params, and until when it waits.
    two_fa_code_sealed = models.TextField(blank=True)
    two_fa_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_collect_at"],
                condition=~Q(state__in=["disconnected", "collecting", "2fa_waiting"]),
                name="credential_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.collector} of {self.user}"


class CollectedDocument(models.Model):
    """One document a credential collected, by the key its source names it with (a mail's Message-ID and
    attachment, a file's path) and by its SHA-256: neither is collected twice."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="documents")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    source_key = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100)
    issued_at = models.DateTimeField(null=True, blank=True, help_text="When the source dates it (a mail's date)")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pushed = models.BooleanField(default=False, help_text="Sent to the customer's callback")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["credential", "source_key"], name="unique_collected_source"),
            models.UniqueConstraint(fields=["credential", "sha256"], name="unique_collected_content"),
        ]

    def __str__(self) -> str:
        return self.file_name
