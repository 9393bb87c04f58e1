"""What each plan allows. The numbers are product decisions, kept in one place."""

from dataclasses import dataclass

from django.db import models


class PlanName(models.TextChoices):
    STARTER = "starter", "Starter"
    PRO = "pro", "Pro"
    BUSINESS = "business", "Business"
    ENTERPRISE = "enterprise", "Enterprise"


@dataclass(frozen=True)
class PlanLimits:
    requests_per_hour: int
    invoices_per_month: int
    api_calls_per_month: int


PLAN_LIMITS: dict[str, PlanLimits] = {
    PlanName.STARTER: PlanLimits(requests_per_hour=100, invoices_per_month=100, api_calls_per_month=5_000),
    PlanName.PRO: PlanLimits(requests_per_hour=1_000, invoices_per_month=1_000, api_calls_per_month=50_000),
    PlanName.BUSINESS: PlanLimits(requests_per_hour=10_000, invoices_per_month=10_000, api_calls_per_month=500_000),
    PlanName.ENTERPRISE: PlanLimits(
        requests_per_hour=100_000, invoices_per_month=100_000, api_calls_per_month=5_000_000
    ),
}
