"""Bank statements API: seed 001's `POST /bank/extract`, and reading statements and their transactions."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bank.models import BankStatement, MatchStatus
from bank.selectors import statement_get, statement_list, statement_transactions
from bank.services import statement_file_too_large, statement_import
from invoisx.api.errors import ValidationFailed
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.permissions import request_company
from invoisx.api.schema import PAGE_PARAMETERS, enveloped, list_enveloped, responses

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": False}

# Output


class PeriodSerializer(serializers.Serializer):
    from_ = serializers.DateField(source="period_from", allow_null=True)
    to = serializers.DateField(source="period_to", allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a Python keyword
        return fields


class BalanceSerializer(serializers.Serializer):
    opening = serializers.DecimalField(source="opening_balance", allow_null=True, **MONEY)
    closing = serializers.DecimalField(source="closing_balance", allow_null=True, **MONEY)
    ok = serializers.BooleanField(source="balance_ok", allow_null=True, help_text="Null when a balance is missing")
    difference = serializers.DecimalField(
        source="balance_difference", allow_null=True, help_text="closing - (opening + transactions)", **MONEY
    )


class BankTransactionSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    date = serializers.DateField()
    value_date = serializers.DateField(allow_null=True)
    amount = serializers.DecimalField(help_text="Signed: money in +, money out -", **MONEY)
    currency = serializers.CharField()
    description = serializers.CharField()
    reference = serializers.CharField()
    counterparty = serializers.CharField()
    counterparty_account = serializers.CharField()
    match_status = serializers.ChoiceField(choices=MatchStatus.choices)
    matched = serializers.BooleanField()


class BankStatementSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    bank_name = serializers.CharField()
    account_number_last4 = serializers.CharField()
    format = serializers.CharField()
    file_name = serializers.CharField()
    currency = serializers.CharField()
    period = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField()
    transactions_count = serializers.IntegerField()
    new_transactions_count = serializers.IntegerField()
    duplicate_transactions_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PeriodSerializer)
    def get_period(self, statement: BankStatement) -> dict[str, Any]:
        return PeriodSerializer(statement).data

    @extend_schema_field(BalanceSerializer)
    def get_balance(self, statement: BankStatement) -> dict[str, Any]:
        return BalanceSerializer(statement).data


class BankExtractSerializer(BankStatementSerializer):
    """Seed 001's answer: the (first) statement of the file with its transactions, and every statement."""

    transactions = BankTransactionSerializer(many=True)
    statements = BankStatementSerializer(many=True, help_text="Every statement the file holds, first included")
    duplicate = serializers.BooleanField(help_text="The same file was imported before; nothing new was stored")


# Views


class BankExtractRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Bank statement: CSV, OFX/QFX, MT940, CAMT.053 XML or text PDF. Max 20 MB.")


class BankExtractApi(APIView):
    """Seed 001's `POST /bank/extract`: upload a statement, get its transactions."""

    required_scopes = {"POST": "bank:write"}
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="bank_extract",
        request={"multipart/form-data": BankExtractRequestSerializer},
        responses=responses({200: enveloped("BankExtract", BankExtractSerializer())}),
    )
    def post(self, request: Request) -> Response:
        # Refuse an oversized body before the multipart parser spools it to disk.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.EXTRACTION_MAX_BYTES + 64 * 1024:
            raise statement_file_too_large()
        file = request.FILES.get("file")
        if file is None:
            raise ValidationFailed(
                "Send the statement as multipart form field 'file'.", details={"file": ["This field is required."]}
            )
        imported = statement_import(company=request_company(request), file=file)
        first = imported.statements[0]
        data = dict(BankStatementSerializer(first).data)
        data["transactions"] = BankTransactionSerializer(statement_transactions(statement=first), many=True).data
        data["statements"] = BankStatementSerializer(imported.statements, many=True).data
        data["duplicate"] = imported.duplicate
        return Response(data)


class BankStatementListApi(APIView):
    required_scopes = {"GET": "bank:read"}

    @extend_schema(
        operation_id="bank_statements_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: list_enveloped("BankStatement", "statements", BankStatementSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, statement_list(company=request_company(request)))
        return Response(paginated_data("statements", page, BankStatementSerializer(page.items, many=True).data))


class BankStatementDetailApi(APIView):
    required_scopes = {"GET": "bank:read"}

    @extend_schema(
        operation_id="bank_statements_retrieve",
        responses=responses({200: enveloped("BankStatement", BankStatementSerializer())}),
    )
    def get(self, request: Request, statement_id: str) -> Response:
        return Response(
            BankStatementSerializer(statement_get(company=request_company(request), public_id=statement_id)).data
        )


TRANSACTION_FILTERS = [
    OpenApiParameter("date_from", str, description="Booking date on or after (YYYY-MM-DD)"),
    OpenApiParameter("date_to", str, description="Booking date on or before (YYYY-MM-DD)"),
    OpenApiParameter("amount_min", str, description="Signed amount at least (money out is negative)"),
    OpenApiParameter("amount_max", str, description="Signed amount at most"),
    OpenApiParameter("matched", str, enum=["true", "false"], description="Matched to invoices, or not"),
    OpenApiParameter("q", str, description="Description, reference or counterparty contains"),
]


class BankStatementTransactionsApi(APIView):
    required_scopes = {"GET": "bank:read"}

    @extend_schema(
        operation_id="bank_statements_transactions_list",
        parameters=PAGE_PARAMETERS + TRANSACTION_FILTERS,
        responses=responses({200: list_enveloped("BankTransaction", "transactions", BankTransactionSerializer)}),
    )
    def get(self, request: Request, statement_id: str) -> Response:
        statement = statement_get(company=request_company(request), public_id=statement_id)
        page = paginate(request, statement_transactions(statement=statement, filters=request.query_params))
        return Response(paginated_data("transactions", page, BankTransactionSerializer(page.items, many=True).data))
