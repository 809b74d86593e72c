"""The pipeline board's data: column order and totals for all deals, cards for those in sight.

Every function reads through a ``Reader`` (``with db.read() as reader``): plain SQL
and tuples, no SQLAlchemy, so the board paints before SQLAlchemy is even imported.

A column holds only the ids and positions of its deals (read from a covering index)
and its totals (summed in SQL); the text, amounts and dates of a card are fetched when
the card comes into sight, a few dozen at a time, and cached.  So opening a board of
100k deals costs about as much as reading two numbers per deal, and 1M deals open in
well under the time a naive "fetch every card" would take.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from salesdesk.clock import CLOCK
from salesdesk.db.engine import Reader, as_date
from salesdesk.domain.names import initials
from salesdesk.services.rates import DEFAULT_HOME, RateBook, home_currency, totals
from salesdesk.services import stale
from salesdesk.services.team import team_cte


@dataclass(frozen=True, slots=True)
class StageInfo:
    id: int
    name: str
    position: int
    probability: int
    stale_days: int | None
    is_won: bool


@dataclass(frozen=True, slots=True)
class PipelineInfo:
    id: int
    name: str


class Card(NamedTuple):
    """What a card shows, as plain values (no ORM object)."""

    id: int
    stage_id: int
    position: float
    title: str
    account: str
    owner: str
    amount_cents: int
    probability: int | None  # the deal's override; None: the stage default
    expected_close: dt.date | None
    stage_entered_at: dt.datetime
    status: str
    first_due: dt.date | None  # the earliest open activity
    last_due: dt.date | None  # the latest open activity
    pipeline_id: int
    currency: str = ""
    home_cents: int | None = 0  # the amount in the company's currency; None: no exchange rate
    won_on: dt.date | None = None  # the day it was won: what a won card shows

    @property
    def in_totals(self) -> bool:
        return self.home_cents is not None

    @property
    def initials(self) -> str:
        return initials(self.owner)

    def probability_in(self, stage: StageInfo) -> int:
        return stage.probability if self.probability is None else self.probability

    def weighted_x100(self, stage: StageInfo) -> int:
        """Amount in the company's cents x probability in percent: exact, divided by 100
        at display (0 for a deal left out of totals for want of a rate)."""
        return (self.home_cents or 0) * self.probability_in(stage)


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows; column totals follow it."""

    text: str = ""
    owner_id: int | None = None  # that person and everyone below them
    branch_id: int | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    stale_only: bool = False
    # Won stages show the recently won only: the board is for the deals in play, and
    # a year of wins would bury the column.  None shows every won deal.
    won_days: int | None = 90

    @property
    def is_empty(self) -> bool:
        return self == BoardFilter()


@dataclass
class Column:
    stage: StageInfo
    ids: list[int] = field(default_factory=list)  # in column order
    positions: list[float] = field(default_factory=list)  # ascending, parallel to ids
    amount_cents: int = 0  # in the company's currency
    weighted_cents_x100: int = 0
    left_out: dict[str, int] = field(default_factory=dict)  # currency without a rate -> deals

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass
class BoardData:
    pipeline: PipelineInfo
    columns: list[Column]
    today: dt.date
    now: dt.datetime
    cards: dict[int, Card] = field(default_factory=dict)  # cache of cards seen
    book: RateBook | None = None  # today's exchange rates: totals are in the company's currency

    @property
    def currency(self) -> str:
        return self.book.home if self.book else DEFAULT_HOME


def pipelines(reader: Reader) -> list[PipelineInfo]:
    rows = reader.execute("SELECT id, name FROM pipelines ORDER BY position, id")
    return [PipelineInfo(*row) for row in rows]


def currency(reader: Reader) -> str:
    return home_currency(reader)


def stages(reader: Reader, pipeline_id: int) -> list[StageInfo]:
    rows = reader.execute(
        "SELECT id, name, position, probability, stale_days, is_won FROM stages "
        "WHERE pipeline_id = :p ORDER BY position, id", {"p": pipeline_id})
    return [StageInfo(i, n, pos, prob, stale, bool(won)) for i, n, pos, prob, stale, won in rows]


