"""API routes for buyers."""

from django.urls import path

from buyers.api import BuyerDetailApi, BuyerListApi

urlpatterns = [
    path("buyers", BuyerListApi.as_view(), name="buyer-list"),
    path("buyers/<str:buyer_id>", BuyerDetailApi.as_view(), name="buyer-detail"),
]
