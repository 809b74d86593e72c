"""The weekly report's figures: one ISO week, one scope, plain values (no Qt, no PDF).

Reads take a ``Reader`` (``with db.read() as reader``): plain SQL with ``:name``
parameters, every aggregate computed in SQL, money summed as integer cents and turned
into ``Decimal`` once, here.

Scope (``parse_scope``): ``company`` (everyone), ``branch:NAME`` (the people whose
branch it is, by today's org chart) or ``person:EMAIL`` (that person and their whole
subtree, active or not, as the targets' actuals count it).  A deal, activity or note
is in scope when its owner (author) is one of the scope's people.

What counts: the same rules as ``salesdesk.services.targets``, so the report agrees
with the Targets screen.  Weeks are half-open ``[start, end)``:

- **won**: status ``won`` and ``won_on`` in the week (count and value);
- **new**: ``created_at`` in the week, whatever became of the deal;
- **lost**: status ``lost`` and ``lost_on`` in the week (count and value);
- **activities**: ``done_at`` in the week;
- **open pipeline** and **weighted pipeline** (amount x effective probability: the
  deal's own, else its stage's, rounded half up to the cent) as they stood at the end
  of the week: the deals created before it and not won or lost before it, each in the
  stage its history says it was in then (the last ``stage_changes`` row before the
  end; a won stage then means it was not open).  Amounts and probability overrides
  have no history: today's are used.  A week not over yet shows the pipeline now.
- **stage changes**: the ``stage_changes`` rows whose ``changed_at`` falls in the week,
  of deals in scope; a deal's first row (its creation) has no ``from`` stage (``None``).
- **stale**: open deals idle in their stage longer than the stage's ``stale_days``
  with no open activity due after the day (the board's rule), as they stood at the
  end of the week (rebuilt like the pipeline; now, for a week still under way).
- **top open deals**: the 10 largest deals open at the end of the week.
- **long lists** keep their largest deals: won, lost and stale deals the ``LIST_LIMIT``
  largest (won and lost shown in date order), stage changes those of the
  ``MOVES_LIMIT`` largest deals (in time order); the counts (``stage_change_count``,
  ``stale_count``) and the headline figures cover all of them.  The attainment table
  shows as many levels of the hierarchy as fit in ``ATTAINMENT_ROWS`` rows (at least
  the top two); everyone below is counted in their manager's row.
- **by product**: the lines of the week's won deals: deals, quantity and value
  (quantity x unit price less the discount, each line rounded half up to the cent).
- **by branch**: the week's won value per branch of the owner (today's branch).
- **notes**: each in-scope person's non-empty weekly note for the week's Monday.
- **attainment**: won revenue against target for the quarter that holds the week's
  last day, counted from the quarter's start to the end of the week (the period to
  date), with the Targets screen's rules (``services.targets.target_rows``: a person's
  actual is their subtree's; a target is explicit or summed from the months).  Rows:
  the scope's root and everyone below (company: from the top of the org chart; a
  branch: the branch's people only, the managers above it left out).  ``expected`` is
  the target times the share of the quarter's days gone by the end of the week: the
  pace line a director compares against.
- **pace**: the scope's won value per week of the quarter up to the report's week,
  cumulated, for the chart against the straight line to the quarter's target.
- **currencies**: every amount is in the company's currency; a deal in another one
  counts at the exchange rate in force on the report's rate day (the week's last day,
  or today for a week still under way), and the report names each rate used.  A deal
  whose currency has no rate that day is counted in the deal counts but left out of
  every sum, and listed in ``left_out`` (``services/rates.py``).  Lists show each
  deal's amount in its own currency and are ordered by its value in the company's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from salesdesk.clock import CLOCK
from salesdesk.db.engine import Reader, as_date, as_datetime
from salesdesk.domain.money import format_money, from_cents
from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.errors import ValidationError
from salesdesk.services.rates import RateBook, RateUsed, Totals, plain, totals
from salesdesk.services.targets import WON_REVENUE, target_rows
from salesdesk.services import stale
from salesdesk.services.team import team_cte

COMPANY, BRANCH, PERSON = "company", "branch", "person"
TOP_OPEN = 10
# A report is read, not searched: long lists keep their largest deals (the counts and
# totals above them always cover everything), so a big company's week stays a few pages.
LIST_LIMIT = 50  # won, lost and stale deals
MOVES_LIMIT = 100  # stage changes
ATTAINMENT_ROWS = 60  # people; deeper levels are left to their managers' rows beyond it


@dataclass(frozen=True)
class Scope:
    kind: str  # "company" | "branch" | "person"
    id: int | None  # the branch or person id; None for the company
    label: str

    @property
    def text(self) -> str:
        return self.kind if self.kind == COMPANY else f"{self.kind}:{self.label}"


def parse_scope(reader: Reader, text: str) -> Scope:
    """``company``, ``branch:NAME`` or ``person:EMAIL`` -> a ``Scope``; a
    ``ValidationError("scope", ...)`` with a one-line message otherwise."""
    raw = (text or "").strip()
    kind, sep, value = raw.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if kind == COMPANY and not sep:
        name = reader.scalar("SELECT value FROM settings WHERE key = 'company'")
        return Scope(COMPANY, None, name or "Company")
    if kind == BRANCH and value:
        row = reader.one("SELECT id, name FROM branches WHERE name = :name", {"name": value}) or reader.one(
            "SELECT id, name FROM branches WHERE lower(name) = lower(:name) ORDER BY id", {"name": value})
        if row is None:
            raise ValidationError("scope", f"No branch named {value!r}")
        return Scope(BRANCH, row[0], row[1])
    if kind == PERSON and value:
        row = reader.one("SELECT id, name FROM people WHERE lower(email) = lower(:email) ORDER BY id",
                         {"email": value})
        if row is None:
            raise ValidationError("scope", f"No person with the email {value!r}")
        return Scope(PERSON, row[0], row[1])
    raise ValidationError("scope", f"{raw!r} is not a scope; write company, branch:NAME or person:EMAIL")


def scope_choices(reader: Reader) -> list[Scope]:
    """What the Reports screen offers: the company, each active branch, then the active
    people (managers first, by rank then name: a manager's scope is their team)."""
    company = reader.scalar("SELECT value FROM settings WHERE key = 'company'") or "Company"
    out = [Scope(COMPANY, None, company)]
    out += [Scope(BRANCH, row[0], row[1]) for row in
            reader.execute("SELECT id, name FROM branches WHERE active ORDER BY lower(name), id")]
    out += [Scope(PERSON, row[0], row[1]) for row in reader.execute(
        "SELECT p.id, p.name FROM people p LEFT JOIN roles r ON r.id = p.role_id WHERE p.active "
        "ORDER BY NOT EXISTS (SELECT 1 FROM people c WHERE c.manager_id = p.id AND c.active), "
        "coalesce(r.rank, 99), lower(p.name), p.id")]
    return out


def first_deal_created(reader: Reader):
    """When the first deal was made (the weeks the Reports screen offers start there)."""
    return reader.scalar("SELECT min(created_at) FROM deals")


def _scope_cte(scope: Scope) -> tuple[str, dict]:
    """``WITH RECURSIVE scope(id)``: the scope's people.  UNION stops at cycles."""
    if scope.kind == COMPANY:
        body = "SELECT id FROM people"
    elif scope.kind == BRANCH:
        body = "SELECT id FROM people WHERE branch_id = :scope_id"
    elif scope.kind == PERSON:
        assert scope.id is not None  # a person scope names its person
        return team_cte(scope.id, name="scope", param="scope_id")
    else:
        raise ValidationError("scope", f"Unknown scope kind {scope.kind!r}")
    return f"WITH RECURSIVE scope(id) AS ({body}) ", {"scope_id": scope.id}


# --- the report's values ------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The headline figures of one week (or the change between two weeks)."""

    won_count: int
    won_value: Decimal
    new_deals: int
    lost_count: int
    lost_value: Decimal
    open_value: Decimal
    weighted_value: Decimal
    activities: int

    def minus(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class StageMove:
    deal_id: int
    title: str
    account: str
    from_stage: str | None  # None: the deal's first row (created)
    to_stage: str | None
    changed_at: dt.datetime | None  # aware, local time: when the user saw it happen
    changed_by: str


@dataclass(frozen=True)
class DealRow:
    deal_id: int
    title: str
    account: str
    owner: str
    stage: str
    amount: Decimal
    probability: int  # effective: the deal's own, else the stage's
    expected_close: dt.date | None
    day: dt.date | None  # won on / lost on; None for open deals
    reason: str = ""  # lost reason (and note)
    days_in_stage: int = 0  # stale deals
    currency: str = ""  # the deal's own (``amount`` is in it)


@dataclass(frozen=True)
class ProductRow:
    product: str
    deals: int
    quantity: int
    value: Decimal


@dataclass(frozen=True)
class BranchRow:
    branch: str  # "" for people in no branch
    won_count: int
    won_value: Decimal


@dataclass(frozen=True)
class Note:
    person_id: int
    person: str
    text: str


@dataclass(frozen=True)
class Attainment:
    person_id: int
    name: str
    role: str
    depth: int  # 0 for the scope's top row(s)
    target: Decimal | None  # the quarter's effective target (own, or the team's roll-up)
    actual: Decimal  # won from the quarter's start to the week's end, whole subtree
    ratio: float | None  # actual / target; None without a target
    expected: Decimal | None  # target x the share of the quarter gone: where the pace is


@dataclass(frozen=True)
class LeftOut:
    """Deals in a currency with no exchange rate on the report's rate day: counted as
    deals, left out of the sums."""

    what: str  # "won this week", "open at the end of the week", ...
    currency: str
    count: int
    value: Decimal  # in ``currency``


@dataclass(frozen=True)
class PacePoint:
    day: dt.date  # the end (exclusive) of a week of the quarter, or the quarter's end
    won: Decimal  # won in that week (the part of it inside the quarter)
    cumulative: Decimal  # won from the quarter's start to ``day``


@dataclass(frozen=True)
class WeeklyReport:
    week: Period
    previous_week: Period
    scope: Scope
    people: tuple[int, ...]
    current: Figures
    previous: Figures
    change: Figures
    stage_changes: tuple[StageMove, ...]  # at most MOVES_LIMIT: see stage_change_count
    won: tuple[DealRow, ...]  # at most LIST_LIMIT: see current.won_count
    lost: tuple[DealRow, ...]  # at most LIST_LIMIT: see current.lost_count
    stale: tuple[DealRow, ...]  # at most LIST_LIMIT: see stale_count
    top_open: tuple[DealRow, ...]
    by_product: tuple[ProductRow, ...]
    by_branch: tuple[BranchRow, ...]
    notes: tuple[Note, ...]
    currency: str
    today: dt.date
    quarter: Period
    quarter_until: dt.date  # attainment counts [quarter.start, quarter_until)
    attainment: tuple[Attainment, ...]
    scope_target: Decimal | None  # the scope's quarter target (sum of its top rows)
    pace: tuple[PacePoint, ...]
    stage_change_count: int = 0
    stale_count: int = 0
    stale_value: Decimal = Decimal(0)
    attainment_hidden: int = 0  # people below the levels shown (counted in their managers' rows)
    rate_day: dt.date | None = None  # the day whose exchange rates convert other currencies
    rates_used: tuple[RateUsed, ...] = ()  # the rates of other currencies that were converted
    left_out: tuple[LeftOut, ...] = ()  # deals left out of the sums for want of a rate

    def currency_note(self) -> str:
        """The sentence under the figures naming the rates used and what was left out;
        "" when every deal is in the company's currency."""
        if not self.rates_used and not self.left_out:
            return ""
        assert self.rate_day is not None  # set whenever rates were looked up
        cur = self.currency
        parts = [f"Amounts are in {cur}."]
        if self.rates_used:
            rates = "; ".join(f"1 {r.currency} = {plain(r.rate)} {cur} (rate from {r.valid_from.isoformat()})"
                              for r in self.rates_used)
            parts.append(f"Other currencies are converted at the rates of {self.rate_day.isoformat()}: {rates}.")
        if self.left_out:
            missing = "; ".join(
                f"{o.count:,d} deal{'s' if o.count != 1 else ''} {o.what} in {o.currency} "
                f"({format_money(o.value, o.currency)})" for o in self.left_out)
            parts.append(f"Left out of the sums, as there is no exchange rate to {cur} "
                         f"on {self.rate_day.isoformat()}: {missing}.")
        return " ".join(parts)

    @property
    def elapsed(self) -> float:
        """The share of the quarter's days gone by ``quarter_until``."""
        return float(_share_gone(self.quarter, self.quarter_until))

    @property
    def scope_expected(self) -> Decimal | None:
        """Where the scope would be on a straight line to its quarter target."""
        return None if self.scope_target is None else _on_pace(self.scope_target, self.quarter, self.quarter_until)

    @property
    def scope_won(self) -> Decimal:
        """Won in the quarter to the week's end, by the scope's people."""
        return self.pace[-1].cumulative if self.pace else Decimal(0)

    @property
    def won_count(self) -> int:
        return self.current.won_count

    @property
    def won_value(self) -> Decimal:
        return self.current.won_value

    @property
    def new_deals(self) -> int:
        return self.current.new_deals

    @property
    def lost_count(self) -> int:
        return self.current.lost_count

    @property
    def activities(self) -> int:
        return self.current.activities


def _share_gone(quarter: Period, until: dt.date) -> Decimal:
    return Decimal((until - quarter.start).days) / Decimal((quarter.end - quarter.start).days)


def _on_pace(target: Decimal, quarter: Period, until: dt.date) -> Decimal:
    return (target * _share_gone(quarter, until)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- reading ------------------------------------------------------------------------------


def _span(period: Period) -> dict:
    """A period's bounds: local dates for the dates of a deal (won on, lost on), and the
    UTC instants those local midnights are for the stamps (created, changed, done), so
    a deal created at 00:30 on a Monday in Berlin (23:30 UTC on Sunday) is that week's."""
    start_at, end_at = CLOCK.utc_bounds(period.start, period.end)
    return {"start": period.start.isoformat(), "end": period.end.isoformat(),
            "start_at": start_at.isoformat(sep=" "), "end_at": end_at.isoformat(sep=" ")}


# The unary + keeps SQLite from probing an owner index once per person of the scope
# (every deal of theirs, ever): the week's date range is by far the narrower search.
_IN_SCOPE = " AND +d.owner_id IN (SELECT id FROM scope)"


class _Sums:
    """The report's sums in the company's currency at one day's rates, and the rates
    they used and the deals they left out, gathered for the report's note."""

    def __init__(self, book: RateBook, day: dt.date):
        self.book, self.day = book, day
        self.rates_used: dict[str, RateUsed] = {}
        self.left_out: dict[tuple[str, str], list[int]] = {}  # (what, currency) -> [deals, cents]

    def of(self, rows, width: int, what: str | None = None) -> tuple[int, list[int]]:
        """Rows ``(currency, count, value...)`` as (all the deals, the values in the home
        currency); ``what`` names the figure in the note of what was left out (``None``:
        a part of a figure already noted)."""
        rows = list(rows)
        found: Totals = totals(rows, self.book, self.day)
        self.rates_used.update(found.rates_used)
        if what is not None:
            for currency, count in found.count_left_out.items():
                entry = self.left_out.setdefault((what, currency), [0, 0])
                entry[0] += count
                entry[1] += found.value_left_out.get(currency, 0)
        return sum(int(row[1] or 0) for row in rows), found.values or [0] * width

    def value_sql(self) -> tuple[str, dict]:
        """``d.amount`` in the home currency at the day's rates, as SQL, to order deals by
        what they are worth (0 for a currency without a rate)."""
        cases = ["WHEN :fx_home THEN 1.0"]
        params: dict[str, str | float] = {"fx_home": self.book.home}
        for n, currency in enumerate(sorted(self.book.rates)):
            used = self.book.rate_on(currency, self.day)
            if used is not None:
                cases.append(f"WHEN :fx{n} THEN :fx_rate{n}")
                params[f"fx{n}"], params[f"fx_rate{n}"] = currency, float(used.rate)
        return f"(d.amount * CASE d.currency {' '.join(cases)} ELSE 0 END)", params

    def notes(self) -> tuple[tuple[RateUsed, ...], tuple[LeftOut, ...]]:
        order = {what: n for n, what in enumerate(_LEFT_OUT_ORDER)}
        return (tuple(self.rates_used[c] for c in sorted(self.rates_used)),
                tuple(LeftOut(what, currency, count, from_cents(cents)) for (what, currency), (count, cents)
                      in sorted(self.left_out.items(), key=lambda item: (order.get(item[0][0], 99), item[0][1]))))


# The note of deals left out reads in the order of the figures: this week's, then the
# week before's, then the quarter's.
_LEFT_OUT_ORDER = ("won this week", "lost this week", "open at the end of the week", "won the previous week",
                   "lost the previous week", "open at the end of the previous week", "won in the quarter to date")


def _figures(reader: Reader, cte: str, params: dict, period: Period, pipeline: tuple[int, int],
             sums: _Sums, this: str) -> Figures:
    p = {**params, **_span(period)}
    won_count, (won_cents,) = sums.of(reader.execute(
        cte + "SELECT d.currency, count(*), coalesce(sum(d.amount), 0) FROM deals d WHERE d.status = 'won' "
        "AND d.won_on >= :start AND d.won_on < :end" + _IN_SCOPE + " GROUP BY d.currency", p), 1, f"won {this}")
    new = reader.scalar(cte + "SELECT count(*) FROM deals d WHERE d.created_at >= :start_at AND d.created_at < :end_at"
                        + _IN_SCOPE, p)
    lost_count, (lost_cents,) = sums.of(reader.execute(
        cte + "SELECT d.currency, count(*), coalesce(sum(d.amount), 0) FROM deals d WHERE d.status = 'lost' "
        "AND d.lost_on >= :start AND d.lost_on < :end" + _IN_SCOPE + " GROUP BY d.currency", p), 1, f"lost {this}")
    done = reader.scalar(cte + "SELECT count(*) FROM activities a WHERE a.owner_id IN (SELECT id FROM scope) "
                         "AND a.done_at >= :start_at AND a.done_at < :end_at", p)
    open_cents, weighted_x100 = pipeline
    return Figures(won_count, from_cents(won_cents), int(new), lost_count, from_cents(lost_cents),
                   from_cents(open_cents), from_cents((weighted_x100 + 50) // 100), int(done))


def _open_at(cte: str, params: dict, end: dt.date, today: dt.date) -> tuple[str, dict]:
    """``cte`` plus ``open_at(id, stage_id, entered)``: the scope's deals open at the
    start of ``end``, in the stage they were in then and since when.  A week still under
    way (``end`` after ``today``) takes the deals open now; a past one is rebuilt from
    the stage history: created before ``end``, not won or lost before it, in the stage of
    the last ``stage_changes`` row before it (the consumer drops won stages)."""
    if end > today:
        body = ("SELECT d.id, d.stage_id, d.stage_entered_at FROM deals d WHERE d.status = 'open'" + _IN_SCOPE)
        return f"{cte}, open_at(id, stage_id, entered) AS ({body}) ", {**params, "asof": "9999-12-31", "asof_at": "9999-12-31"}
    body = ("SELECT d.id, coalesce(h.to_stage_id, d.stage_id), coalesce(h.changed_at, d.created_at) FROM deals d "
            "LEFT JOIN stage_changes h ON h.id = (SELECT c.id FROM stage_changes c WHERE c.deal_id = d.id "
            "AND c.changed_at < :asof_at ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) "
            # open now, or closed on or after the day: three index ranges, not every deal
            "WHERE d.id IN (SELECT id FROM deals WHERE status = 'open' UNION ALL SELECT id FROM deals "
            "WHERE status = 'won' AND won_on >= :asof UNION ALL SELECT id FROM deals WHERE status = 'lost' "
            "AND lost_on >= :asof) AND d.created_at < :asof_at" + _IN_SCOPE)
    asof_at = CLOCK.local_midnight(end).isoformat(sep=" ")
    return f"{cte}, open_at(id, stage_id, entered) AS ({body}) ", {**params, "asof": end.isoformat(), "asof_at": asof_at}


_OPEN = ("FROM open_at o JOIN deals d ON d.id = o.id JOIN stages s ON s.id = o.stage_id "
         "WHERE NOT s.is_won")


def _pipeline(reader: Reader, cte: str, params: dict, sums: _Sums, what: str) -> tuple[int, int]:
    """The open deals of an ``_open_at`` query: (cents, weighted cents x 100)."""
    _, (cents, weighted) = sums.of(reader.execute(
        cte + "SELECT d.currency, count(*), coalesce(sum(d.amount), 0), coalesce(sum(d.amount * "
        "coalesce(d.probability, s.probability)), 0) " + _OPEN + " GROUP BY d.currency", params), 2, what)
    return cents, weighted


_DEAL_COLUMNS = (
    "SELECT d.id, d.title, coalesce(a.name, ''), p.name, s.name, d.amount, coalesce(d.probability, s.probability), "
    "d.expected_close, {day}, {reason}, d.stage_entered_at, d.currency "
    "FROM deals d JOIN people p ON p.id = d.owner_id JOIN stages s ON s.id = d.stage_id "
    "LEFT JOIN accounts a ON a.id = d.account_id {join} "
)


def _deal_rows(rows: list[tuple], now: dt.datetime | None = None) -> tuple[DealRow, ...]:
    """Rows of ``_DEAL_COLUMNS`` or ``_OPEN_COLUMNS`` as ``DealRow``; ``now`` counts the
    days in stage (stale deals)."""
    out = []
    for row in rows:
        entered = as_datetime(row[10])
        days = (now - entered).days if now is not None and entered is not None else 0
        out.append(DealRow(row[0], row[1], row[2], row[3], row[4], from_cents(int(row[5])), int(row[6]),
                           as_date(row[7]), as_date(row[8]), row[9] or "", days, row[11] or ""))
    return tuple(out)


def _deals(reader: Reader, cte: str, params: dict, where: str, order: str, *, day: str = "NULL",
           reason: str = "''", join: str = "") -> tuple[DealRow, ...]:
    sql = cte + _DEAL_COLUMNS.format(day=day, reason=reason, join=join) + "WHERE " + where + _IN_SCOPE + order
    return _deal_rows(reader.execute(sql, params))


_OPEN_COLUMNS = (
    "SELECT d.id, d.title, coalesce(a.name, ''), p.name, s.name, d.amount, coalesce(d.probability, s.probability), "
    "d.expected_close, NULL, '', o.entered, d.currency FROM open_at o JOIN deals d ON d.id = o.id "
    "JOIN people p ON p.id = d.owner_id JOIN stages s ON s.id = o.stage_id LEFT JOIN accounts a ON a.id = d.account_id "
    "WHERE NOT s.is_won"
)


def _open_deals(reader: Reader, cte: str, params: dict, where: str, order: str,
                now: dt.datetime | None = None) -> tuple[DealRow, ...]:
    return _deal_rows(reader.execute(cte + _OPEN_COLUMNS + where + order, params), now)


def _stale(reader: Reader, cte: str, params: dict, today: dt.date, now: dt.datetime,
           sums: _Sums, value: str) -> tuple[tuple[DealRow, ...], int, Decimal]:
    """The largest deals of an ``_open_at`` query that were stale at ``now`` (idle in
    their stage past its limit, no activity planned after ``today`` and not done by
    then): at most ``LIST_LIMIT``, and how many and how much in all."""
    stages = reader.execute("SELECT id, stale_days FROM stages WHERE stale_days IS NOT NULL AND NOT is_won")
    if not stages:
        return (), 0, Decimal(0)
    p = {**params, "today": today.isoformat(), "limit": LIST_LIMIT}
    ors = []
    for n, (stage_id, days) in enumerate(stages):
        ors.append(f"(o.stage_id = :st{n} AND o.entered <= :before{n})")
        p[f"st{n}"] = stage_id
        p[f"before{n}"] = stale.stale_since(now, int(days)).isoformat(sep=" ")
    where = " AND (" + " OR ".join(ors) + ") AND " + stale.nothing_planned(activity="x", done_by="asof_at")
    count, (cents,) = sums.of(reader.execute(
        cte + "SELECT d.currency, count(*), coalesce(sum(d.amount), 0) " + _OPEN + where + " GROUP BY d.currency", p), 1)
    rows = _open_deals(reader, cte, p, where, f" ORDER BY {value} DESC, d.id LIMIT :limit", now=now)
    return rows, count, from_cents(cents)


def _local(stamp: dt.datetime | None) -> dt.datetime | None:
    """A stored stamp (naive UTC) as the user's local time."""
    return CLOCK.to_local(stamp) if stamp is not None else None


def _largest_by_day(rows: tuple[DealRow, ...]) -> tuple[DealRow, ...]:
    """The largest deals, read in date order (then largest first)."""
    return tuple(sorted(rows, key=lambda r: (r.day or dt.date.min, -r.amount, r.deal_id)))


def weekly_report(reader: Reader, week: Period, scope: Scope, today: dt.date | None = None,
                  now: dt.datetime | None = None) -> WeeklyReport:
    """Everything the weekly report shows for ``week`` and ``scope``, as plain values.

    ``today`` (default: today) and ``now`` (default: now in UTC, or midnight of a given
    ``today``) decide which open deals are stale.
    """
    if week.kind is not PeriodKind.WEEK or Period.containing(PeriodKind.WEEK, week.start) != week:
        raise ValidationError("week", f"{week.start.isoformat()} does not start an ISO week")
    if now is None:
        now = CLOCK.local_midnight(today) if today is not None else CLOCK.utc_naive()
    today = today or CLOCK.today()
    cte, params = _scope_cte(scope)
    people = tuple(row[0] for row in reader.execute(cte + "SELECT id FROM scope ORDER BY id", params))
    rate_day = min(week.last_day, today)
    sums = _Sums(RateBook.load(reader, rate_day), rate_day)
    value, value_params = sums.value_sql()
    params = {**params, **value_params}
    previous_week = week.previous()
    at_end = _open_at(cte, params, week.end, today)
    current = _figures(reader, cte, params, week, _pipeline(reader, *at_end, sums, "open at the end of the week"),
                       sums, "this week")
    previous = _figures(reader, cte, params, previous_week,
                        _pipeline(reader, *_open_at(cte, params, week.start, today), sums,
                                  "open at the end of the previous week"), sums, "the previous week")
    span = {**params, **_span(week)}

    move_where = ("FROM stage_changes c JOIN deals d ON d.id = c.deal_id "
                  "WHERE c.changed_at >= :start_at AND c.changed_at < :end_at" + _IN_SCOPE)
    move_count = int(reader.scalar(cte + "SELECT count(*) " + move_where, span))
    moves = tuple(sorted((
        StageMove(row[0], row[1], row[2], row[3], row[4], _local(as_datetime(row[5])), row[6] or "")
        for row in reader.execute(
            cte + "SELECT d.id, d.title, coalesce(a.name, ''), f.name, t.name, c.changed_at, w.name "
            "FROM stage_changes c JOIN deals d ON d.id = c.deal_id LEFT JOIN accounts a ON a.id = d.account_id "
            "LEFT JOIN stages f ON f.id = c.from_stage_id LEFT JOIN stages t ON t.id = c.to_stage_id "
            "LEFT JOIN people w ON w.id = c.changed_by_id "
            "WHERE c.changed_at >= :start_at AND c.changed_at < :end_at" + _IN_SCOPE
            + f" ORDER BY {value} DESC, c.id LIMIT :limit", {**span, "limit": MOVES_LIMIT})),
        key=lambda m: (m.changed_at is not None, m.changed_at or 0, m.deal_id)))
    won = _largest_by_day(_deals(reader, cte, {**span, "limit": LIST_LIMIT},
                                 "d.status = 'won' AND d.won_on >= :start AND d.won_on < :end",
                                 f" ORDER BY {value} DESC, d.id LIMIT :limit", day="d.won_on"))
    lost = _largest_by_day(_deals(
        reader, cte, {**span, "limit": LIST_LIMIT}, "d.status = 'lost' AND d.lost_on >= :start AND d.lost_on < :end",
        f" ORDER BY {value} DESC, d.id LIMIT :limit", day="d.lost_on",
        reason="trim(coalesce(r.name, '') || CASE WHEN d.lost_note IS NOT NULL AND d.lost_note <> '' "
               "THEN ': ' || d.lost_note ELSE '' END, ': ')",
        join="LEFT JOIN lost_reasons r ON r.id = d.lost_reason_id"))
    # Open and stale deals as they stood when the week ended (now, for this week).
    as_of, as_of_now = (today, now) if week.end > today else (week.last_day, CLOCK.local_midnight(week.end))
    top = _open_deals(reader, at_end[0], {**at_end[1], "top": TOP_OPEN}, "", f" ORDER BY {value} DESC, d.id LIMIT :top")
    stale, stale_count, stale_value = _stale(reader, *at_end, as_of, as_of_now, sums, value)

    # Won by product and by branch: the week's won deals again, so nothing more to note.
    products: dict[tuple[int, str], list[int]] = {}
    for product_id, name, currency, deals, quantity, cents in reader.execute(
            cte + "SELECT pr.id, pr.name, d.currency, count(DISTINCT d.id), sum(l.quantity), "
            "sum((l.quantity * l.unit_price * (100 - l.discount_pct) + 50) / 100) "
            "FROM deal_lines l JOIN deals d ON d.id = l.deal_id JOIN products pr ON pr.id = l.product_id "
            "WHERE d.status = 'won' AND d.won_on >= :start AND d.won_on < :end" + _IN_SCOPE
            + " GROUP BY pr.id, pr.name, d.currency", span):
        entry = products.setdefault((product_id, name), [0, 0, 0])
        _, (home,) = sums.of([(currency, deals, cents)], 1)
        entry[0], entry[1], entry[2] = entry[0] + int(deals), entry[1] + int(quantity or 0), entry[2] + home
    by_product = tuple(sorted((ProductRow(name, deals, quantity, from_cents(cents))
                               for (_, name), (deals, quantity, cents) in products.items()),
                              key=lambda r: (-r.value, r.product)))
    branches: dict[tuple[int | None, str], list[int]] = {}
    for branch_id, name, currency, deals, cents in reader.execute(
            cte + "SELECT b.id, coalesce(b.name, ''), d.currency, count(*), sum(d.amount) FROM deals d "
            "JOIN people p ON p.id = d.owner_id LEFT JOIN branches b ON b.id = p.branch_id "
            "WHERE d.status = 'won' AND d.won_on >= :start AND d.won_on < :end" + _IN_SCOPE
            + " GROUP BY b.id, b.name, d.currency", span):
        entry = branches.setdefault((branch_id, name), [0, 0])
        _, (home,) = sums.of([(currency, deals, cents)], 1)
        entry[0], entry[1] = entry[0] + int(deals), entry[1] + home
    by_branch = tuple(sorted((BranchRow(name, deals, from_cents(cents))
                              for (_, name), (deals, cents) in branches.items()),
                             key=lambda r: (-r.won_value, r.branch)))
    notes = tuple(
        Note(row[0], row[1], row[2])
        for row in reader.execute(
            cte + "SELECT p.id, p.name, n.text FROM weekly_notes n JOIN people p ON p.id = n.person_id "
            "WHERE n.week_start = :monday AND n.person_id IN (SELECT id FROM scope) AND trim(n.text) <> '' "
            "ORDER BY lower(p.name), p.id", {**params, "monday": week.start.isoformat()}))
    currency = sums.book.home
    quarter = Period.containing(PeriodKind.QUARTER, week.last_day)
    until = min(week.end, quarter.end)
    attainment, scope_target = _attainment(reader, scope, quarter, until, today)
    shown = _levels_that_fit(attainment)
    pace = _pace(reader, cte, params, quarter, until, sums)
    rates_used, left_out = sums.notes()
    return WeeklyReport(week, previous_week, scope, people, current, previous, current.minus(previous), moves,
                        won, lost, stale, top, by_product, by_branch, notes, currency, today,
                        quarter, until, shown, scope_target, pace, move_count, stale_count, stale_value,
                        len(attainment) - len(shown), sums.day, rates_used, left_out)


def _levels_that_fit(rows: tuple[Attainment, ...]) -> tuple[Attainment, ...]:
    """The rows of as many levels as fit in ``ATTAINMENT_ROWS`` (the top two at least)."""
    if len(rows) <= ATTAINMENT_ROWS:
        return rows
    depth = 1
    while sum(1 for r in rows if r.depth <= depth + 1) <= ATTAINMENT_ROWS:
        depth += 1
    return tuple(r for r in rows if r.depth <= depth)


def _top_person(reader: Reader) -> int | None:
    """The top of the org chart: no manager; active and most senior first."""
    return reader.scalar(
        "SELECT p.id FROM people p LEFT JOIN roles r ON r.id = p.role_id WHERE p.manager_id IS NULL "
        "ORDER BY p.active DESC, coalesce(r.rank, 99), p.id LIMIT 1")


def _attainment(reader: Reader, scope: Scope, quarter: Period, until: dt.date,
                today: dt.date) -> tuple[tuple[Attainment, ...], Decimal | None]:
    root = scope.id if scope.kind == PERSON else _top_person(reader)
    if root is None:
        return (), None
    branch = scope.id if scope.kind == BRANCH else None
    rows = target_rows(reader, root, quarter, WON_REVENUE, today, branch_id=branch, until=until)
    manager_of = {r.person_id: r.manager_id for r in rows}
    if branch is not None:  # the managers linking the branch to the top are not the branch's
        rows = [r for r in rows if r.branch_id == branch]
    kept = {r.person_id for r in rows}

    def counted_above(person_id: int) -> bool:
        """Whether someone listed above this person already counts their target: a
        branch person under a manager from elsewhere may still be under the branch's top."""
        manager = manager_of.get(person_id)
        while manager is not None:
            if manager in kept:
                return True
            manager = manager_of.get(manager)
        return False

    tops = [r for r in rows if r.person_id == root or not counted_above(r.person_id)]
    top_depth = min((r.depth for r in rows), default=0)
    out = tuple(
        Attainment(r.person_id, r.name, r.role, r.depth - top_depth, r.effective, r.actual,
                   float(r.actual / r.effective) if r.effective else None,
                   None if r.effective is None else _on_pace(r.effective, quarter, until))
        for r in rows)
    targets = [r.effective for r in tops if r.effective is not None]
    return out, (sum(targets, Decimal(0)) if targets else None)


def _pace(reader: Reader, cte: str, params: dict, quarter: Period, until: dt.date,
          sums: _Sums) -> tuple[PacePoint, ...]:
    cents: dict[dt.date, int] = {}
    for day, currency, count, value in reader.execute(
            cte + "SELECT d.won_on, d.currency, count(*), sum(d.amount) FROM deals d WHERE d.status = 'won' "
            "AND d.won_on >= :start AND d.won_on < :end" + _IN_SCOPE + " GROUP BY d.won_on, d.currency",
            {**params, "start": quarter.start.isoformat(), "end": until.isoformat()}):
        _, (home,) = sums.of([(currency, count, value)], 1, "won in the quarter to date")
        won_on = as_date(day)
        assert won_on is not None  # won_on >= :start
        cents[won_on] = cents.get(won_on, 0) + home
    points, total = [], 0
    week = Period.containing(PeriodKind.WEEK, quarter.start)
    while week.start < until:
        start, end = max(week.start, quarter.start), min(week.end, until)
        won = sum(v for day, v in cents.items() if start <= day < end)
        total += won
        points.append(PacePoint(end, from_cents(won), from_cents(total)))
        week = week.next()
    return tuple(points)
