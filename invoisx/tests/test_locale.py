"""Amounts on dashboard pages are written for the viewer's locale (invoisx/locale.py and the `money`
template filter), with exactly their currency's decimals."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from invoisx.locale import ViewerLocaleMiddleware, best_locale, viewer_locale
from invoisx.templatetags.money import format_money, money, plain_money


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("", "en"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("ja,fr-CA;q=0.7,de;q=0.5", "fr"),
        ("de;q=0.2,ms;q=0.9", "ms"),
        ("xx, de;q=0", "en"),
        ("de;q=nonsense, nl", "nl"),
    ],
)
def test_the_best_supported_locale_of_the_accept_language_header_is_chosen(header, locale):
    assert best_locale(header) == locale


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "written"),
    [
        ("1234.5", "MYR", "en", "1,234.50"),
        ("1234.5", "EUR", "de", "1.234,50"),
        ("1234.5", "EUR", "fr", "1\xa0234,50"),
        ("1234.5", "MYR", "ms", "1,234.50"),
        ("1234567", "JPY", "en", "1,234,567"),
        ("1234.5678", "KWD", "de", "1.234,568"),
        ("-0.005", "GBP", "en", "-0.01"),
        ("12", "", "en", "12.00"),
    ],
)
def test_an_amount_is_grouped_with_the_locales_marks_and_its_currencys_decimals(amount, currency, locale, written):
    assert format_money(Decimal(amount), currency, locale) == written


def test_the_filter_writes_for_the_locale_of_the_request_and_english_outside_one():
    seen = []

    def view(request):
        seen.append((viewer_locale(), money(Decimal("9876.5"), "EUR")))
        return None

    ViewerLocaleMiddleware(view)(RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9"))

    assert seen == [("de", "9.876,50")]
    assert (viewer_locale(), money(Decimal("9876.5"), "EUR")) == ("en", "9,876.50")


def test_nothing_is_written_for_no_amount_and_plain_money_never_groups():
    rendered = Template("{% load money %}[{{ none|money:'EUR' }}][{{ big|plain_money:'JPY' }}]").render(
        Context({"none": None, "big": Decimal("1234567")})
    )

    assert rendered == "[][1234567]"
    assert plain_money("", "EUR") == ""
