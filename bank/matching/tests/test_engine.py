"""Behaviour of the matching engine on small ledgers built in code, one test per case type."""

import dataclasses
import datetime
from decimal import Decimal

from bank.matching import MatchConfig, OpenInvoice, Payment, reconcile
from bank.matching.normalise import name_core, original_amount, ref_candidates, ref_key, within_one_edit

D = datetime.date(2026, 3, 1)


def invoice(
    id: str,
    amount: str,
    *,
    number: str | None = None,
    name: str = "Nordic Logistics GmbH",
    direction: str = "sales",
    currency: str = "EUR",
    references: tuple[str, ...] = (),
) -> OpenInvoice:
    return OpenInvoice(
        id=id,
        direction=direction,  # type: ignore[arg-type]
        number=number or f"INV-2026-{id[-4:]}",
        counterparty=name,
        currency=currency,
        amount_open=Decimal(amount),
        invoice_date=D - datetime.timedelta(days=20),
        due_date=D,
        references=references,
    )


def payment(
    id: str, amount: str, description: str = "", *, counterparty: str | None = None, reference: str | None = None
) -> Payment:
    return Payment(
        id=id,
        date=D,
        amount=Decimal(amount),
        currency="EUR",
        description=description,
        reference=reference,
        counterparty=counterparty,
    )


def pairs(result) -> set[tuple[str, str]]:
    return {(m.payment_id, a.invoice_id) for m in result.matches for a in m.allocations}


def auto_pairs(result) -> set[tuple[str, str]]:
    return {(m.payment_id, a.invoice_id) for m in result.matches if m.auto_confirm for a in m.allocations}


# A ledger with decoys: other customers, other amounts, a purchase invoice of the same amount.
def ledger(*extra: OpenInvoice) -> list[OpenInvoice]:
    return [
        invoice("inv_0001", "1190.00"),
        invoice("inv_0002", "250.00", name="Atlas Foods SARL"),
        invoice("inv_0003", "980.40", name="Blue Textiles B.V."),
        invoice("inv_0004", "1190.00", number="RE-2026-00077", name="Summit Print Ltd", direction="purchase"),
        *extra,
    ]


def test_it_matches_exact_amount_and_reference_with_high_confidence():
    result = reconcile(ledger(), [payment("p1", "1190.00", "SEPA CREDIT TRANSFER FROM NORDIC LOGISTICS INV-2026-0001")])
    assert pairs(result) == {("p1", "inv_0001")}
    match = result.matches[0]
    assert match.confidence >= 0.95
    assert match.auto_confirm
    assert match.kind == "exact"
    assert "INV-2026-0001" in match.reason


def test_it_reads_references_with_spacing_case_and_typos():
    typos = ["inv 2026 0001", "INV20260001", "INV-2026-O001", "INV-2026-0010", "2026-0001", "INV-2026-00001"]
    for n, text in enumerate(typos):
        result = reconcile(ledger(), [payment(f"p{n}", "1190.00", "PAYMENT", reference=text)])
        assert auto_pairs(result) == {(f"p{n}", "inv_0001")}, text


def test_it_suggests_a_unique_amount_without_other_evidence_but_does_not_auto_confirm():
    result = reconcile(ledger(), [payment("p1", "980.40", "TRANSFER")])
    assert pairs(result) == {("p1", "inv_0003")}
    assert not result.matches[0].auto_confirm
    assert result.matches[0].kind == "amount_only"


def test_it_matches_by_counterparty_name_and_amount_ignoring_legal_form_and_case():
    result = reconcile(ledger(), [payment("p1", "250.00", "GIRO IN", counterparty="ATLAS FOODS")])
    assert auto_pairs(result) == {("p1", "inv_0002")}
    assert "Atlas Foods SARL" in result.matches[0].reason


def test_it_matches_a_truncated_bank_name():
    inv = invoice("inv_0009", "77.00", name="Keystone Engineering GmbH & Co. KG")
    result = reconcile(ledger(inv), [payment("p1", "77.00", "TRF", counterparty="KEYSTONE ENGINEERING G")])
    assert auto_pairs(result) == {("p1", "inv_0009")}


def test_it_settles_an_invoice_short_paid_by_a_bank_fee():
    result = reconcile(ledger(), [payment("p1", "1182.50", "INV-2026-0001")])
    match = result.matches[0]
    assert match.kind == "fee"
    assert match.auto_confirm
    assert match.allocations[0].amount == Decimal("1182.50")
    assert match.allocations[0].write_off == Decimal("7.50")


def test_the_bank_fee_tolerance_is_configurable():
    config = MatchConfig(fee_fixed=Decimal("1.00"), fee_percent=Decimal("0"), fee_percent_fixed=Decimal("0"))
    result = reconcile(ledger(), [payment("p1", "1182.50", "INV-2026-0001")], config)
    assert result.matches[0].kind == "partial"
    assert result.matches[0].allocations[0].write_off == 0


