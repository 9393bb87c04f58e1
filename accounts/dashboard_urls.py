"""Dashboard routes of the account pages, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern, path

from accounts import views

urlpatterns: list[URLPattern] = [
    path("account/", views.account_page, name="account"),
    path("account/two-factor/", views.two_factor_page, name="two-factor"),
    path("account/two-factor/disable", views.two_factor_disable_page, name="two-factor-disable"),
    path("account/two-factor/recovery-codes", views.recovery_codes_page, name="recovery-codes"),
]
