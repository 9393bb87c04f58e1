"""API routes of the webhooks app."""

from django.urls import path

from webhooks.api import (
    DeliveryDetailApi,
    DeliveryRetryApi,
    WebhookDeliveriesApi,
    WebhookDetailApi,
    WebhookListApi,
    WebhookRotateSecretApi,
    WebhookTestApi,
)

urlpatterns = [
    path("webhooks", WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/deliveries/<str:delivery_id>", DeliveryDetailApi.as_view(), name="webhook-delivery-detail"),
    path("webhooks/deliveries/<str:delivery_id>/retry", DeliveryRetryApi.as_view(), name="webhook-delivery-retry"),
    path("webhooks/<str:endpoint_id>", WebhookDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<str:endpoint_id>/test", WebhookTestApi.as_view(), name="webhook-test"),
    path("webhooks/<str:endpoint_id>/rotate-secret", WebhookRotateSecretApi.as_view(), name="webhook-rotate-secret"),
    path("webhooks/<str:endpoint_id>/deliveries", WebhookDeliveriesApi.as_view(), name="webhook-deliveries"),
]
