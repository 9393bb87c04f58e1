"""API routes for the company profile."""

from django.urls import path

from companies.api import CompanyProfileApi

urlpatterns = [
    path("company", CompanyProfileApi.as_view(), name="company"),
]