def filter_sql(f: BoardFilter, stage: StageInfo, now: dt.datetime, today: dt.date) -> tuple[str, dict]:
    """The conditions (" AND ..." over deals ``d``) and parameters ``f`` adds for a
    stage's deals; other lists of deals (the won and lost list) narrow the same way."""
    where: list[str] = []
    params: dict[str, object] = {}
    if f.text.strip():
        escaped = f.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("(d.title LIKE :text ESCAPE '\\' OR d.account_id IN "
                     "(SELECT id FROM accounts WHERE name LIKE :text ESCAPE '\\'))")
        params["text"] = f"%{escaped}%"
    if f.owner_id is not None:
        team, team_params = team_cte(f.owner_id, param="owner")  # UNION: damaged data cannot loop
        where.append(f"d.owner_id IN ({team}SELECT id FROM team)")
        params.update(team_params)
    if f.branch_id is not None:
        where.append("d.owner_id IN (SELECT id FROM people WHERE branch_id = :branch)")
        params["branch"] = f.branch_id
    if f.close_from is not None:
        where.append("d.expected_close >= :close_from")
        params["close_from"] = f.close_from.isoformat()
    if f.close_to is not None:
        where.append("d.expected_close <= :close_to")
        params["close_to"] = f.close_to.isoformat()
    if stage.is_won and f.won_days is not None:
        where.append("d.won_on >= :won_since")
        params["won_since"] = (today - dt.timedelta(days=f.won_days)).isoformat()
    if f.stale_only:
        if stage.stale_days is None or stage.is_won:
            where.append("0")
        else:
            where.append(f"d.stage_entered_at <= :stale_before AND {stale.nothing_planned()}")
            params["stale_before"] = stale.stale_since(now, stage.stale_days).isoformat(sep=" ")
            params["today"] = today.isoformat()
    return "".join(f" AND {w}" for w in where), params


def load_board(reader: Reader, pipeline_id: int, board_filter: BoardFilter = BoardFilter(),
               today: dt.date | None = None) -> BoardData:
    """Column order and totals of a pipeline's board under a filter (no card text yet)."""
    today = today or CLOCK.today()
    now = CLOCK.utc_naive()
    info = reader.one("SELECT id, name FROM pipelines WHERE id = :p", {"p": pipeline_id})
    if info is None:
        from salesdesk.errors import NotFoundError

        raise NotFoundError(f"Pipeline #{pipeline_id} no longer exists")
    book = RateBook.load(reader, today)
    columns = []
    for stage in stages(reader, pipeline_id):
        extra, params = _stage_params(board_filter, stage, now, today)
        # (stage_id, status, position) is indexed, and the index holds the id: no table read.
        rows = reader.execute(f"SELECT d.id, d.position FROM deals d WHERE d.stage_id = :stage AND d.status = :status"
                              f"{extra} ORDER BY d.position, d.id", params)
        column = Column(stage, [r[0] for r in rows], [r[1] for r in rows])
        column.amount_cents, column.weighted_cents_x100, column.left_out = _totals(reader, extra, params, book, today)
        columns.append(column)
    return BoardData(PipelineInfo(*info), columns, today, now, book=book)


def _stage_params(board_filter: BoardFilter, stage: StageInfo, now: dt.datetime, today: dt.date) -> tuple[str, dict]:
    extra, params = filter_sql(board_filter, stage, now, today)
    params.update(stage=stage.id, status="won" if stage.is_won else "open", default=stage.probability)
    return extra, params


def _totals(reader: Reader, extra: str, params: dict, book: RateBook,
            today: dt.date) -> tuple[int, int, dict[str, int]]:
    """(amount cents, weighted cents x100) in the company's currency, and the deals left out
    by currency; summed per currency in SQL (the covering index holds the currency)."""
    rows = reader.execute(
        f"SELECT d.currency, count(*), coalesce(sum(d.amount), 0), "
        f"coalesce(sum(d.amount * coalesce(d.probability, :default)), 0) "
        f"FROM deals d WHERE d.stage_id = :stage AND d.status = :status{extra} GROUP BY d.currency", params)
    found = totals(rows, book, today)
    amount, weighted = found.values or (0, 0)
    return amount, weighted, found.count_left_out


def column_totals(reader: Reader, data: BoardData, column: Column,
                  board_filter: BoardFilter) -> tuple[int, int, dict[str, int]]:
    """A column's (amount cents, weighted cents x100, left out) from the database, under the filter."""
    extra, params = _stage_params(board_filter, column.stage, data.now, data.today)
    return _totals(reader, extra, params, data.book or RateBook.load(reader, data.today), data.today)


