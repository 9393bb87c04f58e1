"""The invoices API's serializers: an invoice as the API shows it, and what creating or changing one takes."""

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from buyers.models import Buyer
from invoices.api.representation import invoice_representation, supplier_shown, taxes_representation
from invoices.issuing.calc import TaxCategory
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
from invoisx.api.serializers import MoneyField, PublicIdRelatedField, StrictSerializer
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


class CollectedFromSerializer(serializers.Serializer):
    collector = serializers.CharField(help_text="The collector that fetched it (imap, sftp, supplier_portal, ...)")
    credential_id = serializers.CharField(help_text="The credential (crd_…)")
    user_id = serializers.CharField(help_text="The collecting user (usr_…)")
    remote_id = serializers.CharField(help_text="The user's id in the customer's system (seed 003)")


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


# The declared DecimalFields whose output the fast path (`invoice_representation`) takes as DRF writes it.
DECIMAL_FIELDS: dict[str, serializers.DecimalField] = {
    "quantity": cast(serializers.DecimalField, LineItemSerializer._declared_fields["quantity"]),
    "unit_price": cast(serializers.DecimalField, LineItemSerializer._declared_fields["unit_price"]),
    "rate": cast(serializers.DecimalField, TotalsSerializer._declared_fields["tax_rate"]),
}


class InvoiceOutputSerializer(serializers.Serializer):
    """An invoice. Its declared fields are the contract and DRF's reading of them the reference;
    `to_representation` writes the same directly (`invoices.api.representation`), several times faster."""

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
    line_items = LineItemSerializer(source="line_list", many=True)
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
    collected_from = serializers.SerializerMethodField(
        help_text="Collected invoices (seed 003): the credential and user that fetched it; null otherwise"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _nested(self, serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
        """One instance of `serializer_class` for this serializer's whole page.

        Building a serializer deep-copies its declared fields: once per row and per nested part, that
        was a third of the list's time. Its fields are stateless once bound, so one instance serves
        every row, and `to_representation` gives what `.data` gave, without the copy.
        """
        nested = self.__dict__.setdefault("_nested_serializers", {})
        if serializer_class not in nested:
            nested[serializer_class] = serializer_class(context=self._context)
        return nested[serializer_class]

    def to_representation(self, invoice: Invoice) -> dict[str, Any]:
        return invoice_representation(invoice, decimal_fields=DECIMAL_FIELDS)

    @extend_schema_field(SupplierOutputSerializer(allow_null=True))
    def get_supplier(self, invoice: Invoice) -> dict[str, Any] | None:
        if not supplier_shown(invoice):
            return None
        return self._nested(SupplierOutputSerializer).to_representation(invoice)

    @extend_schema_field(CollectedFromSerializer(allow_null=True))
    def get_collected_from(self, invoice: Invoice) -> dict[str, Any] | None:
        if not invoice.collected_from:
            return None
        return self._nested(CollectedFromSerializer).to_representation(invoice.collected_from)

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, invoice: Invoice) -> dict[str, Any]:
        return self._nested(TotalsSerializer).to_representation(invoice)

    @extend_schema_field(AllowanceChargeSerializer(many=True))
    def get_discounts(self, invoice: Invoice) -> list[dict[str, Any]]:
        items = [item for item in invoice.allowance_charge_list() if not item.is_charge]
        return [self._nested(AllowanceChargeSerializer).to_representation(item) for item in items]

    @extend_schema_field(AllowanceChargeSerializer(many=True))
    def get_charges(self, invoice: Invoice) -> list[dict[str, Any]]:
        items = [item for item in invoice.allowance_charge_list() if item.is_charge]
        return [self._nested(AllowanceChargeSerializer).to_representation(item) for item in items]

    @extend_schema_field(TaxSubtotalSerializer(many=True))
    def get_taxes(self, invoice: Invoice) -> list[dict[str, Any]]:
        return taxes_representation(invoice)

    @extend_schema_field(PaymentSerializer)
    def get_payment(self, invoice: Invoice) -> dict[str, Any]:
        return self._nested(PaymentSerializer).to_representation(invoice)


class InvoiceDetailSerializer(InvoiceOutputSerializer):
    """One invoice, with the text its document was read from."""

    text = serializers.CharField(source="extracted_text")

    def to_representation(self, invoice: Invoice) -> dict[str, Any]:
        return {**super().to_representation(invoice), "text": str(invoice.extracted_text)}


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
