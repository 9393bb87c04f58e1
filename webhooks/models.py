"""Webhook endpoints per company, one delivery per (event, endpoint), and every attempt at sending it."""

from django.db import models

from companies.models import Company
from events.models import Event, EventType
from invoisx.ids import PublicIdField

ALL_EVENTS = "*"
# What an endpoint can subscribe to: every event the product records. `webhook.test` is sent only on
# request, to the endpoint being tested.
SUBSCRIBABLE_EVENTS: tuple[str, ...] = tuple(value for value in EventType.values if value != EventType.WEBHOOK_TEST)


class EndpointKind(models.TextChoices):
    # An endpoint the company manages (API, dashboard): it receives the events it subscribes to.
    WEBHOOK = "webhook", "Webhook"
    # Seed 003's callback (`collecting.callbacks`), one per company, kept at the customer's callback
    # URL: it receives only what collecting sends it, each body in seed 003's schema.
    COLLECTING_CALLBACK = "collecting_callback", "Collecting callback"


class WebhookEndpoint(models.Model):
    public_id = PublicIdField(prefix="whe")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhook_endpoints")
    kind = models.CharField(max_length=20, choices=EndpointKind.choices, default=EndpointKind.WEBHOOK)
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    # Event types it receives; ["*"] means every event.
    event_types = models.JSONField(default=list)
    # Fernet-encrypted `whsec_<base64>`: signing needs the secret itself, so it cannot be hashed.
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(kind="collecting_callback"),
                name="webhook_one_collecting_callback_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.url}"

    def receives(self, event_type: str) -> bool:
        return ALL_EVENTS in self.event_types or event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event on its way to one endpoint. Its public id is the `webhook-id` header, the same on every
    attempt, so a receiver can recognise a message it has already processed."""

    public_id = PublicIdField(prefix="whd")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="webhook_deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts_count = models.PositiveIntegerField(default=0)
    # When the next attempt is due; null once the delivery succeeded or failed for good.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending an attempt holds the row until then; past it, the worker is presumed dead.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # When a task for it was last put on the queue; the sweep queues it again if that message is lost.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once_per_endpoint")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status})"

    @property
    def can_retry(self) -> bool:
        return self.status != DeliveryStatus.SUCCEEDED


class AttemptStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    ABANDONED = "abandoned", "Abandoned"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.SENDING)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first kilobyte of the receiver's answer")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_once")]

    def __str__(self) -> str:
        return f"{self.delivery.public_id} attempt {self.number} ({self.status})"
