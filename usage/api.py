"""Usage API: seed 001's `GET /usage/stats`, the billing period's counters against the plan's limits."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoisx.api.errors import ValidationFailed
from invoisx.api.permissions import request_company
from invoisx.api.schema import enveloped, responses
from usage.periods import BillingPeriod, InvalidPeriod
from usage.selectors import UsageStats, usage_stats


class BillingPeriodSerializer(serializers.Serializer):
    from_ = serializers.DateField(source="first_day")
    to = serializers.DateField(source="last_day")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a Python keyword
        return fields


class UsageStatsSerializer(serializers.Serializer):
    plan = serializers.CharField(help_text="starter, pro, business or enterprise")
    billing_period = BillingPeriodSerializer(source="period", help_text="A calendar month in UTC")
    invoices_processed = serializers.IntegerField(
        help_text="Documents uploaded for extraction in the period with sk_live_ tokens or the dashboard"
    )
    invoices_limit = serializers.IntegerField()
    api_calls = serializers.IntegerField(help_text="Requests made with the company's sk_live_ tokens, this included")
    api_calls_limit = serializers.IntegerField()


def period_from_query(request: Request) -> BillingPeriod:
    value = request.query_params.get("period")
    if value is None:
        return BillingPeriod.current()
    try:
        return BillingPeriod.parse(value)
    except InvalidPeriod as error:
        raise ValidationFailed(str(error), details={"period": [str(error)]}) from None


class UsageStatsApi(APIView):
    required_scopes = {"GET": "settings:read"}

    @extend_schema(
        operation_id="usage_stats",
        parameters=[
            OpenApiParameter(
                "period", str, description="A past month, YYYY-MM (UTC calendar month); the current one when left out"
            )
        ],
        responses=responses({200: enveloped("UsageStats", UsageStatsSerializer())}),
    )
    def get(self, request: Request) -> Response:
        stats: UsageStats = usage_stats(
            company=request_company(request),
            period=period_from_query(request),
            answering=getattr(request, "usage_call", None),  # this call, counted once answered
        )
        data: dict[str, Any] = UsageStatsSerializer(stats).data
        return Response(data)
