"""Dashboard routes of the webhooks app, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import path

from webhooks import views

urlpatterns = [
    path("settings/webhooks/", views.webhook_list_page, name="webhooks"),
    path("settings/webhooks/new", views.webhook_create_page, name="webhook-create"),
    path("settings/webhooks/<str:endpoint_id>/", views.webhook_page, name="webhook"),
    path("settings/webhooks/<str:endpoint_id>/test", views.webhook_test_page, name="webhook-test"),
    path("settings/webhooks/<str:endpoint_id>/rotate-secret", views.webhook_rotate_page, name="webhook-rotate"),
    path("settings/webhooks/<str:endpoint_id>/delete", views.webhook_delete_page, name="webhook-delete"),
    path(
        "settings/webhooks/deliveries/<str:delivery_id>/retry",
        views.delivery_retry_page,
        name="webhook-delivery-retry",
    ),
]
