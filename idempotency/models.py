"""The first answer to each (company, Idempotency-Key), kept so a repeat gets it again.

Follows Stripe's rules (notes/platform.md 3.3): the key is the client's (at most 255 characters), a
repeat with the same key and the same request gets the stored status and body, the same key with a
different request is refused, a repeat while the first is still running is a 409, and an answer that
failed validation or broke is not kept (the client fixes the request and retries with the same key).
Keys are forgotten after `IDEMPOTENCY_KEY_TTL_HOURS`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from companies.models import Company


class IdempotentRequest(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="idempotent_requests")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request's method, path and content")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Null while running")
    # JSON text, not a JSONField: a replay must be byte for byte the first answer (jsonb reorders keys).
    response_body = models.TextField(null=True, blank=True, help_text="The answer's data as JSON")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["company", "key"], name="unique_idempotency_key_per_company")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"

    @property
    def completed(self) -> bool:
        return self.response_status is not None

    @property
    def expired(self) -> bool:
        return self.created_at < timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
