"""One way to read and write money: what is typed is read in the user's style, text that
could mean two amounts is refused with the reason, and what is written reads back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.domain.money import (
    ENGLISH, AmountError, MoneyStyle, format_amount, format_money, parse_amount, set_style, to_money,
)

GERMAN = MoneyStyle(",", ".", "de_DE")
FRENCH = MoneyStyle(",", "\u202f", "fr_FR")  # a narrow no-break space groups thousands
SWISS = MoneyStyle(".", "’", "de_CH")

READ = [
    # text, style, amount
    ("1,234.50", ENGLISH, "1234.50"), ("1234.5", ENGLISH, "1234.50"), ("1,234", ENGLISH, "1234.00"),
    ("EUR 1,234.50", ENGLISH, "1234.50"), ("1,234.50 EUR", ENGLISH, "1234.50"), ("€5", ENGLISH, "5.00"),
    ("1.234,50", GERMAN, "1234.50"), ("1,5", GERMAN, "1.50"), ("1.234", GERMAN, "1234.00"),
    ("1 234,50", GERMAN, "1234.50"), ("1.234,50 €", GERMAN, "1234.50"),
    ("1\u202f234,50", FRENCH, "1234.50"), ("1\u00a0234,50", FRENCH, "1234.50"), ("12,5", FRENCH, "12.50"),
    ("1’234.50", SWISS, "1234.50"), ("1'234.50", SWISS, "1234.50"),
    ("0", ENGLISH, "0.00"), ("-0", ENGLISH, "0.00"), ("9,999,999,999,999.99", ENGLISH, "9999999999999.99"),
]

REFUSED = [
    # text, style, what the reason says
    ("1.234,50", ENGLISH, "written with '.' for the decimals"),  # the editor once saved 1.23
    ("1,5", ENGLISH, "written with '.' for the decimals"),  # ... and 15.00
    ("1.5", GERMAN, "written with ',' for the decimals"),
    ("1,234.50", GERMAN, "written with ',' for the decimals"),
    ("1,23,4", ENGLISH, "written with '.' for the decimals"),
    ("1.239", ENGLISH, "more than two decimals"),
    ("-5", ENGLISH, "cannot be negative"), ("(5.00)", ENGLISH, "negative"),
    ("1e5", ENGLISH, "exponent"), ("NaN", ENGLISH, "not an amount"), ("inf", ENGLISH, "not an amount"),
    ("12 apples", ENGLISH, "not an amount"), ("", ENGLISH, "Type an amount"), ("1.2.3", GERMAN, "not an amount"),
    ("USD 5 EUR", ENGLISH, "not an amount"), ("١٢٣", ENGLISH, "digits other than 0-9"),
    ("10,000,000,000,000", ENGLISH, "too large"),
    # a group never starts with 0: five thousandths written the other way are not 5 (nor 50)
    ("0,005", ENGLISH, "written with '.' for the decimals"), ("0,050", ENGLISH, "written with '.' for the decimals"),
    ("00,500", ENGLISH, "written with '.' for the decimals"), ("0,001.00", ENGLISH, "written with '.' for the decimals"),
    ("0.005", GERMAN, "written with ',' for the decimals"), ("0.050", GERMAN, "written with ',' for the decimals"),
]


def test_an_amount_written_in_another_currency_than_its_deals_is_refused():
    assert parse_amount("5 EUR", ENGLISH, currency="EUR") == parse_amount("$5", ENGLISH, currency="USD") == Decimal(5)
    for text, currency in (("5 USD", "EUR"), ("$5", "EUR"), ("€ 7", "USD")):
        with pytest.raises(AmountError, match=f"but the amount is in {currency}: change the currency") as refused:
            parse_amount(text, ENGLISH, currency=currency)
        assert refused.value.kind == "currency"


@pytest.mark.parametrize(("text", "style", "amount"), READ, ids=[f"{r[1].name}:{r[0]}" for r in READ])
def test_typed_amounts_read_in_the_users_style(text, style, amount):
    assert parse_amount(text, style) == Decimal(amount)


@pytest.mark.parametrize(("text", "style", "reason"), REFUSED, ids=[f"{r[1].name}:{r[0]}" for r in REFUSED])
def test_text_that_is_not_one_amount_in_that_style_is_refused_with_the_reason(text, style, reason):
    with pytest.raises(AmountError, match=reason):
        parse_amount(text, style)


def test_the_refusal_shows_how_the_style_writes_an_amount():
    with pytest.raises(AmountError) as refused:
        parse_amount("1.234,50", ENGLISH)
    assert "1,234.50" in str(refused.value)
    with pytest.raises(AmountError) as refused:
        parse_amount("1,234.50", GERMAN)
    assert "1.234,50" in str(refused.value)


def test_more_decimals_round_half_up_only_when_asked():
    assert parse_amount("957,5775", GERMAN, round_cents=True) == Decimal("957.58")
    assert parse_amount("0.005", ENGLISH, round_cents=True) == Decimal("0.01")


def test_the_style_set_is_the_one_read_and_written():
    set_style(GERMAN)
    assert parse_amount("1.234,50") == Decimal("1234.50")
    assert format_amount(Decimal("1234567.5"), "EUR") == "1.234.567,50 EUR"
    assert format_money(Decimal("1234567.5"), "EUR") == "1,234,567.50 EUR"  # documents: always English
    set_style(ENGLISH)
    assert format_amount(Decimal("1234567.5"), "EUR") == "1,234,567.50 EUR"


def test_code_values_keep_their_one_reading():
    assert to_money("1234.565") == Decimal("1234.57")
    assert to_money(Decimal("2.5")) == Decimal("2.50") and to_money(3) == Decimal("3.00")
    with pytest.raises(ValueError):
        to_money("1.234,50")


@given(cents=st.integers(min_value=0, max_value=10**15 - 1),
       style=st.sampled_from([ENGLISH, GERMAN, FRENCH, SWISS]))
def test_what_is_written_reads_back(cents, style):
    amount = Decimal(cents) / 100
    assert parse_amount(format_amount(amount, style=style), style) == amount
    assert parse_amount(format_amount(amount, "EUR", style=style), style) == amount


@given(text=st.text(alphabet="0123456789.,", min_size=1, max_size=12))
def test_digits_and_marks_read_in_english_and_german_are_never_two_different_guesses(text):
    """A text read in both styles either means one amount in each or is refused: the
    same text is never silently taken as two amounts in one style."""
    for style in (ENGLISH, GERMAN):
        try:
            value = parse_amount(text, style)
        except AmountError:
            continue
        assert parse_amount(format_amount(value, style=style), style) == value
