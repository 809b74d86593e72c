"""Targets against actuals, read: the Targets screen's table and charts, and a team's
actuals and forecast for a period (the writes are in ``commands``).

Reads take a ``Reader`` (``with db.read() as reader``): plain SQL with ``:name``
parameters, no SQLAlchemy, so the screen can paint before SQLAlchemy is imported.
Every figure about deals or activities is an SQL aggregate for one period, grouped by
owner (at most one row per person); adding those up over the org tree is done here in
Python, over the people, never over the deals.

What counts (the same rules as the board and the weekly report):

- **won revenue** / **won deals**: deals with status ``won`` whose ``won_on`` falls in
  the period; **new deals**: deals created in the period (the UTC date of
  ``created_at``), whatever became of them; **activities**: activities done in the
  period (the date of ``done_at``).  Periods are half-open ``[start, end)``, so a deal
  won on the last day of a quarter is in that quarter and one won the next day is not.
- A person's **actual** is that of their whole subtree: their own deals and those of
  everyone below them, active or not (what someone won before leaving still counts for
  the team), by today's org chart.
- **Forecast**: what is already won in the period plus the weighted open pipeline
  (amount x effective probability: the deal's own, else its stage's) of open deals
  expected to close in the period.  A period that is over has no pipeline left: its
  forecast is its actual.  For won deals the forecast adds the expected number of wins
  (the sum of the probabilities); for activities, the open activities due in the
  period; new deals have no forecast (``None``).

Targets:

- A target belongs to (person, period kind, period start, metric).  A person's
  **target** for a period is their explicit target for it; without one, the sum of
  their own targets of the finer periods inside it (the months of a quarter; the
  quarters of a year, each of them explicit or the sum of its months) when there are
  any, marked ``derived``.  Weeks do not nest in months, so a month never sums weeks
  and a week has no finer period.  Months present are summed even when some are
  missing (a seller hired mid-quarter has targets for the months they were there).
- **Rolled up**: the sum of the effective targets of the direct reports shown under
  the person (``None`` when none has one).  **Effective**: the target if set, else the
  roll-up.  **Unallocated**: target minus roll-up when both exist (negative when the
  reports were given more than the manager's target).
- **Branch filter** (as on the board): only the deals and activities of people in the
  branch count; the table shows the people of the branch and, to hold the tree
  together, the managers above them up to the chosen person, whose own targets (which
  cover other branches too) are then left out: they show the roll-up only.
- The table shows the active people of the subtree, and inactive ones only when they
  have a target or an actual or forecast in the period (someone who left mid-quarter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from salesdesk.clock import CLOCK
from salesdesk.db.engine import Reader, as_date
from salesdesk.domain.cascade import CENT, WHOLE, split_evenly
from salesdesk.domain.money import format_money, from_cents
from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.errors import NotFoundError
from salesdesk.services.rates import RateBook, totals
from salesdesk.services.targets.metrics import (
    ACTIVITIES,
    NEW_DEALS,
    WON_DEALS,
    WON_REVENUE,
    check_metric,
    is_money,
    unit_of,
)
from salesdesk.services.team import team_cte

# The period kind whose periods tile a period of this kind, for targets set finer.
FINER = {PeriodKind.YEAR: PeriodKind.QUARTER, PeriodKind.QUARTER: PeriodKind.MONTH}


# --- reading: people ---------------------------------------------------------------------


class _Person(NamedTuple):
    id: int
    name: str
    role: str
    rank: int
    manager_id: int | None
    active: bool
    branch_id: int | None


class _Tree(NamedTuple):
    """Some roots and everyone below them, with each person's reports in table order.

    Walks keep a ``seen`` set and sums read children with ``.get``, so a cycle in
    damaged data is cut where a walk first meets it instead of looping or counting twice.
    """

    people: dict[int, _Person]
    children: dict[int, list[int]]

    def below(self, *roots: int) -> list[int]:
        """The roots and their subtrees, each person once, depth first (the table's
        order), so a manager always comes before their reports."""
        out, stack, seen = [], list(reversed(roots)), set()
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            out.append(pid)
            stack.extend(reversed(self.children.get(pid, ())))
        return out


def _team_cte(roots: Sequence[int]) -> tuple[str, dict]:
    """``WITH RECURSIVE team(id)``: the roots and everyone below them, active or not.
    UNION (not UNION ALL) stops at any cycle in damaged data."""
    return team_cte(list(roots))


def _tree(reader: Reader, roots: Sequence[int]) -> _Tree:
    team, params = _team_cte(roots)
    rows = reader.execute(
        team + "SELECT p.id, p.name, coalesce(r.name, ''), coalesce(r.rank, 99), p.manager_id, p.active, p.branch_id "
        "FROM people p JOIN team ON team.id = p.id LEFT JOIN roles r ON r.id = p.role_id", params)
    people = {row[0]: _Person(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6]) for row in rows}
    for root in roots:
        if root not in people:
            raise NotFoundError(f"Person #{root} no longer exists")
    ordered = sorted(people.values(), key=lambda p: (p.rank, p.name.lower(), p.id))
    children: dict[int, list[int]] = {}
    for person in ordered:
        manager_id = person.manager_id
        if manager_id is not None and manager_id in people and manager_id != person.id:
            children.setdefault(manager_id, []).append(person.id)
    return _Tree(people, children)



# --- reading: per-owner figures ----------------------------------------------------------
#
# Deals are summed over an index range of the period for every owner (ix_deals_won holds
# status, won_on, owner and amount; ix_deals_created the creation time): one scan, no
# table reads, and no owner filter the planner could be tempted to probe an owner index
# with.  Activities are only indexed by (owner, done_at), so they are probed owner by
# owner for the team.  The open pipeline is read owner by owner for the team too.

_PER_OWNER = {
    WON_REVENUE: "SELECT owner_id, sum(amount), currency FROM deals WHERE status = 'won' "
                 "AND won_on >= :start AND won_on < :end GROUP BY owner_id, currency",
    WON_DEALS: "SELECT owner_id, count(*) FROM deals WHERE status = 'won' "
               "AND won_on >= :start AND won_on < :end GROUP BY owner_id",
    NEW_DEALS: "SELECT owner_id, count(*) FROM deals WHERE created_at >= :start_at AND created_at < :end_at "
               "GROUP BY owner_id",
    ACTIVITIES: "SELECT owner_id, count(*) FROM activities WHERE owner_id IN (SELECT id FROM team) "
                "AND done_at >= :start_at AND done_at < :end_at GROUP BY owner_id",
}

# Open deals expected to close in the period: (weighted cents x 100, sum of percentages).
_PIPELINE = (
    "SELECT d.owner_id, sum(d.amount * coalesce(d.probability, s.probability)), "
    "sum(coalesce(d.probability, s.probability)), d.currency FROM deals d JOIN stages s ON s.id = d.stage_id "
    "WHERE d.status = 'open' AND d.owner_id IN (SELECT id FROM team) "
    "AND d.expected_close >= :start AND d.expected_close < :end GROUP BY d.owner_id, d.currency"
)
_PLANNED = (
    "SELECT owner_id, count(*) FROM activities WHERE owner_id IN (SELECT id FROM team) AND done_at IS NULL "
    "AND due_on >= :start AND due_on < :end GROUP BY owner_id"
)


def _span(start: dt.date, end: dt.date) -> dict:
    """Local dates for a deal's dates; the UTC instants of their midnights for stamps."""
    start_at, end_at = CLOCK.utc_bounds(start, end)
    return {"start": start.isoformat(), "end": end.isoformat(),
            "start_at": start_at.isoformat(sep=" "), "end_at": end_at.isoformat(sep=" ")}