def test_it_applies_a_partial_payment_and_leaves_the_rest_open():
    result = reconcile(ledger(), [payment("p1", "500.00", "INV-2026-0001")])
    match = result.matches[0]
    assert match.kind == "partial"
    assert match.allocations[0].amount == Decimal("500.00")


def test_one_payment_settles_several_invoices_of_one_counterparty():
    extra = (invoice("inv_0011", "100.00"), invoice("inv_0012", "45.55"))
    result = reconcile(ledger(*extra), [payment("p1", "1335.55", "PAYMENT RUN", counterparty="Nordic Logistics")])
    assert auto_pairs(result) == {("p1", "inv_0001"), ("p1", "inv_0011"), ("p1", "inv_0012")}
    assert result.matches[0].kind == "multi"


def test_one_payment_quoting_several_references():
    extra = (invoice("inv_0011", "100.00"),)
    result = reconcile(ledger(*extra), [payment("p1", "1290.00", "INV-2026-0001 INV-2026-0011")])
    assert auto_pairs(result) == {("p1", "inv_0001"), ("p1", "inv_0011")}


def test_several_payments_settle_one_invoice_without_exceeding_its_open_amount():
    payments = [
        payment("p1", "400.00", "INV-2026-0001 1/3"),
        payment("p2", "400.00", "INV-2026-0001 2/3"),
        payment("p3", "390.00", "INV-2026-0001 3/3"),
        payment("p4", "390.00", "INV-2026-0001"),  # nothing left to pay
    ]
    result = reconcile(ledger(), payments)
    applied = {m.payment_id: m.allocations[0].amount for m in result.matches}
    assert applied == {"p1": Decimal("400.00"), "p2": Decimal("400.00"), "p3": Decimal("390.00")}
    assert "p4" in result.unmatched_payment_ids


def test_a_payment_whose_best_invoice_is_taken_falls_back_to_its_next_best():
    extra = (invoice("inv_0031", "500.00"), invoice("inv_0032", "500.00"))
    payments = [
        payment("p1", "500.00", "TRF", counterparty="NORDIC LOGISTICS"),  # fits both invoices equally well
        payment("p2", "500.00", "INV-2026-0031", counterparty="NORDIC LOGISTICS"),  # takes inv_0031 first
    ]
    result = reconcile(ledger(*extra), payments)
    assert pairs(result) == {("p1", "inv_0032"), ("p2", "inv_0031")}
    assert [m.payment_id for m in result.matches] == ["p2", "p1"]
    assert not next(m for m in result.matches if m.payment_id == "p1").auto_confirm


def test_equal_amounts_of_one_counterparty_lower_confidence_instead_of_guessing():
    extra = (invoice("inv_0021", "300.00"), invoice("inv_0022", "300.00"))
    result = reconcile(ledger(*extra), [payment("p1", "300.00", "TRF", counterparty="NORDIC LOGISTICS")])
    match = result.matches[0]
    assert not match.auto_confirm
    assert "ambiguous" in match.reason
    alone = reconcile(ledger(extra[0]), [payment("p1", "300.00", "TRF", counterparty="NORDIC LOGISTICS")])
    assert alone.matches[0].auto_confirm
    assert alone.matches[0].confidence > match.confidence


def test_a_reference_breaks_an_equal_amount_tie():
    extra = (invoice("inv_0021", "300.00"), invoice("inv_0022", "300.00"))
    result = reconcile(ledger(*extra), [payment("p1", "300.00", "INV-2026-0022", counterparty="NORDIC LOGISTICS")])
    assert auto_pairs(result) == {("p1", "inv_0022")}


def test_a_payment_in_another_currency_is_refused():
    usd = invoice("inv_0031", "500.00", currency="USD")
    result = reconcile([usd], [payment("p1", "500.00", "INV-2026-0031", counterparty="NORDIC LOGISTICS")])
    assert result.matches == []
    assert result.unmatched_payment_ids == ["p1"]


def test_a_converted_payment_matches_on_its_original_amount():
    usd = invoice("inv_0031", "500.00", currency="USD")
    result = reconcile([usd], [payment("p1", "461.75", "INV-2026-0031 ORIG USD 500.00 RATE 0.9235")])
    assert auto_pairs(result) == {("p1", "inv_0031")}
    assert "original currency" in result.matches[0].reason


def test_money_in_never_pays_a_purchase_invoice_and_money_out_never_a_sales_invoice():
    result = reconcile(ledger(), [payment("p1", "-1190.00", "PAYMENT RE-2026-00077 INV-2026-0001")])
    assert auto_pairs(result) == {("p1", "inv_0004")}
    result = reconcile(ledger(), [payment("p1", "-980.40", "INV-2026-0003", counterparty="Blue Textiles")])
    assert result.matches == []


