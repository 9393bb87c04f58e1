"""Bank API: seed 001's `POST /bank/extract` and `POST /bank/reconcile`; statements and reconciliations."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bank.models import (
    BankStatement,
    MatchKind,
    MatchState,
    MatchStatus,
    Reconciliation,
    ReconciliationStatus,
)
from bank.reconciliations import (
    ManualAllocation,
    match_confirm,
    match_manual,
    match_reject,
    matches_confirm_suggested,
    reconciliation_start,
)
from bank.selectors import (
    match_get,
    reconciliation_get,
    reconciliation_list,
    reconciliation_matches,
    statement_get,
    statement_list,
    statement_transactions,
    transaction_get,
)
from bank.services import statement_file_too_large, statement_import
from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from invoices.models import Invoice
from invoisx.api.errors import ValidationFailed
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.parsers import LimitedJSONParser, declared_length
from invoisx.api.permissions import request_company, request_token
from invoisx.api.schema import PAGE_PARAMETERS, enveloped, list_enveloped, responses
from invoisx.api.serializers import PublicIdRelatedField, StrictSerializer
from invoisx.waiting import wait_while_status

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
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="bank_extract",
        request={"multipart/form-data": BankExtractRequestSerializer},
        responses=responses({200: enveloped("BankExtract", BankExtractSerializer())}),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        # Refuse an oversized body before the multipart parser spools it to disk.
        declared = declared_length(request)
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


# Reconciliations


class AllocationSerializer(serializers.Serializer):
    invoice_id = serializers.CharField(source="invoice.public_id")
    invoice_number = serializers.CharField(source="invoice.invoice_number")
    direction = serializers.CharField(source="invoice.direction")
    counterparty = serializers.CharField(source="invoice.counterparty_name")
    currency = serializers.CharField(source="invoice.currency")
    amount = serializers.DecimalField(help_text="Applied to the invoice, in its currency", **MONEY)
    write_off = serializers.DecimalField(help_text="Short-paid rest accepted as a bank fee", **MONEY)


class PaymentMatchSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    state = serializers.ChoiceField(choices=MatchState.choices)
    kind = serializers.ChoiceField(choices=MatchKind.choices)
    confidence = serializers.FloatField()
    reason = serializers.CharField()
    amount = serializers.DecimalField(help_text="How much of the transaction it uses, unsigned", **MONEY)
    auto_confirmed = serializers.BooleanField()
    decided_by = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    transaction = BankTransactionSerializer()
    allocations = AllocationSerializer(many=True)


class ReconciliationSummarySerializer(serializers.Serializer):
    transactions = serializers.IntegerField(source="transactions_count")
    open_invoices = serializers.IntegerField(source="open_invoices_count")
    suggested = serializers.IntegerField(source="suggested_count", help_text="Matches the run proposed")
    auto_confirmed = serializers.IntegerField(source="auto_confirmed_count")
    confirmed = serializers.IntegerField(source="count_confirmed", help_text="Confirmed now, by the run or a person")
    pending = serializers.IntegerField(source="count_suggested", help_text="Suggestions waiting for a decision")
    rejected = serializers.IntegerField(source="count_rejected")
    unmatched = serializers.SerializerMethodField(help_text="Lines with neither a confirmed nor a pending match")

    def get_unmatched(self, reconciliation: Reconciliation) -> int:
        with_match: int = getattr(reconciliation, "count_lines_with_match", 0)  # annotated by the selector
        return max(reconciliation.transactions_count - with_match, 0)


class ReconciliationSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    statement_id = serializers.CharField(source="statement.public_id")
    status = serializers.ChoiceField(choices=ReconciliationStatus.choices)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    auto_confirm_threshold = serializers.FloatField()
    summary = serializers.SerializerMethodField()
    failure_reason = serializers.CharField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(ReconciliationSummarySerializer)
    def get_summary(self, reconciliation: Reconciliation) -> dict[str, Any]:
        return ReconciliationSummarySerializer(reconciliation).data


class ReconciliationDetailSerializer(ReconciliationSerializer):
    matches = PaymentMatchSerializer(many=True, help_text="Every match of the run, in statement order")


class ReconcileRequestSerializer(StrictSerializer):
    statement_id = PublicIdRelatedField("bank statement", queryset=BankStatement.objects.all())
    date_from = serializers.DateField(required=False, allow_null=True, input_formats=["%Y-%m-%d"])
    date_to = serializers.DateField(required=False, allow_null=True, input_formats=["%Y-%m-%d"])


def _actor(request: Request) -> str:
    return f"API token {request_token(request)}"


def _reconciliation_data(reconciliation: Reconciliation) -> dict[str, Any]:
    data = dict(ReconciliationSerializer(reconciliation).data)
    data["matches"] = PaymentMatchSerializer(reconciliation_matches(reconciliation=reconciliation), many=True).data
    return data


class ReconcileApi(APIView):
    """Seed 001's `POST /bank/reconcile`: match a statement's payments to open invoices."""

    required_scopes = {"POST": "bank:write"}
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="bank_reconcile",
        request=ReconcileRequestSerializer,
        parameters=[
            IDEMPOTENCY_PARAMETER,
            OpenApiParameter("async", bool, description="Answer 202 at once instead of waiting for the result"),
        ],
        responses=responses(
            {
                200: enveloped("ReconciliationDetail", ReconciliationDetailSerializer()),
                202: enveloped("ReconciliationDetail", ReconciliationDetailSerializer()),
            }
        ),
        description=(
            "Runs in the background; waits for the result up to a limit and answers 200 with the matches, "
            "or 202 with status `processing` (poll `GET /bank/reconciliations/{id}`)."
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        company = request_company(request)
        given = ReconcileRequestSerializer(data=request.data, context={"company": company})
        given.is_valid(raise_exception=True)
        reconciliation = reconciliation_start(
            company=company,
            statement=given.validated_data["statement_id"],
            date_from=given.validated_data.get("date_from"),
            date_to=given.validated_data.get("date_to"),
            actor=_actor(request),
        )
        if request.query_params.get("async", "").lower() not in ("1", "true", "yes"):
            wait_while_status(
                Reconciliation,
                reconciliation.pk,
                ReconciliationStatus.PROCESSING,
                seconds=settings.RECONCILE_WAIT_SECONDS,
            )
        reconciliation = reconciliation_get(company=company, public_id=reconciliation.public_id)
        settled = reconciliation.status != ReconciliationStatus.PROCESSING
        return Response(
            _reconciliation_data(reconciliation), status=status.HTTP_200_OK if settled else status.HTTP_202_ACCEPTED
        )


RECONCILIATION_FILTERS = [OpenApiParameter("statement_id", str, description="Runs over this statement (bs_…)")]


class ReconciliationListApi(APIView):
    """Seed 001's `GET /bank/reconciliations`: every run with its match summary."""

    required_scopes = {"GET": "bank:read"}

    @extend_schema(
        operation_id="bank_reconciliations_list",
        parameters=PAGE_PARAMETERS + RECONCILIATION_FILTERS,
        responses=responses({200: list_enveloped("Reconciliation", "reconciliations", ReconciliationSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, reconciliation_list(company=request_company(request), filters=request.query_params))
        return Response(paginated_data("reconciliations", page, ReconciliationSerializer(page.items, many=True).data))


class ReconciliationDetailApi(APIView):
    required_scopes = {"GET": "bank:read"}

    @extend_schema(
        operation_id="bank_reconciliations_retrieve",
        responses=responses({200: enveloped("ReconciliationDetail", ReconciliationDetailSerializer())}),
    )
    def get(self, request: Request, reconciliation_id: str) -> Response:
        reconciliation = reconciliation_get(company=request_company(request), public_id=reconciliation_id)
        return Response(_reconciliation_data(reconciliation))


MATCH_FILTERS = [
    OpenApiParameter("state", str, enum=MatchState.values),
    OpenApiParameter("min_confidence", float, description="Confidence at least (0 to 1)"),
]


class ManualAllocationInputSerializer(StrictSerializer):
    invoice_id = PublicIdRelatedField("invoice", queryset=Invoice.objects.select_related("buyer", "supplier"))
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=Decimal("0.01"),
        help_text="In the invoice's currency; default: what it owes, up to what the payment has left",
    )
    write_off = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        default=Decimal(0),
        min_value=Decimal(0),
        help_text="Short-paid rest accepted as a bank fee",
    )


class ManualMatchInputSerializer(StrictSerializer):
    transaction_id = serializers.CharField(max_length=40)
    allocations = ManualAllocationInputSerializer(many=True, allow_empty=False, max_length=100)  # type: ignore[call-arg]


class ReconciliationMatchesApi(APIView):
    """A run's matches (filtered, paged), and `POST` to match a transaction by hand."""

    required_scopes = {"GET": "bank:read", "POST": "bank:write"}
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="bank_reconciliation_matches_list",
        parameters=PAGE_PARAMETERS + MATCH_FILTERS,
        responses=responses({200: list_enveloped("PaymentMatch", "matches", PaymentMatchSerializer)}),
    )
    def get(self, request: Request, reconciliation_id: str) -> Response:
        reconciliation = reconciliation_get(company=request_company(request), public_id=reconciliation_id)
        page = paginate(request, reconciliation_matches(reconciliation=reconciliation, filters=request.query_params))
        return Response(paginated_data("matches", page, PaymentMatchSerializer(page.items, many=True).data))

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="bank_reconciliation_matches_create",
        request=ManualMatchInputSerializer,
        responses=responses({201: enveloped("PaymentMatch", PaymentMatchSerializer())}),
        description="Match a transaction of the run's statement to invoices by hand; confirmed at once.",
    )
    @idempotent
    def post(self, request: Request, reconciliation_id: str) -> Response:
        company = request_company(request)
        reconciliation = reconciliation_get(company=company, public_id=reconciliation_id)
        given = ManualMatchInputSerializer(data=request.data, context={"company": company})
        given.is_valid(raise_exception=True)
        line = transaction_get(company=company, public_id=given.validated_data["transaction_id"])
        match = match_manual(
            reconciliation=reconciliation,
            line=line,
            allocations=[
                ManualAllocation(invoice=a["invoice_id"], amount=a.get("amount"), write_off=a["write_off"])
                for a in given.validated_data["allocations"]
            ],
            actor=_actor(request),
        )
        match = match_get(reconciliation=reconciliation, public_id=match.public_id)
        return Response(PaymentMatchSerializer(match).data, status=status.HTTP_201_CREATED)


