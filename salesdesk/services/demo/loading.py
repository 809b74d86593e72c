"""Loading the demo company: the one transaction that refuses a database holding data,
simulates the year and writes it, and what it reports (``DemoSummary``).

On SQLite (when SQLAlchemy stores dates and times as ``db.bulk`` writes them) the rows
go straight to the driver and the indexes of the four big tables are built once at the
end (``db.bulk.deferred_indexes``); elsewhere Core ``insert()`` writes them through the
types.  100k deals (about 350k stage changes) take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from salesdesk.clock import CLOCK
from salesdesk.db import bulk
from salesdesk.db.engine import Database
from salesdesk.db.models import Account, AuditEntry, Branch, Deal, Person, Product
from salesdesk.db.reference import set_setting
from salesdesk.errors import RuleError
from salesdesk.services.demo.tables import COMPANY, CURRENCY
from salesdesk.services.demo.writer import Writer, table_of
from salesdesk.services.demo.year import NOW_MINUTE, CompanyYear

REFUSAL = "This database already holds data; the demo company goes into an empty database"


@dataclass(frozen=True)
class DemoSummary:
    people: int
    branches: int
    accounts: int
    contacts: int
    products: int
    deals: int
    open_deals: int
    won_deals: int
    lost_deals: int
    stage_changes: int
    activities: int
    targets: int
    weekly_notes: int


def _holds_data(session: Session) -> bool:
    return any(session.scalar(select(model.id).limit(1)) is not None
               for model in (Person, Deal, Branch, Account, Product))


def is_empty(db: Database) -> bool:
    """True when the database has no people and no deals: the window then offers the demo."""
    with db.session() as session:
        return session.scalar(select(Person.id).limit(1)) is None and session.scalar(select(Deal.id).limit(1)) is None


def load_demo(
    db: Database,
    *,
    seed: int = 1,
    deals: int = 600,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo company, in one transaction: all or nothing.

    Raises ``RuleError`` when the database already holds people or deals (or branches,
    accounts, products, whose names the demo would clash with); nothing is written then.
    """
    return load(db, seed=seed, deals=deals, today=today, progress=progress, raw_sqlite=None)


CHUNK = 10_000  # deals built and written at a time
BULK_TABLES = ("deals", "deal_lines", "stage_changes", "activities")


def load(db: Database, *, seed: int, deals: int, today: dt.date | None,
         progress: Callable[[str], None] | None, raw_sqlite: bool | None) -> DemoSummary:
    """``load_demo``; ``raw_sqlite=False`` forces the portable Core path (tests compare the two)."""
    if deals < 0:
        raise ValueError("the number of deals cannot be negative")
    today = today or CLOCK.today()
    with db.transaction() as session:
        if _holds_data(session):
            raise RuleError(REFUSAL)
        if raw_sqlite is None:
            raw_sqlite = bulk.stores_sqlite_text(session.connection().dialect)
        demo = CompanyYear(seed, deals, today, progress, raw_sqlite)
        demo.load_reference(session)
        demo.build_people()
        demo.build_accounts()
        demo.build_products()
        demo.plan_deals()
        write = Writer(session, raw_sqlite)
        for name in ("branches", "people", "accounts", "contacts", "products"):
            write(name, demo.rows[name])
        plan = demo.deals
        chunks = (plan[i:i + CHUNK] for i in range(0, len(plan), CHUNK))
        with bulk.deferred_indexes(write.connection, BULK_TABLES) if raw_sqlite else nullcontext():
            for chunk in chunks:
                write.many(demo.deal_rows(chunk))
                if len(plan) > CHUNK:
                    demo.progress(f"Deals: {write.written['deals']:,} of {len(plan):,}")
            if raw_sqlite:
                demo.progress("Indexes")
        demo.build_targets()
        demo.build_notes()
        demo.build_budgets()
        demo.progress("Saving")
        for name in ("targets", "weekly_notes", "budgets", "expenses"):
            write(name, demo.rows[name])
        n = write.written.get
        summary = DemoSummary(
            people=n("people", 0), branches=n("branches", 0), accounts=n("accounts", 0), contacts=n("contacts", 0),
            products=n("products", 0), deals=n("deals", 0), open_deals=demo.counts["open"],
            won_deals=demo.counts["won"], lost_deals=demo.counts["lost"], stage_changes=n("stage_changes", 0),
            activities=n("activities", 0), targets=n("targets", 0), weekly_notes=n("weekly_notes", 0),
        )
        set_setting(session, "company", COMPANY)
        set_setting(session, "currency", CURRENCY)
        details = {"seed": seed, "today": today.isoformat(), "company": COMPANY, **asdict(summary)}
        session.execute(insert(table_of(AuditEntry)), [dict(
            at=dt.datetime.combine(today, dt.time()) + dt.timedelta(minutes=NOW_MINUTE),
            actor=session.info.get("actor"), action="demo", entity="database", entity_id=None,
            details=json.dumps(details, sort_keys=True),
        )])
        demo.progress("Done")
    return summary
