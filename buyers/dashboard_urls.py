"""Dashboard routes of a buyer's own pages, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern, path

from buyers import views

urlpatterns: list[URLPattern] = [
    path("buyers/bulk", views.buyer_bulk, name="buyer-bulk"),
    path("buyers/new", views.buyer_create_page, name="buyer-create"),
    path("buyers/<str:buyer_id>/", views.buyer_detail_page, name="buyer-detail"),
    path("buyers/<str:buyer_id>/edit", views.buyer_edit_page, name="buyer-edit"),
]
