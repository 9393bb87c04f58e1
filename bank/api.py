"""Bank API: seed 001's `POST /bank/extract` and `POST /bank/reconcile`; imports, statements and reconciliations."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bank.models import (
    BankImportJob,
    BankStatement,
    ImportFailure,
    ImportStatus,
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
    match_undo,
    matches_confirm_suggested,
    reconciliation_start,
)
from bank.selectors import (
    import_get,
    import_statements,
    match_get,
    reconciliation_get,
    reconciliation_list,
    reconciliation_matches,
    statement_get,
    statement_list,
    statement_transactions,
    transaction_get,
)
from bank.services import statement_file_too_large, statement_import_start
from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from invoices.models import Invoice
from invoisx.api.errors import ApiError, ValidationFailed
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.parsers import LimitedJSONParser, declared_length
from invoisx.api.permissions import request_company, request_token
from invoisx.api.schema import PAGE_PARAMETERS, ErrorSerializer, enveloped, list_enveloped, responses
from invoisx.api.serializers import MoneyField, PublicIdRelatedField, StrictSerializer
from invoisx.waiting import wait_while_status

# The extract answer lists a statement's first lines only; `GET /bank/statements/{id}/transactions` pages through all.
EXTRACT_TRANSACTIONS_SHOWN = 1000

# Output


class PeriodSerializer(serializers.Serializer):
    from_ = serializers.DateField(source="period_from", allow_null=True)
    to = serializers.DateField(source="period_to", allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a Python keyword
        return fields


class BalanceSerializer(serializers.Serializer):
    opening = MoneyField(source="opening_balance", allow_null=True)
    closing = MoneyField(source="closing_balance", allow_null=True)
    ok = serializers.BooleanField(source="balance_ok", allow_null=True, help_text="Null when a balance is missing")
    difference = MoneyField(
        source="balance_difference", allow_null=True, help_text="closing - (opening + transactions)"
    )


class BankTransactionSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    date = serializers.DateField()
    value_date = serializers.DateField(allow_null=True)
    amount = MoneyField(help_text="Signed: money in +, money out -")
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

    transactions = BankTransactionSerializer(
        many=True,
        help_text=f"The statement's lines, the first {EXTRACT_TRANSACTIONS_SHOWN} of a longer one by date "
        "(`transactions_count` says how many; page through `GET /bank/statements/{id}/transactions`)",
    )
    statements = BankStatementSerializer(many=True, help_text="Every statement the file holds, first included")
    duplicate = serializers.BooleanField(help_text="The same file was imported before; nothing new was stored")
    import_id = serializers.CharField(help_text="The import job (bimp_…), `GET /bank/imports/{id}`")


class BankImportSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    file_name = serializers.CharField()
    file_size = serializers.IntegerField(help_text="Bytes")
    duplicate = serializers.BooleanField(help_text="The same file was imported before; nothing new was stored")
    statements_count = serializers.IntegerField()
    transactions_count = serializers.IntegerField(help_text="Lines in the file")
    new_transactions_count = serializers.IntegerField(help_text="Lines not seen before")
    duplicate_transactions_count = serializers.IntegerField(help_text="Lines already stored")
    failure_code = serializers.CharField(help_text="validation_error (the file was refused) or processing_error")
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    statements = serializers.SerializerMethodField(help_text="The file's statements, once completed")

    @extend_schema_field(BankStatementSerializer(many=True))
    def get_statements(self, job: BankImportJob) -> list[Any]:
        return list(BankStatementSerializer(import_statements(job=job), many=True).data)


class StatementImportFailed(ApiError):
    """The import could not finish (not a refused file): uploading the file again starts it anew."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "processing_error"
    message = "The statement import failed; upload the file again."


def _extract_data(job: BankImportJob) -> dict[str, Any]:
    statements = import_statements(job=job)
    first = statements[0]
    data = dict(BankStatementSerializer(first).data)
    lines = statement_transactions(statement=first)[:EXTRACT_TRANSACTIONS_SHOWN]
    data["transactions"] = BankTransactionSerializer(lines, many=True).data
    data["statements"] = BankStatementSerializer(statements, many=True).data
    data["duplicate"] = job.duplicate
    data["import_id"] = job.public_id
    return data


def _import_answer(job: BankImportJob) -> Response:
    """200 with the statement when the import is done, 202 with the job while it runs; a failure is an error."""
    if job.status == ImportStatus.COMPLETED:
        return Response(_extract_data(job))
    if job.status == ImportStatus.FAILED:
        if job.failure_code == ImportFailure.REFUSED:
            raise ValidationFailed(job.failure_reason, details={"file": [job.failure_reason]})
        raise StatementImportFailed(job.failure_reason or None, details={"import_id": [job.public_id]})
    return Response(BankImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# Views


class BankExtractRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="Bank statement: CSV, OFX/QFX, MT940, CAMT.053 XML or text PDF. Max 20 MB and 200,000 lines "
        "by default (BANK_STATEMENT_MAX_BYTES, BANK_STATEMENT_MAX_ROWS)."
    )


