"""API tokens. The secret is shown once at creation; the database keeps only its SHA-256 hash."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from companies.models import Company
from invoisx.ids import PublicIdField


def hash_token(raw_token: str) -> str:
    # Tokens carry ~200 bits of randomness, so a fast unsalted hash is enough: nothing to brute force.
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    public_id = PublicIdField(prefix="tok")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=32, unique=True, help_text="The token's first characters, e.g. sk_live_AbC12dEf9q"
    )
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    is_test = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
