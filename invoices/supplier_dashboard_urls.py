"""Dashboard routes of the supplier pages, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern, path

from invoices import supplier_views

urlpatterns: list[URLPattern] = [
    path("suppliers/", supplier_views.supplier_list, name="suppliers"),
    path("suppliers/bulk", supplier_views.supplier_bulk, name="supplier-bulk"),
    path("suppliers/new", supplier_views.supplier_create_page, name="supplier-create"),
    path("suppliers/<str:supplier_id>/", supplier_views.supplier_detail_page, name="supplier-detail"),
    path("suppliers/<str:supplier_id>/edit", supplier_views.supplier_edit_page, name="supplier-edit"),
]