class BankExtractApi(APIView):
    """Seed 001's `POST /bank/extract`: upload a statement, get its transactions (or 202 while it is imported)."""

    required_scopes = {"POST": "bank:write"}
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="bank_extract",
        request={"multipart/form-data": BankExtractRequestSerializer},
        parameters=[
            IDEMPOTENCY_PARAMETER,
            OpenApiParameter("async", bool, description="Answer 202 at once instead of waiting for the result"),
        ],
        responses=responses(
            {
                200: enveloped("BankExtract", BankExtractSerializer()),
                202: enveloped("BankImport", BankImportSerializer()),
                503: OpenApiResponse(ErrorSerializer, description="processing_error: the import could not finish"),
            }
        ),
        description=(
            "The import runs in the background; the request waits for it up to a limit and answers 200 with "
            "the statement, or 202 with the import job, status `processing` (poll `GET /bank/imports/{id}`). "
            "A refused file answers 400 naming `file`; an import that could not finish, 503 `processing_error`."
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        # Refuse an oversized body before the multipart parser spools it to disk.
        declared = declared_length(request)
        if declared > settings.BANK_STATEMENT_MAX_BYTES + 64 * 1024:
            raise statement_file_too_large()
        file = request.FILES.get("file")
        if file is None:
            raise ValidationFailed(
                "Send the statement as multipart form field 'file'.", details={"file": ["This field is required."]}
            )
        company = request_company(request)
        job = statement_import_start(company=company, file=file, actor=_actor(request))
        if request.query_params.get("async", "").lower() not in ("1", "true", "yes"):
            wait_while_status(BankImportJob, job.pk, ImportStatus.PROCESSING, seconds=settings.BANK_IMPORT_WAIT_SECONDS)
        return _import_answer(import_get(company=company, public_id=job.public_id))


class BankImportDetailApi(APIView):
    """`GET /bank/imports/{id}`: an import job, with the statements once it completed."""

    required_scopes = {"GET": "bank:read"}

    @extend_schema(
        operation_id="bank_imports_retrieve",
        responses=responses({200: enveloped("BankImport", BankImportSerializer())}),
    )
    def get(self, request: Request, import_id: str) -> Response:
        return Response(BankImportSerializer(import_get(company=request_company(request), public_id=import_id)).data)


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
    amount = MoneyField(currency="invoice.currency", help_text="Applied to the invoice, in its currency")
    write_off = MoneyField(currency="invoice.currency", help_text="Short-paid rest accepted as a bank fee")


class PaymentMatchSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    state = serializers.ChoiceField(choices=MatchState.choices)
    kind = serializers.ChoiceField(choices=MatchKind.choices)
    confidence = serializers.FloatField()
    reason = serializers.CharField()
    amount = MoneyField(
        currency="transaction.currency", help_text="How much of the transaction it uses, in its currency, unsigned"
    )
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
    statement_id = PublicIdRelatedField("bank statement", queryset=BankStatement.objects.filter(complete=True))
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
    amount = MoneyField(
        required=False,
        allow_null=True,
        min_value=Decimal("0.001"),
        help_text="In the invoice's currency; default: what it owes, up to what the payment has left",
    )
    write_off = MoneyField(
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
    """`POST .../matches/{id}/confirm`, `/reject` (rejecting a confirmed match undoes it and keeps that
    pairing out of later runs) or `/undo` (a confirmed match goes back to suggested)."""

    required_scopes = {"POST": "bank:write"}
    decision = ""

    @extend_schema(request=None, responses=responses({200: enveloped("PaymentMatch", PaymentMatchSerializer())}))
    def post(self, request: Request, reconciliation_id: str, match_id: str) -> Response:
        reconciliation = reconciliation_get(company=request_company(request), public_id=reconciliation_id)
        match = match_get(reconciliation=reconciliation, public_id=match_id)
        if self.decision == "confirm":
            match_confirm(match=match, actor=_actor(request))
        elif self.decision == "undo":
            match_undo(match=match, actor=_actor(request))
        else:
            match_reject(match=match, actor=_actor(request))
        return Response(PaymentMatchSerializer(match_get(reconciliation=reconciliation, public_id=match_id)).data)


class MatchConfirmApi(MatchDecisionApi):
    decision = "confirm"


class MatchRejectApi(MatchDecisionApi):
    decision = "reject"


class MatchUndoApi(MatchDecisionApi):
    decision = "undo"


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