def _per_owner(reader: Reader, metric: str, start: dt.date, end: dt.date, roots: Sequence[int]) -> dict[int, int]:
    """Owner id -> the metric's raw figure in ``[start, end)``: cents or a count."""
    sql = _PER_OWNER[metric]
    params = _span(start, end)
    if "team" in sql:
        team, team_params = _team_cte(roots)
        sql, params = team + sql, {**params, **team_params}
    if metric != WON_REVENUE:
        return {owner: int(value) for owner, value in reader.execute(sql, params)}
    return _in_home_currency(reader, reader.execute(sql, params), 1, start, end)


def _ahead_per_owner(reader: Reader, metric: str, start: dt.date, end: dt.date, roots: Sequence[int]) -> dict[int, int]:
    """Owner id -> what the forecast adds to the actual for ``[start, end)``, in hundredths of
    the metric's unit: weighted cents x 100 for money, expected wins x 100, planned
    activities x 100.  Empty for new deals (no forecast)."""
    team, params = _team_cte(roots)
    params.update(_span(start, end))
    if metric == WON_REVENUE:
        return _in_home_currency(reader, reader.execute(team + _PIPELINE, params), 1, start, end)
    if metric == WON_DEALS:
        found: dict[int, int] = {}
        for row in reader.execute(team + _PIPELINE, params):
            found[row[0]] = found.get(row[0], 0) + int(row[2])
        return found
    if metric == ACTIVITIES:
        return {owner: int(count) * 100 for owner, count in reader.execute(team + _PLANNED, params)}
    return {}


