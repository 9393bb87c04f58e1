"""Invoices API: `/api/v1/invoices` with seed 001's fields and filters, for both directions."""

from typing import Any

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from buyers.models import Buyer
from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from invoices.imports import CSV_COLUMNS, MAX_CSV_BYTES, MAX_ROWS, invoice_import, rows_from_csv, rows_from_json
from invoices.intake import file_too_large, invoice_upload
from invoices.issuing.calc import TaxCategory
from invoices.issuing.document import money_text
from invoices.issuing.selectors import invoice_taxes
from invoices.issuing.services import invoice_issue
from invoices.models import (
    Direction,
    DocumentType,
    Invoice,
    Language,
    NumberSeries,
    PaperSize,
    PaymentStatus,
    State,
    Status,
)
from invoices.review import CODES as REVIEW_CODES
from invoices.selectors import invoice_get, invoice_list, invoice_wait_until_settled
from invoices.services import invoice_create, invoice_delete, invoice_update
from invoisx.api.errors import ValidationFailed
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.parsers import LimitedJSONParser, declared_length
from invoisx.api.permissions import request_company, request_token
from invoisx.api.schema import PAGE_PARAMETERS, deleted_response, enveloped, list_enveloped, responses
from invoisx.api.serializers import MoneyField, PublicIdRelatedField, StrictSerializer
from invoisx.errors import VALIDATION_ERROR, DomainError
from invoisx.money import normalise_currency

# Output


class SupplierOutputSerializer(serializers.Serializer):
    """The supplier as the invoice's document prints it, and the id of the company's supplier record."""

    id = serializers.CharField(
        source="supplier.public_id", allow_null=True, help_text="The supplier record (sup_…) the invoice is linked to"
    )
    name = serializers.CharField(source="supplier_name", help_text="As printed; empty where the document shows none")
    address = serializers.CharField(source="supplier_address", help_text="As printed; empty where none")
    tax_id = serializers.CharField(source="supplier_tax_id", help_text="As printed; empty where none")


class ReviewReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[(code, code) for code in REVIEW_CODES])
    field = serializers.CharField(allow_null=True, help_text="The invoice field concerned, when one is")
    message = serializers.CharField(help_text="What a person should check, with the figures")


class BuyerSummarySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    tax_id = serializers.CharField()


def _rate_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=False, allow_null=True, **kwargs)


class LineItemSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=1000)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False)
    unit = serializers.CharField(help_text="UN/ECE Recommendation 20 unit code; empty means C62 (one)")
    unit_price = serializers.DecimalField(max_digits=16, decimal_places=4, coerce_to_string=False)
    discount_amount = MoneyField(currency="invoice.currency", help_text="Line discount (BT-136)")
    discount_reason = serializers.CharField()
    charge_amount = MoneyField(currency="invoice.currency", help_text="Line charge (BT-141)")
    charge_reason = serializers.CharField()
    tax_category = serializers.CharField(
        help_text="UNCL 5305: S, Z, E, AE, K, G or O; empty on lines that take totals.tax_rate"
    )
    tax_rate = _rate_field(help_text="Percent; null on lines that take totals.tax_rate")
    tax_exemption_reason = serializers.CharField()
    amount = MoneyField(currency="invoice.currency", help_text="Net: quantity × unit price − discount + charge")


class AllowanceChargeSerializer(serializers.Serializer):
    amount = MoneyField(currency="invoice.currency")
    reason = serializers.CharField()
    tax_category = serializers.CharField()
    tax_rate = _rate_field()


class TaxSubtotalSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="UNCL 5305 tax category")
    rate = _rate_field()
    taxable_amount = serializers.CharField(help_text="Decimal string in the invoice's currency")
    tax_amount = serializers.CharField(help_text="Decimal string in the invoice's currency")
    exemption_reason = serializers.CharField()


class TotalsSerializer(serializers.Serializer):
    line_total = MoneyField(help_text="Sum of the lines' net amounts (BT-106)")
    allowance_total = MoneyField(help_text="Document discounts (BT-107)")
    charge_total = MoneyField(help_text="Document charges (BT-108)")
    subtotal = MoneyField(help_text="Total without tax (BT-109)")
    tax_rate = _rate_field(help_text="The invoice's one rate; null when it has several")
    tax_amount = MoneyField()
    total = MoneyField()