class MatchDecisionApi(APIView):
    """`POST .../matches/{id}/confirm` or `/reject` (rejecting a confirmed match undoes it)."""

    required_scopes = {"POST": "bank:write"}
    decision = ""

    @extend_schema(request=None, responses=responses({200: enveloped("PaymentMatch", PaymentMatchSerializer())}))
    def post(self, request: Request, reconciliation_id: str, match_id: str) -> Response:
        reconciliation = reconciliation_get(company=request_company(request), public_id=reconciliation_id)
        match = match_get(reconciliation=reconciliation, public_id=match_id)
        if self.decision == "confirm":
            match_confirm(match=match, actor=_actor(request))
        else:
            match_reject(match=match, actor=_actor(request))
        return Response(PaymentMatchSerializer(match_get(reconciliation=reconciliation, public_id=match_id)).data)


class MatchConfirmApi(MatchDecisionApi):
    decision = "confirm"


class MatchRejectApi(MatchDecisionApi):
    decision = "reject"


class ConfirmAllInputSerializer(StrictSerializer):
    min_confidence = serializers.FloatField(required=False, default=0.0, min_value=0.0, max_value=1.0)


class ConfirmAllResultSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField()
    reconciliation = ReconciliationSerializer()


class ReconciliationConfirmAllApi(APIView):
    """Confirm every pending suggestion of a run at least `min_confidence` sure."""

    required_scopes = {"POST": "bank:write"}
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="bank_reconciliation_confirm_all",
        request=ConfirmAllInputSerializer,
        responses=responses({200: enveloped("ConfirmAll", ConfirmAllResultSerializer())}),
    )
    def post(self, request: Request, reconciliation_id: str) -> Response:
        company = request_company(request)
        reconciliation = reconciliation_get(company=company, public_id=reconciliation_id)
        given = ConfirmAllInputSerializer(data=request.data or {})
        given.is_valid(raise_exception=True)
        confirmed = matches_confirm_suggested(
            reconciliation=reconciliation,
            actor=_actor(request),
            min_confidence=given.validated_data["min_confidence"],
        )
        reconciliation = reconciliation_get(company=company, public_id=reconciliation_id)
        return Response({"confirmed": len(confirmed), "reconciliation": ReconciliationSerializer(reconciliation).data})