def _in_home_currency(reader: Reader, rows, column: int, start: dt.date, end: dt.date) -> dict[int, int]:
    """Rows ``(owner, ..., currency)`` per owner and currency, summed per owner in the
    company's currency at the rates of the period's last day (or today, while it runs);
    amounts in a currency without a rate are left out, never taken as the company's."""
    day = _rate_day(start, end)
    book = RateBook.load(reader, day)
    found: dict[int, int] = {}
    for row in rows:
        value = book.convert(int(row[column] or 0), row[-1] or book.home, day)
        if value is not None:
            found[row[0]] = found.get(row[0], 0) + value
    return found


def _rate_day(start: dt.date, end: dt.date, today: dt.date | None = None) -> dt.date:
    """The day whose exchange rates convert a period's money: its last, or today while it runs."""
    return max(start, min(end - dt.timedelta(days=1), today or CLOCK.today()))


def left_out(reader: Reader, root_id: int, period: Period, metric: str = WON_REVENUE,
             today: dt.date | None = None, *, branch_id: int | None = None) -> str:
    """What the money figures of ``target_rows`` leave out for want of an exchange rate,
    in words ("" when nothing): won deals and open deals expected to close in the period,
    of the team, in a currency without a rate on the period's rate day."""
    if metric != WON_REVENUE:
        return ""
    team, params = _team_cte([root_id])
    params = {**params, **_span(period.start, period.end), "branch": branch_id}
    branch = "" if branch_id is None else " AND d.owner_id IN (SELECT id FROM people WHERE branch_id = :branch)"
    day = _rate_day(period.start, period.end, today)
    book = RateBook.load(reader, day)
    parts = []
    for what, tail, where in (
            ("won", "", "d.status = 'won' AND d.won_on >= :start AND d.won_on < :end"),
            ("open", " expected to close in the period",
             "d.status = 'open' AND d.expected_close >= :start AND d.expected_close < :end")):
        found = totals(reader.execute(
            team + f"SELECT d.currency, count(*), coalesce(sum(d.amount), 0) FROM deals d WHERE {where} "
            f"AND d.owner_id IN (SELECT id FROM team){branch} GROUP BY d.currency", params), book, day)
        parts += [f"{count:,d} {what} deal{'s' if count != 1 else ''} in {currency}{tail} "
                  f"({format_money(from_cents(found.value_left_out[currency]), currency)})"
                  for currency, count in sorted(found.count_left_out.items())]
    if not parts:
        return ""
    return (f"Not counted, for want of an exchange rate to {book.home} on {day.isoformat()}: "
            + "; ".join(parts) + " (Edit > Exchange rates…)")


def _in_scope(person: _Person, branch_id: int | None) -> bool:
    return branch_id is None or person.branch_id == branch_id