class PaymentSerializer(serializers.Serializer):
    status = serializers.ChoiceField(source="payment_status", choices=PaymentStatus.choices)
    amount_paid = MoneyField()
    amount_written_off = MoneyField(help_text="Short payments accepted as bank fees")
    amount_due = MoneyField()
    amount_credited = MoneyField(help_text="What issued credit notes have credited; no longer due")
    last_payment_date = serializers.DateField(allow_null=True)


class InvoiceOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    direction = serializers.ChoiceField(choices=Direction.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    state = serializers.ChoiceField(
        choices=State.choices,
        help_text="draft, issued, sent or void for sales invoices issued here; recorded for invoices issued "
        "elsewhere (purchase invoices, and sales invoices recorded with their number)",
    )
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    preceding_invoice = serializers.CharField(
        source="preceding_invoice.public_id", allow_null=True, help_text="Credit notes: the invoice (inv_…) corrected"
    )
    series = serializers.CharField(source="series.public_id", allow_null=True, help_text="The number series (ser_…)")
    language = serializers.CharField(help_text="Of the PDF and email (en, ms, fr, de); empty: the company's")
    paper_size = serializers.ChoiceField(choices=PaperSize.choices)
    buyer_reference = serializers.CharField()
    purchase_order = serializers.CharField()
    delivery_date = serializers.DateField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    voided_at = serializers.DateTimeField(allow_null=True)
    void_reason = serializers.CharField()
    supplier = serializers.SerializerMethodField(help_text="Purchase invoices: the supplier as printed")
    buyer = BuyerSummarySerializer(allow_null=True)
    invoice_number = serializers.CharField()
    invoice_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    currency = serializers.CharField()
    line_items = LineItemSerializer(source="lines", many=True)
    discounts = serializers.SerializerMethodField()
    charges = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    taxes = serializers.SerializerMethodField(help_text="The tax breakdown per category and rate (BG-23)")
    payment = serializers.SerializerMethodField(help_text="What confirmed bank matches have paid")
    confidence = serializers.FloatField(allow_null=True)
    field_confidence = serializers.DictField(child=serializers.FloatField())
    page_count = serializers.IntegerField(allow_null=True)
    failure_reason = serializers.CharField()
    review_reasons = ReviewReasonSerializer(
        many=True, help_text="Why a person should review the invoice; empty when nothing needs one (status)"
    )
    duplicate_of = serializers.CharField(
        source="duplicate_of.public_id",
        allow_null=True,
        help_text="The earliest invoice (inv_…) received with the same number from the same supplier. "
        "On POST /invoices/extract of a file already received: that file's invoice, which is the answer.",
    )
    notes = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(SupplierOutputSerializer(allow_null=True))
    def get_supplier(self, invoice: Invoice) -> dict[str, Any] | None:
        printed = invoice.supplier_name or invoice.supplier_address or invoice.supplier_tax_id
        if invoice.direction != Direction.PURCHASE or (invoice.supplier_id is None and not printed):
            return None
        return SupplierOutputSerializer(invoice).data

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, invoice: Invoice) -> dict[str, Any]:
        return TotalsSerializer(invoice).data

    @extend_schema_field(AllowanceChargeSerializer(many=True))
    def get_discounts(self, invoice: Invoice) -> list[dict[str, Any]]:
        items = [item for item in invoice.allowances_charges.all() if not item.is_charge]
        return list(AllowanceChargeSerializer(items, many=True).data)

    @extend_schema_field(AllowanceChargeSerializer(many=True))
    def get_charges(self, invoice: Invoice) -> list[dict[str, Any]]:
        items = [item for item in invoice.allowances_charges.all() if item.is_charge]
        return list(AllowanceChargeSerializer(items, many=True).data)

    @extend_schema_field(TaxSubtotalSerializer(many=True))
    def get_taxes(self, invoice: Invoice) -> list[dict[str, Any]]:
        return [
            {
                "category": tax.category,
                "rate": tax.rate,
                "taxable_amount": money_text(tax.taxable_amount, invoice.currency),
                "tax_amount": money_text(tax.tax_amount, invoice.currency),
                "exemption_reason": tax.exemption_reason,
            }
            for tax in invoice_taxes(invoice)
        ]

    @extend_schema_field(PaymentSerializer)
    def get_payment(self, invoice: Invoice) -> dict[str, Any]:
        return PaymentSerializer(invoice).data


