"""The figures behind the status bar and the screens, checked against plain SQL.

(No Qt here; the tests live beside the window tests because the screens are their
only users so far.)
"""

from __future__ import annotations

from decimal import Decimal

from salesdesk.clock import CLOCK
from salesdesk.services import summary
from tests.gui.conftest import sql


def test_overview_counts_people_open_deals_and_the_open_amount(company_db):
    with company_db.read() as reader:
        figures = summary.overview(reader)
    assert figures.people == sql(company_db, "SELECT count(*) FROM people WHERE active") == 16
    assert figures.open_deals == sql(company_db, "SELECT count(*) FROM deals WHERE status = 'open'")
    cents = sql(company_db, "SELECT sum(amount) FROM deals WHERE status = 'open'")
    assert figures.open_amount == Decimal(cents) / 100
    assert isinstance(figures.open_amount, Decimal)
    assert figures.currency == "EUR"
    assert not figures.is_empty


def test_an_empty_database_is_empty(empty_db):
    with empty_db.read() as reader:
        figures = summary.overview(reader)
    with empty_db.session() as s:
        activities = summary.activities_summary(s)
    assert figures.is_empty and figures.open_amount == 0
    assert activities.due_today == activities.overdue == 0


def test_customers_and_activities(company_db):
    today = CLOCK.today()
    with company_db.session() as s:
        customers = summary.customers_summary(s)
        activities = summary.activities_summary(s, today)
    assert (customers.accounts, customers.contacts) == (20, 20)
    assert [(x.name, x.accounts) for x in customers.sectors] == [("Energy", 7), ("Retail", 7), ("Health", 6)]
    assert activities.due_today == 2 and activities.overdue == 2
    assert dict(activities.open_by_kind) == {"call": 2, "meeting": 1, "email": 1, "task": 1}