_CARD_SQL = (
    "SELECT d.id, d.stage_id, d.position, d.title, coalesce(a.name, ''), coalesce(p.name, ''), d.amount, "
    "d.probability, d.expected_close, d.stage_entered_at, d.status, "
    "(SELECT min(x.due_on) FROM activities x WHERE x.deal_id = d.id AND x.done_at IS NULL), "
    "(SELECT max(x.due_on) FROM activities x WHERE x.deal_id = d.id AND x.done_at IS NULL), d.pipeline_id, "
    "d.currency, d.won_on "
    "FROM deals d LEFT JOIN accounts a ON a.id = d.account_id LEFT JOIN people p ON p.id = d.owner_id "
)



def _card(row, book: RateBook, today: dt.date) -> Card:
    (deal_id, stage_id, position, title, account, owner, amount, probability, close, entered, status,
     first_due, last_due, pipeline_id, currency, won_on) = row
    if isinstance(entered, str):
        entered = dt.datetime.fromisoformat(entered)
    return Card(deal_id, stage_id, position, title, account, owner, int(amount), probability, as_date(close),
                entered, status, as_date(first_due), as_date(last_due), pipeline_id, currency,
                book.convert(int(amount), currency, today), as_date(won_on))


def fetch_cards(reader: Reader, deal_ids, book: RateBook | None = None,
                today: dt.date | None = None) -> dict[int, Card]:
    """The cards of some deals (the ones coming into sight), by id; gone deals are absent.
    Each knows its amount in the company's currency at ``book``'s rates of ``today``."""
    ids = list(deal_ids)
    today = today or CLOCK.today()
    book = book or RateBook.load(reader, today)
    found: dict[int, Card] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join(f":i{n}" for n in range(len(chunk)))
        for row in reader.execute(f"{_CARD_SQL} WHERE d.id IN ({marks})", {f"i{n}": v for n, v in enumerate(chunk)}):
            card = _card(row, book, today)
            found[card.id] = card
    return found


@dataclass(frozen=True, slots=True)
class CardDetails:
    """What a card's hover text tells beyond what fits on the card."""

    days_in_stage: int
    next_subject: str | None  # the earliest open activity of the deal; None: nothing planned
    next_due: dt.date | None


def card_details(reader: Reader, card: Card, today: dt.date | None = None) -> CardDetails:
    """Days in its stage (local calendar days) and the next open activity of a card's deal."""
    today = today or CLOCK.today()
    entered = CLOCK.to_local(card.stage_entered_at).date()
    row = reader.one(
        "SELECT subject, due_on FROM activities WHERE deal_id = :d AND done_at IS NULL "
        "ORDER BY due_on IS NULL, due_on, id LIMIT 1", {"d": card.id})
    subject, due = (row[0], as_date(row[1])) if row else (None, None)
    return CardDetails(max(0, (today - entered).days), subject, due)


def is_stale(card: Card, stage: StageInfo, now: dt.datetime, today: dt.date) -> bool:
    """Idle in its stage longer than the stage allows, and nothing scheduled ahead.

    A deal with a future activity is being worked on: users of other tools complain
    that such deals still turn red.
    """
    if card.status != "open":
        return False
    return stale.is_stale(card.stage_entered_at, stage.stale_days, card.last_due, now, today)


def follow_up_due(card: Card, today: dt.date) -> bool:
    """An open activity is due today or overdue."""
    return card.first_due is not None and card.first_due <= today


def card_query(pipeline_id: int) -> tuple[str, dict]:
    """Every card column of the board in one SELECT: the benchmarks' raw-fetch baseline,
    what a board that reads all its cards up front would have to pay at least."""
    return (
        "SELECT d.id, d.stage_id, d.position, d.title, d.account_id, d.owner_id, d.amount, d.probability, "
        "d.expected_close, d.stage_entered_at, d.status FROM deals d "
        "WHERE d.pipeline_id = :pipeline AND d.status <> 'lost' ORDER BY d.stage_id, d.position",
        {"pipeline": pipeline_id},
    )


@dataclass(frozen=True, slots=True)
class OwnerChoice:
    id: int
    name: str
    role: str
    reports: int  # active direct reports: "and team" in the filter


def owner_choices(reader: Reader) -> list[OwnerChoice]:
    """Active people, senior first, for the owner filter and the deal editor."""
    rows = reader.execute(
        "SELECT p.id, p.name, r.name, (SELECT count(*) FROM people c WHERE c.manager_id = p.id AND c.active) "
        "FROM people p JOIN roles r ON r.id = p.role_id WHERE p.active ORDER BY r.rank, p.name")
    return [OwnerChoice(*row) for row in rows]


def branch_choices(reader: Reader) -> list[tuple[int, str]]:
    return reader.execute("SELECT id, name FROM branches WHERE active ORDER BY name")