class InvoiceDetailSerializer(InvoiceOutputSerializer):
    """One invoice, with the text its document was read from."""

    text = serializers.CharField(source="extracted_text")


# Input


class SupplierInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    tax_id = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class LineItemInputSerializer(StrictSerializer):
    description = serializers.CharField(max_length=1000)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4)
    unit = serializers.RegexField(
        r"^[A-Z0-9]{2,3}$", required=False, allow_blank=True, help_text="UN/ECE Rec. 20 code: C62, HUR, KGM, …"
    )
    unit_price = serializers.DecimalField(max_digits=16, decimal_places=4)
    discount_amount = MoneyField(required=False, allow_null=True, min_value=0)
    discount_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    charge_amount = MoneyField(required=False, allow_null=True, min_value=0)
    charge_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    tax_category = serializers.ChoiceField(
        choices=TaxCategory.CHOICES, required=False, allow_blank=True, help_text="UNCL 5305; the line's own"
    )
    tax_rate = serializers.DecimalField(
        max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False, allow_null=True
    )
    tax_exemption_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    amount = MoneyField(required=False, allow_null=True)

    def validate_quantity(self, value: Any) -> Any:
        if value == 0:
            raise serializers.ValidationError("Must not be zero.")
        return value


class TotalsInputSerializer(StrictSerializer):
    subtotal = MoneyField(required=False, allow_null=True)
    tax_rate = serializers.DecimalField(
        max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False, allow_null=True
    )
    tax_amount = MoneyField(required=False, allow_null=True)
    total = MoneyField(required=False, allow_null=True)


class AllowanceChargeInputSerializer(StrictSerializer):
    amount = MoneyField(min_value=0)
    reason = serializers.CharField(max_length=200)
    tax_category = serializers.ChoiceField(choices=TaxCategory.CHOICES, required=False, allow_blank=True)
    tax_rate = serializers.DecimalField(
        max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False, allow_null=True
    )