def test_only_matches_above_the_threshold_are_auto_confirmed():
    payments = [payment("p1", "980.40", "TRANSFER"), payment("p2", "1190.00", "INV-2026-0001")]
    strict = reconcile(ledger(), payments, MatchConfig(auto_confirm_threshold=0.999))
    assert not any(m.auto_confirm for m in strict.matches)
    loose = reconcile(ledger(), payments, MatchConfig(auto_confirm_threshold=0.5))
    assert all(m.auto_confirm for m in loose.matches)
    assert len(loose.matches) == 2


def test_an_identical_re_exported_line_is_not_matched_twice():
    line = payment("p1", "500.00", "INV-2026-0001")
    twin = payment("p2", "500.00", "INV-2026-0001")
    result = reconcile(ledger(), [line, twin])
    assert pairs(result) == {("p1", "inv_0001")}
    assert "p2" in result.notes


def test_unrelated_lines_are_left_alone():
    payments = [payment("p1", "-42.10", "CARD PAYMENT LIDL BERLIN"), payment("p2", "12.00", "CREDIT INTEREST 03/2026")]
    assert reconcile(ledger(), payments).matches == []


def test_normal_forms():
    assert ref_key("inv-2026-o042") == "INV20260042"
    assert ref_key("PO-12345") == "PO12345"
    assert "INV20260042" in ref_candidates("/REMI/INV 2026 0042")
    assert name_core("Keystone Engineering GmbH & Co. KG") == ("KEYSTONE", "ENGINEERING")
    assert name_core("Müller Foods Sdn. Bhd.") == ("MULLER", "FOODS")
    assert within_one_edit("INV20260042", "INV20260024")
    assert not within_one_edit("INV20260042", "INV20260420")
    assert original_amount("X ORIG USD 1,234.50 RATE 0.92") == (Decimal("1234.50"), "USD")
    assert original_amount("/OCMT/EUR1.234,50/") == (Decimal("1234.50"), "EUR")


def test_a_known_account_tells_apart_two_parties_of_the_same_name():
    ours = dataclasses.replace(invoice("inv_0041", "300.00"), counterparty_account="DE11 0000 1111")
    namesake = dataclasses.replace(
        invoice("inv_0042", "300.00", name="Nordic Logistics SARL"), counterparty_account="FR22 0000 2222"
    )
    line = dataclasses.replace(
        payment("p1", "300.00", "TRF", counterparty="NORDIC LOGISTICS"), counterparty_account="DE1100001111"
    )
    assert auto_pairs(reconcile([ours, namesake], [line])) == {("p1", "inv_0041")}
    unknown = dataclasses.replace(line, counterparty_account="GB33 0000 3333")
    assert not reconcile([ours, namesake], [unknown]).matches[0].auto_confirm


def test_a_number_two_suppliers_share_goes_to_the_one_the_payment_names():
    ours = invoice("p-1", "480.00", number="1042", name="Baltic Timber AS", direction="purchase")
    theirs = invoice("p-2", "500.00", number="1042", name="Oslo Paper AS", direction="purchase")

    result = reconcile(
        [ours, theirs], [payment("t-1", "-240.00", "Invoice 1042 first half", counterparty="Baltic Timber")]
    )

    assert auto_pairs(result) == {("t-1", "p-1")}
    assert "ambiguous" not in result.matches[0].reason


# Currencies with 0 and 3 decimals: amounts are compared in thousandths, exact for every minor unit


def test_dinar_amounts_a_fils_apart_are_told_apart_and_allocated_exactly():
    invoices = [
        invoice("inv-0001", "1250.234", name="Gulf Trading WLL", currency="BHD"),
        invoice("inv-0002", "1250.235", name="Gulf Trading WLL", currency="BHD"),
    ]
    paid = dataclasses.replace(payment("p1", "1250.235", "Gulf Trading WLL"), currency="BHD")

    result = reconcile(invoices, [paid])

    [match] = result.matches
    [allocation] = match.allocations
    assert (allocation.invoice_id, allocation.amount, match.kind) == ("inv-0002", Decimal("1250.235"), "exact")


def test_yen_amounts_are_matched_and_allocated_in_whole_yen():
    invoices = [invoice("inv-0001", "150000", name="Tokyo Parts KK", currency="JPY")]
    paid = dataclasses.replace(payment("p1", "150000", "Tokyo Parts KK INV-2026-0001"), currency="JPY")

    [match] = reconcile(invoices, [paid]).matches

    assert match.kind == "exact"
    assert match.allocations[0].amount == Decimal(150000)


def test_a_dinar_payment_short_by_a_fee_writes_off_the_exact_fils():
    invoices = [invoice("inv-0001", "100.500", name="Gulf Trading WLL", currency="KWD")]
    paid = dataclasses.replace(payment("p1", "98.275", "Gulf Trading WLL INV-2026-0001"), currency="KWD")

    [match] = reconcile(invoices, [paid]).matches

    [allocation] = match.allocations
    assert (match.kind, allocation.amount, allocation.write_off) == ("fee", Decimal("98.275"), Decimal("2.225"))
