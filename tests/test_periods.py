"""Reporting periods: the edges where reports and targets usually go wrong."""

import datetime as dt

import pytest

from salesdesk.domain.money import format_money, to_money, weighted
from salesdesk.domain.periods import Period, PeriodKind, last_full_week, parse_iso_week


def test_iso_week_53_exists_only_in_long_years():
    week = parse_iso_week("2026-W53")
    assert (week.start, week.last_day) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    with pytest.raises(ValueError, match="2025 has no week 53"):
        parse_iso_week("2025-W53")


@pytest.mark.parametrize("text", ["2026-48", "W48", "2026-W4", "last week", ""])
def test_malformed_weeks_say_how_to_write_one(text):
    with pytest.raises(ValueError, match="like 2026-W48"):
        parse_iso_week(text)


def test_a_deal_won_on_the_last_day_is_in_the_period():
    quarter = Period.containing(PeriodKind.QUARTER, dt.date(2026, 12, 31))
    assert quarter.start == dt.date(2026, 10, 1)
    assert dt.date(2026, 12, 31) in quarter
    assert dt.date(2027, 1, 1) not in quarter
    assert quarter.next().label == "2027-Q1"
    assert quarter.previous().label == "2026-Q3"


def test_week_labels_follow_iso_years():
    assert Period.containing("week", dt.date(2027, 1, 1)).label == "2026-W53"
    assert Period.containing("month", dt.date(2026, 2, 14)).end == dt.date(2026, 3, 1)
    assert last_full_week(dt.date(2026, 11, 27)).label == "2026-W47"


def test_money_rounds_half_up_to_the_cent_and_formats_with_separators():
    assert to_money("1,234.565") == to_money("1234.57")
    assert format_money(to_money(1234567.5), "EUR") == "1,234,567.50 EUR"
    assert weighted(to_money("1000"), 15) == to_money("150")
    with pytest.raises(ValueError):
        to_money("NaN")
