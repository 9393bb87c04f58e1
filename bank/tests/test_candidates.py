"""The open invoices offered for matching a line by hand: only its currency and direction, the closest
in amount first, the best one chosen only when it is a sensible match."""

from decimal import Decimal

import pytest

from bank.candidates import match_candidates, preselected
from bank.tests.test_reconcile_services import invoice as sales_or_purchase
from bank.tests.test_reconcile_services import line_of, statement
from invoices.models import Invoice

pytestmark = pytest.mark.django_db


def ranked_numbers(line, search: str = "") -> list[str]:
    numbers = Invoice.objects.in_bulk([c.pk for c in match_candidates(line=line, search=search)])
    return [numbers[c.pk].invoice_number for c in match_candidates(line=line, search=search)]


def test_only_open_invoices_in_the_lines_currency_and_direction_are_offered_closest_first(alice):
    sales_or_purchase(alice, "EUR-FAR", "500.00")
    sales_or_purchase(alice, "EUR-NEAR", "101.00")
    sales_or_purchase(alice, "EUR-EXACT", "100.00")
    sales_or_purchase(alice, "MYR-EXACT", "100.00", currency="MYR")
    sales_or_purchase(alice, "BUY-EXACT", "100.00", direction="purchase")
    line = line_of(statement(alice, (5, "100.00", "Payment")), "100.00")

    assert ranked_numbers(line) == ["EUR-EXACT", "EUR-NEAR", "EUR-FAR"]


def test_the_number_in_the_line_ranks_an_invoice_before_another_of_the_same_amount(alice):
    sales_or_purchase(alice, "INV-1", "100.00", party="Globex GmbH")
    sales_or_purchase(alice, "INV-2", "100.00", party="Initech Ltd")
    line = line_of(statement(alice, (5, "100.00", "Rechnung INV-2")), "100.00")

    candidates = match_candidates(line=line)

    assert ranked_numbers(line) == ["INV-2", "INV-1"]
    assert candidates[0].reference_hit
    assert preselected(line=line, candidates=candidates) == candidates[0].pk


def test_two_invoices_of_the_exact_amount_and_nothing_to_tell_them_apart_choose_neither(alice):
    sales_or_purchase(alice, "INV-1", "100.00", party="Globex GmbH")
    sales_or_purchase(alice, "INV-2", "100.00", party="Initech Ltd")
    line = line_of(statement(alice, (5, "100.00", "Payment")), "100.00")

    assert preselected(line=line, candidates=match_candidates(line=line)) is None


def test_a_far_amount_is_offered_but_not_chosen(alice):
    sales_or_purchase(alice, "INV-1", "250.00")
    line = line_of(statement(alice, (5, "100.00", "Payment")), "100.00")

    candidates = match_candidates(line=line)

    assert len(candidates) == 1
    assert candidates[0].difference == Decimal("150.00")
    assert preselected(line=line, candidates=candidates) is None


def test_a_search_narrows_the_candidates_by_number_or_party(alice):
    sales_or_purchase(alice, "INV-1", "100.00", party="Globex GmbH")
    sales_or_purchase(alice, "INV-2", "300.00", party="Initech Ltd")
    line = line_of(statement(alice, (5, "100.00", "Payment")), "100.00")

    assert ranked_numbers(line, "initech") == ["INV-2"]
    assert ranked_numbers(line, "INV-1") == ["INV-1"]
