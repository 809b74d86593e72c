"""The org chart's data: the people on it (senior first, the order of its tree), the
side panel's figures, the role ladder and the branches, and what letting someone go
would change.

Every function reads through a ``Reader`` (``with db.read() as reader``): plain SQL and
tuples, no SQLAlchemy, so the chart paints before SQLAlchemy is even imported.  Money
is summed as integer cents in SQL and turned into ``Decimal`` once, here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from salesdesk.clock import CLOCK
from salesdesk.db.engine import Reader, as_date
from salesdesk.domain import hierarchy
from salesdesk.domain.money import from_cents
from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.errors import NotFoundError
from salesdesk.services.rates import RateBook, totals
from salesdesk.services.team import team_cte


class OrgPerson(NamedTuple):
    """One person as the chart shows them (a tuple: 10,000 of them are made at a time)."""

    id: int
    name: str
    email: str | None
    phone: str | None
    hire_date: dt.date | None
    active: bool
    role_id: int
    role: str
    rank: int  # 1 is the most senior
    branch_id: int | None
    branch: str  # "" when in no branch
    manager_id: int | None


_PERSON_SQL = (
    "SELECT p.id, p.name, p.email, p.phone, p.hire_date, p.active, p.role_id, r.name, r.rank, "
    "p.branch_id, coalesce(b.name, ''), p.manager_id "
    "FROM people p JOIN roles r ON r.id = p.role_id LEFT JOIN branches b ON b.id = p.branch_id "
)
# Siblings in a stable, sensible order: senior first, then by name.
_ORDER = " ORDER BY r.rank, lower(p.name), p.id"



def _person(row) -> OrgPerson:
    return OrgPerson(row[0], row[1], row[2], row[3], as_date(row[4]), bool(row[5]), *row[6:])


def org_people(reader: Reader, include_inactive: bool = False) -> list[OrgPerson]:
    """Everyone on the chart (active people, or everyone), senior first, then by name."""
    where = "" if include_inactive else "WHERE p.active "
    return [_person(row) for row in reader.execute(_PERSON_SQL + where + _ORDER)]


@dataclass(frozen=True)
class PersonPanel:
    """The side panel's figures for one person and the team below them."""

    person: OrgPerson
    manager: str  # "" at the top
    direct_reports: list[tuple[int, str, str]]  # (id, name, role) of active reports, senior first
    team_size: int  # active people in the whole subtree, the person included
    team_open_deals: int
    team_open_amount: Decimal
    team_weighted: Decimal  # amount x effective probability (the deal's own, else its stage's)
    won_this_month: Decimal
    target_this_month: Decimal | None  # own month target, else the sum of the direct reports', else None
    currency: str
    left_out: str = ""  # "2 deals (2 in USD) left out: no exchange rate", or ""


# The person and everyone below them (services/team.py), with :person.
_TEAM = team_cte(0, param="person")[0]


