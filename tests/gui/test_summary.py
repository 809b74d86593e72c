"""The figures behind the status bar and the screens, checked against plain SQL.

(No Qt here; the tests live beside the window tests because the screens are their
only users so far.)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
        pipeline = summary.pipeline_summary(s)
        org = summary.org_summary(s)
        activities = summary.activities_summary(s)
    assert figures.is_empty and figures.open_amount == 0
    assert [st.name for st in pipeline.stages][:1] == ["Contact"]
    assert pipeline.open_deals == 0 and pipeline.weighted_amount == 0
    assert org.people == 0 and org.top is None and org.branches == ()
    assert activities.due_today == activities.overdue == 0


def test_pipeline_counts_open_deals_per_stage_and_weights_them(company_db):
    with company_db.session() as s:
        pipeline = summary.pipeline_summary(s)
    assert pipeline.name == "New business" and pipeline.other_pipelines == 1
    assert len(pipeline.stages) == 9
    contact = pipeline.stages[0]
    expected = sql(company_db, "SELECT count(*) FROM deals WHERE stage_id = ? AND status = 'open'", contact.stage_id)
    assert contact.deals == expected
    # Deal 0 (1,000 EUR, Contact) was lost: it counts nowhere.
    cents = sql(company_db, "SELECT sum(amount) FROM deals WHERE stage_id = ? AND status = 'open'", contact.stage_id)
    assert contact.amount == Decimal(cents) / 100
    assert contact.weighted == (contact.amount * 5 / 100).quantize(Decimal("0.01"))
    won = [st for st in pipeline.stages if st.is_won]
    assert [st.name for st in won] == ["Deal", "After Sales"]
    assert sum(st.deals for st in won) == sql(company_db, "SELECT count(*) FROM deals WHERE status = 'won'")
    assert pipeline.open_deals == sql(company_db, "SELECT count(*) FROM deals WHERE status = 'open' AND pipeline_id = 1")


def test_org_counts_people_per_branch_and_role(company_db):
    with company_db.session() as s:
        org = summary.org_summary(s)
    assert org.top == "Vera Price"
    assert org.managers == 4  # the VP and three branch managers
    assert {b.name: b.people for b in org.branches} == {"Paris": 6, "Lyon": 5, "Berlin": 5}
    assert dict((r.name, r.people) for r in org.roles)["Salesperson"] == 12


def test_targets_compare_won_revenue_with_the_company_quarter_target(company_db):
    with company_db.session() as s:
        targets = summary.targets_summary(s)
    won_cents = sql(company_db, "SELECT coalesce(sum(amount), 0) FROM deals WHERE status = 'won'")
    assert targets.won_this_quarter == Decimal(won_cents) / 100  # every deal was won today
    assert targets.company_quarter_target == Decimal(500_000)
    assert targets.attainment == float(targets.won_this_quarter / 500_000)
    assert targets.people_with_targets == 1


def test_customers_and_activities(company_db):
    today = dt.date.today()
    with company_db.session() as s:
        customers = summary.customers_summary(s)
        activities = summary.activities_summary(s, today)
    assert (customers.accounts, customers.contacts) == (20, 20)
    assert [(x.name, x.accounts) for x in customers.sectors] == [("Energy", 7), ("Retail", 7), ("Health", 6)]
    assert activities.due_today == 2 and activities.overdue == 2
    assert dict(activities.open_by_kind) == {"call": 2, "meeting": 1, "email": 1, "task": 1}
