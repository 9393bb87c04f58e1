"""Dashboard routes of the review queue and an invoice's page images and publishing, mounted by dashboard/urls.py."""

from django.urls import URLPattern, path

from invoices import views

urlpatterns: list[URLPattern] = [
    path("review/", views.review_queue_page, name="review-queue"),
    path("invoices/<str:invoice_id>/pages/<int:page>.png", views.invoice_page_image, name="invoice-page-image"),
    path("invoices/<str:invoice_id>/publish/<str:provider>", views.invoice_publish_page, name="invoice-publish"),
]