def person_panel(reader: Reader, person_id: int, today: dt.date) -> PersonPanel:
    row = reader.one(_PERSON_SQL + "WHERE p.id = :person", {"person": person_id})
    if row is None:
        raise NotFoundError(f"Person #{person_id} no longer exists")
    person = _person(row)
    params = {"person": person_id}
    manager = reader.scalar("SELECT name FROM people WHERE id = :m", {"m": person.manager_id}) or ""
    reports = [(pid, name, role) for pid, name, role in reader.execute(
        "SELECT p.id, p.name, r.name FROM people p JOIN roles r ON r.id = p.role_id "
        "WHERE p.manager_id = :person AND p.active" + _ORDER, params)]
    team_size = reader.scalar(
        _TEAM + "SELECT count(*) FROM team JOIN people p ON p.id = team.id WHERE p.active OR p.id = :person", params)
    book = RateBook.load(reader, today)
    pipeline = _team_pipeline(reader, params)
    open_deals = sum(n for n, _, _ in pipeline.values())
    open_sums = totals(((c, n, a, w) for c, (n, a, w) in pipeline.items()), book, today)
    open_cents, weighted_x100 = open_sums.values or (0, 0)
    month = Period.containing(PeriodKind.MONTH, today)
    span = {"person": person_id, "start": month.start.isoformat(), "end": month.end.isoformat()}
    won = totals(reader.execute(
        _TEAM + "SELECT d.currency, count(*), coalesce(sum(d.amount), 0) FROM deals d "
        "WHERE d.status = 'won' AND d.won_on >= :start AND d.won_on < :end AND d.owner_id IN (SELECT id FROM team) "
        "GROUP BY d.currency", span), book, today)
    open_sums.take_notes(won)
    target = _month_target(reader, person_id, month.start)
    return PersonPanel(
        person, manager, reports, int(team_size), int(open_deals), from_cents(int(open_cents)),
        from_cents((int(weighted_x100) + 50) // 100), from_cents(int((won.values or [0])[0])), target, book.home,
        open_sums.note(),
    )


_OPEN_SUMS = ("SELECT d.currency, count(*), coalesce(sum(d.amount), 0), "
              "coalesce(sum(d.amount * coalesce(d.probability, s.probability)), 0) "
              "FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.status = 'open'")


def _team_pipeline(reader: Reader, params: dict) -> dict[str, tuple[int, int, int]]:
    """Per currency: (open deals, their amount in cents, weighted cents x100) of the team.

    No index holds owner, amount and probability together, so summing a team's deals
    reads each deal's row (about 1.5 us a deal).  The company's open deals are summed
    from a covering index instead (a few ms for 100k deals), so for a big team it is
    cheaper to take the company's figures minus those of the deals owned outside the
    team: an index-only count says which side is smaller.
    """
    def sums(sql: str) -> dict[str, tuple[int, int, int]]:
        return {c: (int(n), int(a), int(w)) for c, n, a, w in reader.execute(sql + " GROUP BY d.currency", params)}

    counts = reader.one(
        _TEAM + "SELECT (SELECT count(*) FROM deals d WHERE d.status = 'open' "
        "AND d.owner_id IN (SELECT id FROM team)), (SELECT count(*) FROM deals d WHERE d.status = 'open')", params)
    assert counts is not None  # a SELECT without FROM gives one row
    team_count, all_count = counts
    if team_count * 2 <= all_count:
        return sums(_TEAM + _OPEN_SUMS + " AND d.owner_id IN (SELECT id FROM team)")
    everyone = sums(_OPEN_SUMS)
    outside = sums(_TEAM + _OPEN_SUMS + " AND d.owner_id IN (SELECT p.id FROM people p WHERE p.id NOT IN (SELECT id FROM team))")
    team: dict[str, tuple[int, int, int]] = {}
    for c, (n, a, w) in everyone.items():
        out_n, out_a, out_w = outside.get(c, (0, 0, 0))
        team[c] = (n - out_n, a - out_a, w - out_w)
    return team


def _month_target(reader: Reader, person_id: int, start: dt.date) -> Decimal | None:
    params = {"person": person_id, "start": start.isoformat()}
    own = reader.scalar(
        "SELECT value FROM targets WHERE person_id = :person AND period_kind = 'month' "
        "AND metric = 'won_revenue' AND period_start = :start", params)
    if own is not None:
        return from_cents(int(own))
    reports_targets = reader.one(
        "SELECT count(t.id), coalesce(sum(t.value), 0) FROM targets t JOIN people c ON c.id = t.person_id "
        "WHERE c.manager_id = :person AND c.active AND t.period_kind = 'month' "
        "AND t.metric = 'won_revenue' AND t.period_start = :start", params)
    assert reports_targets is not None  # an aggregate without GROUP BY gives one row
    count, total = reports_targets
    return from_cents(int(total)) if count else None


def role_ladder(reader: Reader) -> list[tuple[int, str, int, int]]:
    """(id, name, rank, people holding it, active or not), senior first."""
    return [tuple(row) for row in reader.execute(
        "SELECT r.id, r.name, r.rank, (SELECT count(*) FROM people p WHERE p.role_id = r.id) "
        "FROM roles r ORDER BY r.rank, r.id")]


def branch_list(reader: Reader) -> list[tuple[int, str, str | None, str | None, bool, int]]:
    """(id, name, city, region, open, active people in it), by name."""
    return [(bid, name, city, region, bool(active), people) for bid, name, city, region, active, people in
            reader.execute(
                "SELECT b.id, b.name, b.city, b.region, b.active, "
                "(SELECT count(*) FROM people p WHERE p.branch_id = b.id AND p.active) "
                "FROM branches b ORDER BY lower(b.name), b.id")]


@dataclass(frozen=True)
class Departure:
    """What letting a person go would change: for the confirmation and its owner picker.

    ``remove_person`` is possible only without history (``closed_deals`` and
    ``done_activities`` both 0); otherwise deactivate.  A new owner must be picked when
    ``open_deals`` or ``open_activities`` is not 0.
    """

    person_id: int
    name: str
    manager_id: int | None
    manager: str  # who their reports go to; "" at the top
    reports: int  # active direct reports, who move to ``manager``
    open_deals: int
    open_amount: Decimal
    open_activities: int  # not done yet
    closed_deals: int  # won or lost
    done_activities: int

    @property
    def why_not_removable(self) -> str | None:
        """Why removing them completely is refused (deactivate instead), or None."""
        return hierarchy.why_not_removable(self.name, self.closed_deals, self.done_activities,
                                           self.manager_id is None and self.reports > 0)

    @property
    def can_remove(self) -> bool:
        return self.why_not_removable is None

    @property
    def needs_new_owner(self) -> bool:
        return bool(self.open_deals or self.open_activities)


def departure(reader: Reader, person_id: int) -> Departure:
    row = reader.one(
        "SELECT p.id, p.name, p.manager_id, coalesce(m.name, ''), "
        "(SELECT count(*) FROM people c WHERE c.manager_id = p.id AND c.active) "
        "FROM people p LEFT JOIN people m ON m.id = p.manager_id WHERE p.id = :person", {"person": person_id})
    if row is None:
        raise NotFoundError(f"Person #{person_id} no longer exists")
    # One read of their deals: per status (open or not) and currency.
    rows = reader.execute("SELECT status = 'open', currency, count(*), coalesce(sum(amount), 0) FROM deals "
                          "WHERE owner_id = :person GROUP BY 1, 2", {"person": person_id})
    open_rows = [row[1:] for row in rows if row[0]]
    closed = sum(int(row[2]) for row in rows if not row[0])
    open_deals = sum(int(count) for _, count, _ in open_rows)
    today = CLOCK.today()  # in the company's currency at today's rates (none: left out)
    open_cents = (totals(open_rows, RateBook.load(reader, today), today).values or [0])[0]
    activities = reader.one(
        "SELECT count(CASE WHEN done_at IS NULL THEN 1 END), count(done_at) "
        "FROM activities WHERE owner_id = :person", {"person": person_id})
    assert activities is not None  # an aggregate without GROUP BY gives one row
    open_activities, done = activities
    pid, name, manager_id, manager, reports = row
    return Departure(pid, name, manager_id, manager, reports, int(open_deals), from_cents(int(open_cents)),
                     int(open_activities), int(closed), int(done))


class ChartPerson(NamedTuple):
    """What a box on the chart needs, and no more: the chart reads 10,000 of them."""

    id: int
    name: str
    role: str
    rank: int
    branch_id: int | None
    branch: str
    manager_id: int | None
    active: bool


def chart_people(reader: Reader, include_inactive: bool = False) -> list[ChartPerson]:
    """People for the chart, in sibling order (senior first, then by name): one plain
    scan of ``people``, with role and branch names looked up in Python."""
    roles = {rid: (name, rank) for rid, name, rank in reader.execute("SELECT id, name, rank FROM roles")}
    branches = dict(reader.execute("SELECT id, name FROM branches"))
    where = "" if include_inactive else " WHERE active"
    people = []
    for pid, name, role_id, branch_id, manager_id, active in reader.execute(
            f"SELECT id, name, role_id, branch_id, manager_id, active FROM people{where}"):
        role, rank = roles.get(role_id, ("", 99))
        people.append(ChartPerson(pid, name, role, rank, branch_id, branches.get(branch_id, ""), manager_id, bool(active)))
    people.sort(key=lambda p: (p.rank, p.name.lower(), p.id))
    return people