def _subtree_sums(tree: _Tree, order: Iterable[int], own: dict[int, int], branch_id: int | None) -> dict[int, int]:
    """Each person's figure plus everyone's below them (``order``: parents before children)."""
    total: dict[int, int] = {}
    for pid in reversed(list(order)):
        person = tree.people[pid]
        value = own.get(pid, 0) if _in_scope(person, branch_id) else 0
        total[pid] = value + sum(total.get(c, 0) for c in tree.children.get(pid, ()))
    return total


def _as_value(metric: str, raw: int) -> Decimal:
    """A raw figure (cents, or a count) as the metric's ``Decimal``."""
    return from_cents(raw) if is_money(metric) else Decimal(raw)


def _hundredths(metric: str, raw_x100: int) -> Decimal:
    """Hundredths of the metric's raw unit (cents x 100, or count x 100), rounded half up
    to the cent (money) or to two decimals (an expected number of deals)."""
    if is_money(metric):
        return from_cents((raw_x100 + 50) // 100)
    return (Decimal(raw_x100) / 100).quantize(CENT)


def _roots(tree_or_ids: int | Sequence[int]) -> tuple[list[int], bool]:
    if isinstance(tree_or_ids, int):
        return [tree_or_ids], True
    return list(dict.fromkeys(tree_or_ids)), False


class _Actuals(NamedTuple):
    """Who was asked for, and their actuals (raw: cents or counts, each summed over the
    person's subtree): what ``actuals`` and ``forecast`` both start from."""

    tree: _Tree
    order: list[int]  # everyone read, managers before their reports
    roots: list[int]
    wanted: list[int]  # the root's whole subtree, or the people listed
    done: dict[int, int]


def _actuals(reader: Reader, person_ids_or_root: int | Sequence[int], period: Period, metric: str,
             branch_id: int | None) -> _Actuals | None:
    """The tree under the people asked for and its sums for ``period``; ``None`` when no
    one is asked for."""
    check_metric(metric)
    roots, whole = _roots(person_ids_or_root)
    if not roots:
        return None
    tree = _tree(reader, roots)
    order = _order(tree, roots)
    done = _subtree_sums(tree, order, _per_owner(reader, metric, period.start, period.end, roots), branch_id)
    return _Actuals(tree, order, roots, order if whole else roots, done)


def actuals(reader: Reader, person_ids_or_root: int | Sequence[int], period: Period, metric: str = WON_REVENUE,
            *, branch_id: int | None = None) -> dict[int, Decimal]:
    """Each person's actual for ``period``: that of their whole subtree.

    Given one id (the root), every person of the root's subtree; given a list of ids,
    those people only.  Money to the cent; counts as whole ``Decimal`` numbers.
    """
    found = _actuals(reader, person_ids_or_root, period, metric, branch_id)
    if found is None:
        return {}
    return {pid: _as_value(metric, found.done[pid]) for pid in found.wanted}


def forecast(reader: Reader, person_ids_or_root: int | Sequence[int], period: Period, metric: str = WON_REVENUE,
             today: dt.date | None = None, *, branch_id: int | None = None) -> dict[int, Decimal | None]:
    """Each person's forecast for ``period`` (subtree, as ``actuals``): won so far plus
    the weighted open pipeline expected to close in it; the actual once it is over;
    ``None`` for new deals."""
    found = _actuals(reader, person_ids_or_root, period, metric, branch_id)
    if found is None:
        return {}
    ahead = _forecast_ahead(reader, found.tree, found.order, period, metric, today or CLOCK.today(), found.roots,
                            branch_id)
    return {pid: _forecast_value(metric, found.done[pid], ahead.get(pid)) for pid in found.wanted}


def _forecast_ahead(reader: Reader, tree: _Tree, order: list[int], period: Period, metric: str, today: dt.date,
                    roots: Sequence[int], branch_id: int | None) -> dict[int, int]:
    if period.end <= today or metric == NEW_DEALS:
        return {}
    return _subtree_sums(tree, order, _ahead_per_owner(reader, metric, period.start, period.end, roots), branch_id)


def _forecast_value(metric: str, done: int, ahead_x100: int | None) -> Decimal | None:
    if metric == NEW_DEALS:
        return None
    return _hundredths(metric, done * 100 + (ahead_x100 or 0))


def _order(tree: _Tree, roots: Sequence[int]) -> list[int]:
    """Everyone under the roots once, managers before their reports, even when one root
    is below another: the walk starts from the topmost people of the tree."""
    tops = [pid for pid, person in tree.people.items() if person.manager_id not in tree.people]
    return tree.below(*tops, *roots)  # the roots too: one of them may sit in a cycle


# --- reading: targets --------------------------------------------------------------------


class _Targets:
    """The explicit targets of a subtree for a metric, and the rules that derive the rest
    (a person's own target from finer periods; a manager's roll-up of their reports)."""

    def __init__(self, reader: Reader, roots: Sequence[int], metric: str, start: dt.date, end: dt.date):
        team, params = _team_cte(roots)
        params.update(_span(start, end), metric=metric)
        self.explicit: dict[tuple[int, str, dt.date], int] = {}
        for person_id, kind, period_start, value in reader.execute(
                team + "SELECT t.person_id, t.period_kind, t.period_start, t.value FROM targets t "
                "WHERE t.person_id IN (SELECT id FROM team) AND t.metric = :metric "
                "AND t.period_start >= :start AND t.period_start < :end", params):
            first_day = as_date(period_start)
            if first_day is not None:  # NOT NULL in the schema: every stored target has its period
                self.explicit[(person_id, kind, first_day)] = int(value)
        self._own: dict[tuple[int, Period], tuple[int | None, bool]] = {}

    def own(self, person_id: int, period: Period) -> tuple[int | None, bool]:
        """(cents or None, derived): the explicit target, else the sum of finer ones."""
        key = (person_id, period)
        if key not in self._own:
            value = self.explicit.get((person_id, period.kind.value, period.start))
            derived = False
            finer = FINER.get(period.kind)
            if value is None and finer is not None:
                parts = [self.own(person_id, sub)[0] for sub in _subperiods(period, finer)]
                if any(p is not None for p in parts):
                    value, derived = sum(p for p in parts if p is not None), True
            self._own[key] = (value, derived)
        return self._own[key]


@lru_cache(maxsize=256)
def _subperiods(period: Period, kind: PeriodKind) -> tuple[Period, ...]:
    """The periods of ``kind`` that tile ``period`` (months of a quarter...), in order."""
    out, sub = [], Period.containing(kind, period.start)
    while sub.start < period.end:
        out.append(sub)
        sub = sub.next()
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One line of the targets table: a person and their subtree in one period and metric.

    Money is ``Decimal`` to the cent; counts are whole ``Decimal`` numbers (a forecast of
    won deals has two decimals: an expected number).
    """

    person_id: int
    name: str
    role: str
    depth: int  # 0 for the chosen person
    manager_id: int | None
    active: bool
    branch_id: int | None
    target: Decimal | None  # the person's own: explicit, or summed from finer periods
    derived: bool  # ``target`` is the sum of the person's targets for finer periods
    rolled_up: Decimal | None  # sum of the direct reports' effective targets
    effective: Decimal | None  # target if set, else rolled_up
    unallocated: Decimal | None  # target - rolled_up when both exist
    actual: Decimal  # the whole subtree's
    attainment: float | None  # actual / effective; None without a (non-zero) target
    gap: Decimal | None  # effective - actual: still to go (negative: exceeded)
    forecast: Decimal | None  # won + weighted pipeline; None for new deals


class _Figures(NamedTuple):
    own: int | None
    derived: bool
    rolled_up: int | None

    @property
    def effective(self) -> int | None:
        return self.own if self.own is not None else self.rolled_up


def _target_figures(tree: _Tree, order: list[int], shown: set[int], targets: _Targets, period: Period,
                    branch_id: int | None) -> dict[int, _Figures]:
    """Per shown person: own target, derived, roll-up over the shown direct reports."""
    figures: dict[int, _Figures] = {}
    for pid in reversed(order):
        if pid not in shown:
            continue
        own, derived = targets.own(pid, period) if _in_scope(tree.people[pid], branch_id) else (None, False)
        of_reports = (figures[c].effective for c in tree.children.get(pid, ()) if c in figures)
        reports = [r for r in of_reports if r is not None]
        figures[pid] = _Figures(own, derived, sum(reports) if reports else None)
    return figures


def target_rows(reader: Reader, root_id: int, period: Period, metric: str = WON_REVENUE,
                today: dt.date | None = None, *, branch_id: int | None = None,
                until: dt.date | None = None) -> list[TargetRow]:
    """The targets table: ``root_id`` and their subtree, depth first (reports by rank,
    then name), with target, roll-up, actual, attainment, gap and forecast for ``period``.

    ``until`` counts actuals only up to that day (exclusive): the period to date, as
    the weekly report shows it for a week inside the period."""
    check_metric(metric)
    today = today or CLOCK.today()
    tree = _tree(reader, [root_id])
    order = tree.below(root_id)
    stop = period.end if until is None else max(period.start, min(until, period.end))
    done = _subtree_sums(tree, order, _per_owner(reader, metric, period.start, stop, [root_id]), branch_id)
    ahead = _forecast_ahead(reader, tree, order, period, metric, today, [root_id], branch_id)
    targets = _Targets(reader, [root_id], metric, period.start, period.end)
    shown = _shown(tree, order, root_id, period, targets, done, ahead, branch_id)
    figures = _target_figures(tree, order, shown, targets, period, branch_id)
    depth = {root_id: 0}
    rows = []
    for pid in order:
        if pid not in shown:
            continue
        person = tree.people[pid]
        if pid != root_id and person.manager_id is not None:  # below the root: reached from a manager
            depth[pid] = depth[person.manager_id] + 1
        f = figures[pid]
        actual = _as_value(metric, done[pid])
        effective = None if f.effective is None else _target_value(metric, f.effective)
        rows.append(TargetRow(
            pid, person.name, person.role, depth[pid], person.manager_id, person.active, person.branch_id,
            None if f.own is None else _target_value(metric, f.own), f.derived,
            None if f.rolled_up is None else _target_value(metric, f.rolled_up),
            effective,
            None if f.own is None or f.rolled_up is None else _target_value(metric, f.own - f.rolled_up),
            actual,
            float(actual / effective) if effective else None,
            None if effective is None else effective - actual,
            _forecast_value(metric, done[pid], ahead.get(pid)),
        ))
    return rows


def _shown(tree: _Tree, order: list[int], root_id: int, period: Period, targets: _Targets,
           done: dict[int, int], ahead: dict[int, int], branch_id: int | None) -> set[int]:
    """Who gets a row: active people of the scope, inactive ones with something in the
    period, and (with a branch filter) the managers linking them to the root."""
    shown: set[int] = set()
    for pid in reversed(order):
        person = tree.people[pid]
        has_shown_report = any(c in shown for c in tree.children.get(pid, ()))
        if _in_scope(person, branch_id):
            keep = person.active or has_shown_report or done.get(pid) or ahead.get(pid) \
                or targets.own(pid, period)[0] is not None
        else:
            keep = has_shown_report
        if keep or pid == root_id:
            shown.add(pid)
    return shown


def _target_value(metric: str, cents: int) -> Decimal:
    """A stored target (``Money``: hundredths) as the metric's value: money to the cent;
    counts as whole numbers when whole (as the editor writes them)."""
    if is_money(metric) or cents % 100:
        return from_cents(cents)
    return Decimal(cents // 100)


# --- reading: the year chart -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthPoint:
    """One month of the cumulative chart.  ``None`` where a line has no point: actuals
    after the current month, the forecast before it, targets before the first one."""

    month: dt.date  # its first day
    actual: Decimal | None
    cumulative_actual: Decimal | None
    target: Decimal | None
    cumulative_target: Decimal | None
    cumulative_forecast: Decimal | None


def monthly_series(reader: Reader, root_id: int, year: int, metric: str = WON_REVENUE,
                   today: dt.date | None = None, *, branch_id: int | None = None) -> list[MonthPoint]:
    """The year of ``root_id``'s subtree month by month, for the cumulative chart.

    - actual: by the month of the win (or creation, or activity done), up to this month;
    - target: the root's effective month target (own, else the roll-up of the reports');
      when no month of the year has one, each quarter's effective target split evenly
      over its three months, else the year's over twelve (exactly, with ``split_evenly``);
    - forecast: from this month on, the cumulative actual plus the weighted open pipeline
      by expected close month; open deals expected earlier in the year but still open
      count in this month.  December's forecast is the year's (as ``target_rows``).
    """
    check_metric(metric)
    today = today or CLOCK.today()
    months = _subperiods(Period(PeriodKind.YEAR, dt.date(year, 1, 1)), PeriodKind.MONTH)
    tree = _tree(reader, [root_id])
    order = tree.below(root_id)
    current = Period.containing(PeriodKind.MONTH, today)

    def team_total(own: dict[int, int]) -> int:
        return sum(value for owner, value in own.items()
                   if owner in tree.people and _in_scope(tree.people[owner], branch_id))

    actual: list[int | None] = []
    for month in months:
        actual.append(None if month.start > today else
                      team_total(_per_owner(reader, metric, month.start, month.end, [root_id])))
    monthly_targets = _monthly_targets(reader, tree, order, root_id, year, months, metric, branch_id)
    forecast: list[int | None] = [None] * 12  # hundredths
    if metric != NEW_DEALS and current.start < months[-1].end:
        first = 0 if current.start < months[0].start else months.index(current)
        running = sum(a or 0 for a in actual[:first + 1]) * 100
        running += team_total(_ahead_per_owner(reader, metric, months[0].start, months[first].end, [root_id]))
        forecast[first] = running
        for n in range(first + 1, 12):
            running += team_total(_ahead_per_owner(reader, metric, months[n].start, months[n].end, [root_id]))
            forecast[n] = running
    points, cumulative, cumulative_target = [], 0, None
    for month, won, target, ahead in zip(months, actual, monthly_targets, forecast):
        if won is not None:
            cumulative += won
        if target is not None:
            cumulative_target = (cumulative_target or 0) + target
        points.append(MonthPoint(
            month.start,
            None if won is None else _as_value(metric, won),
            None if won is None else _as_value(metric, cumulative),
            None if target is None else _target_value(metric, target),
            None if cumulative_target is None else _target_value(metric, cumulative_target),
            None if ahead is None else _hundredths(metric, ahead),
        ))
    return points


def _monthly_targets(reader: Reader, tree: _Tree, order: list[int], root_id: int, year: int,
                     months: Sequence[Period], metric: str, branch_id: int | None) -> list[int | None]:
    """The root's effective target per month of the year, in stored hundredths."""
    year_period = Period(PeriodKind.YEAR, dt.date(year, 1, 1))
    targets = _Targets(reader, [root_id], metric, year_period.start, year_period.end)
    everyone = set(order)

    def effective(period: Period) -> int | None:
        return _target_figures(tree, order, everyone, targets, period, branch_id)[root_id].effective

    by_month = [effective(m) for m in months]
    if any(v is not None for v in by_month):
        return by_month
    unit = int(unit_of(metric) * 100)  # spread in whole units: cents, or whole deals (100)
    quarters = [effective(q) for q in _subperiods(year_period, PeriodKind.QUARTER)]
    if any(v is not None for v in quarters):
        return [None if q is None else part for q in quarters for part in _spread(q, 3, unit)]
    whole_year = effective(year_period)
    return [None] * 12 if whole_year is None else _spread(whole_year, 12, unit)


def _spread(stored: int | None, n: int, unit: int) -> list[int | None]:
    """A stored target (hundredths) in ``n`` parts of whole ``unit``s that add up exactly."""
    if stored is None:
        return [None] * n
    if stored % unit:  # a count target with decimals (imported): spread in hundredths
        unit = 1
    return [int(part) * unit for part in split_evenly(Decimal(stored // unit), n, WHOLE)]

