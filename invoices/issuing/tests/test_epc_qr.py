"""The EPC QR code (invoices/issuing/epc_qr.py): the EPC069-12 payload, and the code a banking app reads off the PDF."""

import copy
import io

import cv2
import pypdfium2
import pytest

from invoices.issuing.epc_qr import epc_qr_payload, epc_qr_svg
from invoices.issuing.pdf import render_pdf
from invoices.issuing.tests.matrix import MATRIX, one_rate


def changed(document: dict, **changes) -> dict:
    """A deep copy of `document` with `changes` ("payment__iban": value sets document["payment"]["iban"])."""
    result = copy.deepcopy(document)
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = result
        for parent in parents:
            target = target[parent]
        target[key] = value
    return result


def payload_of(document: dict) -> str:
    payload = epc_qr_payload(document)
    assert payload is not None
    return payload


def decoded_qr_codes(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(io.BytesIO(pdf))[0]
    bitmap = page.render(scale=3, grayscale=True).to_numpy()
    text, _points, _code = cv2.QRCodeDetector().detectAndDecode(bitmap)
    return [text] if text else []


def test_the_payload_lays_out_the_epc_example_line_by_line():
    # EPC069-12's own example (Red Cross of Belgium), in version 002 with the text as unstructured remittance.
    document = changed(
        one_rate(),
        supplier__name="Red Cross of Belgium",
        supplier__legal_name="",
        payment__account_name="",
        payment__iban="BE72000000001616",
        payment__bic="BPOTBEB1",
        payment__reference="Urgency fund",
        totals__payable="1.00",
    )

    assert epc_qr_payload(document) == (
        "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1.00\n\n\nUrgency fund"
    )


def test_an_eur_invoice_with_an_iban_pays_the_amount_due_to_the_account_holder_with_the_number_as_text():
    document = one_rate()

    assert document["totals"]["payable"] == "1523.20"
    assert epc_qr_payload(document) == (
        "BCD\n002\n1\nSCT\nCOBADEFFXXX\nNordlicht Software GmbH\nDE89370400440532013000\nEUR1523.20\n\n\nINV-2026-00001"
    )


def test_the_iban_and_bic_lose_their_spaces_and_a_line_break_in_a_name_cannot_shift_the_lines():
    document = changed(
        one_rate(),
        payment__iban="de89 3704 0044 0532 0130 00",
        payment__bic="cobade ffxxx",
        payment__account_name="Nordlicht\nSoftware GmbH",
    )

    lines = payload_of(document).split("\n")

    assert lines[4:7] == ["COBADEFFXXX", "Nordlicht Software GmbH", "DE89370400440532013000"]
    assert len(lines) == 11


def test_the_bic_may_be_left_out_in_version_002():
    lines = payload_of(changed(one_rate(), payment__bic="")).split("\n")

    assert lines[4] == ""
    assert lines[6] == "DE89370400440532013000"


def test_the_name_is_cut_to_70_characters_the_text_to_140_and_the_payload_to_331_bytes():
    document = changed(one_rate(), payment__account_name="N" * 90, payment__reference="R" * 200)
    lines = payload_of(document).split("\n")
    assert len(lines[5]) == 70
    assert len(lines[10]) == 140

    wide = changed(one_rate(), payment__account_name="Ü" * 70, payment__reference="€" * 140)
    payload = payload_of(wide)
    assert len(payload.encode()) <= 331
    assert payload.split("\n")[5] == "Ü" * 70
    assert payload.split("\n")[7] == "EUR1523.20"


@pytest.mark.parametrize(
    "changes",
    [
        {"currency": "USD"},
        {"payment__iban": ""},
        {"payment__iban": "DE89370400440532013001"},  # fails the IBAN check digits
        {"type": "credit_note"},  # the seller pays back: nothing for the buyer to transfer
        {"totals__payable": "0.00"},
        {"totals__payable": "-10.00"},
        {"totals__payable": "1000000000.00"},
    ],
    ids=["usd", "no-iban", "invalid-iban", "credit-note", "nothing-due", "negative", "too-large"],
)
def test_there_is_no_payload_when_a_sepa_transfer_cannot_pay_the_document(changes):
    assert epc_qr_payload(changed(one_rate(), **changes)) is None


def test_the_matrix_has_no_payload_for_usd_yen_or_no_bank_account():
    for name in ("foreign_currency", "yen", "no_bank_account", "credit_note"):
        assert epc_qr_payload(MATRIX[name]()) is None, name


def test_the_svg_is_a_standalone_svg_image():
    svg = epc_qr_svg(payload_of(one_rate()))

    assert svg.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')


def test_the_pdf_of_an_eur_invoice_carries_a_qr_code_that_reads_back_as_the_payload():
    document = one_rate()

    assert decoded_qr_codes(render_pdf(document)) == [epc_qr_payload(document)]


def test_a_name_outside_ascii_reads_back_as_utf8():
    document = changed(one_rate(), payment__account_name="Zoë Müller Études SARL")

    assert decoded_qr_codes(render_pdf(document)) == [epc_qr_payload(document)]


@pytest.mark.parametrize("name", ["foreign_currency", "no_bank_account", "credit_note"])
def test_the_pdf_has_no_qr_code_in_usd_without_an_iban_or_on_a_credit_note(name):
    assert decoded_qr_codes(render_pdf(MATRIX[name]())) == []


def test_a_draft_preview_has_no_qr_code_to_pay_with():
    assert decoded_qr_codes(render_pdf(one_rate(), draft=True)) == []