class InvoiceInputSerializer(StrictSerializer):
    direction = serializers.ChoiceField(
        choices=Direction.choices,
        required=False,
        help_text="Defaults to 'sales' when buyer_id is given, else 'purchase'.",
    )
    buyer_id = PublicIdRelatedField(
        "buyer", queryset=Buyer.objects.all(), source="buyer", required=False, help_text="Sales invoices: byr_…"
    )
    supplier = SupplierInputSerializer(
        required=False, help_text="Purchase invoices: found by tax id or name, or created"
    )
    invoice_number = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Sales invoices: leave out to create a draft, numbered from its series when issued; "
        "give it to record an invoice issued elsewhere",
    )
    invoice_date = serializers.DateField(required=False, allow_null=True, help_text="Drafts: the issue date if set")
    due_date = serializers.DateField(required=False, allow_null=True)
    currency = serializers.CharField(min_length=3, max_length=3)
    line_items = serializers.ListField(child=LineItemInputSerializer(), required=False, max_length=1000)
    totals = TotalsInputSerializer(required=False)
    discounts = serializers.ListField(
        child=AllowanceChargeInputSerializer(), required=False, max_length=100, help_text="Drafts: BG-20"
    )
    charges = serializers.ListField(
        child=AllowanceChargeInputSerializer(), required=False, max_length=100, help_text="Drafts: BG-21"
    )
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False, allow_null=True)
    paper_size = serializers.ChoiceField(choices=PaperSize.choices, required=False)
    buyer_reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
    purchase_order = serializers.CharField(max_length=200, required=False, allow_blank=True)
    delivery_date = serializers.DateField(required=False, allow_null=True)
    series_id = PublicIdRelatedField(
        "number series",
        queryset=NumberSeries.objects.all(),
        source="series",
        required=False,
        allow_null=True,
        help_text="Drafts: the series (ser_…) to number from; the default one when left out",
    )

    def validate_currency(self, value: str) -> str:
        try:
            return normalise_currency(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


def _missing_fields(serializer: serializers.Serializer, given: dict[str, Any]) -> dict[str, list[str]]:
    return {
        name: ["This field is required."]
        for name, field in serializer.fields.items()
        if field.required and name not in given
    }


class InvoiceCreateSerializer(InvoiceInputSerializer):
    issue = serializers.BooleanField(
        required=False, default=False, help_text="Sales: create the draft and issue it in one call"
    )


class InvoiceUpdateSerializer(InvoiceInputSerializer):
    """A PATCH changes the fields it names. A supplier or line items it names replace the old ones
    whole, so they are checked as complete objects: a partial root would otherwise let DRF skip their
    required fields too, and hand the service half a supplier or a line without a price."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)

    def validate_supplier(self, value: dict[str, Any]) -> dict[str, Any]:
        missing = _missing_fields(SupplierInputSerializer(), value)
        if missing:
            raise serializers.ValidationError(missing)
        return value

    def validate_line_items(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        missing = [_missing_fields(LineItemInputSerializer(), line) for line in value]
        if any(missing):
            raise serializers.ValidationError(missing)
        return value


INVOICE_FILTERS = [
    OpenApiParameter("supplier", str, description="Supplier name, as printed, contains (case-insensitive)"),
    OpenApiParameter("buyer", str, description="Buyer id (byr_…)"),
    OpenApiParameter("date_from", str, description="Invoice date on or after (YYYY-MM-DD)"),
    OpenApiParameter("date_to", str, description="Invoice date on or before (YYYY-MM-DD)"),
    OpenApiParameter("currency", str, description="ISO 4217 code"),
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("state", str, enum=State.values),
    OpenApiParameter("document_type", str, enum=DocumentType.values),
    OpenApiParameter("direction", str, enum=Direction.values),
    OpenApiParameter("duplicate_of", str, description="Invoices marked duplicates of this one (inv_…)"),
    OpenApiParameter("payment_status", str, enum=PaymentStatus.values, description="Paid by confirmed bank matches"),
    OpenApiParameter("search", str, description="Invoice number, supplier or buyer name contains"),
    OpenApiParameter("ordering", str, description="invoice_date, due_date, total, created_at; '-' reverses"),
]


class InvoiceListApi(APIView):
    required_scopes = {"GET": "invoices:read", "POST": "invoices:write"}

    @extend_schema(
        operation_id="invoices_list",
        parameters=PAGE_PARAMETERS + INVOICE_FILTERS,
        responses=responses({200: list_enveloped("Invoice", "invoices", InvoiceOutputSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, invoice_list(company=request_company(request), filters=request.query_params))
        return Response(paginated_data("invoices", page, InvoiceOutputSerializer(page.items, many=True).data))

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="invoices_create",
        request=InvoiceCreateSerializer,
        responses=responses({201: enveloped("InvoiceDetail", InvoiceDetailSerializer())}),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        company = request_company(request)
        serializer = InvoiceCreateSerializer(data=request.data, context={"company": company})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        issue = fields.pop("issue")
        if issue and fields.get("invoice_number"):
            raise ValidationFailed(
                "An invoice issued here is numbered from its series.",
                details={"invoice_number": ["Leave it out to issue the invoice here."]},
            )
        with transaction.atomic():
            invoice = invoice_create(company=company, **fields)
            if issue:
                invoice = invoice_issue(invoice=invoice, token=request_token(request))
        invoice = invoice_get(company=company, public_id=invoice.public_id)
        return Response(InvoiceDetailSerializer(invoice).data, status=status.HTTP_201_CREATED)


class InvoiceDetailApi(APIView):
    required_scopes = {"GET": "invoices:read", "PATCH": "invoices:write", "DELETE": "invoices:delete"}

    @extend_schema(
        operation_id="invoices_retrieve",
        responses=responses({200: enveloped("InvoiceDetail", InvoiceDetailSerializer())}),
    )
    def get(self, request: Request, invoice_id: str) -> Response:
        return Response(
            InvoiceDetailSerializer(invoice_get(company=request_company(request), public_id=invoice_id)).data
        )

    @extend_schema(
        operation_id="invoices_partial_update",
        request=InvoiceUpdateSerializer,
        responses=responses({200: enveloped("InvoiceDetail", InvoiceDetailSerializer())}),
    )
    def patch(self, request: Request, invoice_id: str) -> Response:
        company = request_company(request)
        invoice = invoice_get(company=company, public_id=invoice_id)
        serializer = InvoiceUpdateSerializer(data=request.data, context={"company": company})
        serializer.is_valid(raise_exception=True)
        invoice_update(invoice=invoice, changed_by_token=request_token(request), **serializer.validated_data)
        return Response(InvoiceDetailSerializer(invoice_get(company=company, public_id=invoice_id)).data)

    @extend_schema(operation_id="invoices_destroy", responses=responses({200: deleted_response("Invoice")}))
    def delete(self, request: Request, invoice_id: str) -> Response:
        invoice_delete(invoice=invoice_get(company=request_company(request), public_id=invoice_id))
        return Response({"deleted": True, "id": invoice_id})


class InvoiceExtractRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Invoice file: PDF, PNG, JPG, or UBL / CII e-invoice XML. Max 20 MB.")


class InvoiceExtractApi(APIView):
    """Seed 001's `POST /invoices/extract`: upload a document, get its data (or 202 while it is read)."""

    required_scopes = {"POST": "invoices:write"}
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="invoices_extract",
        request={"multipart/form-data": InvoiceExtractRequestSerializer},
        parameters=[
            IDEMPOTENCY_PARAMETER,
            OpenApiParameter("async", bool, description="Answer 202 at once instead of waiting for the result"),
        ],
        responses=responses(
            {
                200: enveloped("InvoiceDetail", InvoiceDetailSerializer()),
                202: enveloped("InvoiceDetail", InvoiceDetailSerializer()),
            }
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        # Refuse an oversized body before the multipart parser spools it to disk.
        declared = declared_length(request)
        if declared > settings.EXTRACTION_MAX_BYTES + 64 * 1024:
            raise file_too_large()
        file = request.FILES.get("file")
        if file is None:
            raise ValidationFailed(
                "Send the document as multipart form field 'file'.", details={"file": ["This field is required."]}
            )
        upload = invoice_upload(
            company=request_company(request), file=file, counts_towards_usage=not request_token(request).is_test
        )
        invoice = upload.invoice
        if request.query_params.get("async", "").lower() not in ("1", "true", "yes"):
            invoice = invoice_wait_until_settled(invoice=invoice, seconds=settings.EXTRACTION_WAIT_SECONDS)
        data = InvoiceDetailSerializer(invoice).data
        if upload.duplicate:
            data["duplicate_of"] = invoice.public_id
        settled = invoice.status != Status.PROCESSING
        return Response(data, status=status.HTTP_200_OK if settled else status.HTTP_202_ACCEPTED)


class InvoiceImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, UTF-8, one invoice per row; header columns: " + ", ".join(CSV_COLUMNS))


class ImportedInvoiceSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    invoice_number = serializers.CharField()
    direction = serializers.CharField()


class InvoiceImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    invoices = ImportedInvoiceSerializer(many=True)


class InvoiceImportApi(APIView):
    """`POST /invoices/import`: a JSON array of invoices or a CSV file, all imported or none."""

    required_scopes = {"POST": "invoices:write"}
    parser_classes = [LimitedJSONParser, MultiPartParser]

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="invoices_import",
        request={
            "application/json": InvoiceInputSerializer(many=True),
            "multipart/form-data": InvoiceImportRequestSerializer,
        },
        responses=responses({201: enveloped("InvoiceImport", InvoiceImportResultSerializer())}),
        description=(
            "All or nothing. Errors are keyed rows[n].field: n is the array index for JSON, the line number "
            f"for CSV (the header is line 1). At most {MAX_ROWS} invoices a call."
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        company = request_company(request)
        if request.content_type.startswith("multipart/"):
            file = request.FILES.get("file")
            if file is None:
                raise ValidationFailed(
                    "Send the CSV as multipart form field 'file'.", details={"file": ["This field is required."]}
                )
            if file.size is not None and file.size > MAX_CSV_BYTES:
                raise ValidationFailed("The file is larger than 20 MB.", details={"file": ["Too large."]})
            rows = rows_from_csv(file.read())
        else:
            rows = rows_from_json(request.data)

        def validate(data: dict[str, Any]) -> dict[str, Any]:
            serializer = InvoiceInputSerializer(data=data, context={"company": company})
            if not serializer.is_valid():
                raise DomainError(
                    code=VALIDATION_ERROR, message="The invoice failed validation.", details=serializer.errors
                )
            return dict(serializer.validated_data)

        created = invoice_import(company=company, rows=rows, validate=validate)
        result = {"imported": len(created), "invoices": created}
        return Response(InvoiceImportResultSerializer(result).data, status=status.HTTP_201_CREATED)
