"""The pipeline board's data, loaded at nearly the speed of a raw sqlite3 fetch.

A card is the plain tuple the database returns (fields at the ``C_*`` indexes), kept
in per-stage lists sorted by position: no ORM objects, no per-card Python object
beyond the tuple itself, so 100k cards load in about the time of the fetch and weigh
a few tens of MB.  Names are looked up at paint time in small dicts (accounts,
owners), not copied into every card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

# Card tuple fields, in SELECT order.
C_ID, C_STAGE, C_POSITION, C_TITLE, C_ACCOUNT, C_OWNER, C_AMOUNT, C_PROBABILITY, C_CLOSE, C_ENTERED, C_STATUS = range(11)
CARD_COLUMNS = (
    "d.id, d.stage_id, d.position, d.title, d.account_id, d.owner_id, d.amount, d.probability, "
    "d.expected_close, d.stage_entered_at, d.status"
)


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


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows; column totals follow it."""

    text: str = ""
    owner_id: int | None = None  # that person and everyone below them
    branch_id: int | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    stale_only: bool = False

    @property
    def is_empty(self) -> bool:
        return self == BoardFilter()


@dataclass
class Column:
    stage: StageInfo
    cards: list[tuple]  # sorted by position
    count: int = 0
    amount_cents: int = 0
    weighted_cents_x100: int = 0  # sum of cents x percent: exact, divided by 100 at display


@dataclass
class BoardData:
    pipeline: PipelineInfo
    columns: list[Column]
    accounts: dict[int, str]
    owners: dict[int, tuple[str, str]]  # id -> (name, initials)
    follow_up_due: set[int] = field(default_factory=set)  # an open activity due today or overdue
    scheduled: set[int] = field(default_factory=set)  # an open activity in the future
    today: dt.date = field(default_factory=dt.date.today)
    now: dt.datetime = field(default_factory=dt.datetime.utcnow)

    def column_of(self, stage_id: int) -> Column:
        for column in self.columns:
            if column.stage.id == stage_id:
                return column
        raise KeyError(stage_id)


def initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    if not parts:
        return "?"
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


def pipelines(session: Session) -> list[PipelineInfo]:
    rows = session.execute(text("SELECT id, name FROM pipelines ORDER BY position, id"))
    return [PipelineInfo(*row) for row in rows]


def stages(session: Session, pipeline_id: int) -> list[StageInfo]:
    rows = session.execute(
        text("SELECT id, name, position, probability, stale_days, is_won FROM stages "
             "WHERE pipeline_id = :p ORDER BY position, id"), {"p": pipeline_id})
    return [StageInfo(i, n, pos, prob, stale, bool(won)) for i, n, pos, prob, stale, won in rows]


def card_query(pipeline_id: int, board_filter: BoardFilter) -> tuple[str, dict]:
    """The SELECT of the board's cards (also the benchmark's raw-fetch baseline)."""
    where = ["d.pipeline_id = :pipeline", "d.status <> 'lost'"]
    params: dict = {"pipeline": pipeline_id}
    f = board_filter
    if f.text.strip():
        where.append("(d.title LIKE :text ESCAPE '\\' OR d.account_id IN "
                      "(SELECT id FROM accounts WHERE name LIKE :text ESCAPE '\\'))")
        escaped = f.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["text"] = f"%{escaped}%"
    if f.owner_id is not None:
        where.append("d.owner_id IN (WITH RECURSIVE team(id) AS (SELECT :owner UNION ALL "
                     "SELECT p.id FROM people p JOIN team ON p.manager_id = team.id) SELECT id FROM team)")
        params["owner"] = f.owner_id
    if f.branch_id is not None:
        where.append("d.owner_id IN (SELECT id FROM people WHERE branch_id = :branch)")
        params["branch"] = f.branch_id
    if f.close_from is not None:
        where.append("d.expected_close >= :close_from")
        params["close_from"] = f.close_from.isoformat()
    if f.close_to is not None:
        where.append("d.expected_close <= :close_to")
        params["close_to"] = f.close_to.isoformat()
    sql = f"SELECT {CARD_COLUMNS} FROM deals d WHERE {' AND '.join(where)} ORDER BY d.stage_id, d.position"
    return sql, params


def load_board(session: Session, pipeline_id: int, board_filter: BoardFilter = BoardFilter(),
               today: dt.date | None = None) -> BoardData:
    today = today or dt.date.today()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    info = session.execute(text("SELECT id, name FROM pipelines WHERE id = :p"), {"p": pipeline_id}).first()
    if info is None:
        from salesdesk.errors import NotFoundError

        raise NotFoundError(f"Pipeline #{pipeline_id} no longer exists")
    stage_list = stages(session, pipeline_id)
    raw = session.connection().connection.driver_connection  # plain tuples, no Row objects
    sql, params = card_query(pipeline_id, board_filter)
    rows = raw.execute(sql, params).fetchall()

    due, scheduled = set(), set()
    today_iso = today.isoformat()
    for deal_id, first_due, last_due in raw.execute(
        "SELECT a.deal_id, min(a.due_on), max(a.due_on) FROM activities a "
        "JOIN deals d ON d.id = a.deal_id "
        "WHERE a.done_at IS NULL AND a.due_on IS NOT NULL AND d.pipeline_id = ? AND d.status = 'open' "
        "GROUP BY a.deal_id", (pipeline_id,)):
        if first_due <= today_iso:
            due.add(deal_id)
        if last_due > today_iso:
            scheduled.add(deal_id)

    data = BoardData(
        pipeline=PipelineInfo(*info),
        columns=[Column(stage, []) for stage in stage_list],
        accounts=dict(raw.execute("SELECT id, name FROM accounts").fetchall()),
        owners={pid: (name, initials(name)) for pid, name in raw.execute("SELECT id, name FROM people")},
        follow_up_due=due,
        scheduled=scheduled,
        today=today,
        now=now,
    )
    by_stage = {column.stage.id: column for column in data.columns}
    # Rows arrive sorted by stage then position: slice them into columns in one pass.
    start = 0
    total = len(rows)
    while start < total:
        stage_id = rows[start][C_STAGE]
        end = start
        while end < total and rows[end][C_STAGE] == stage_id:
            end += 1
        column = by_stage.get(stage_id)
        if column is not None:
            column.cards = rows[start:end]
        start = end
    if board_filter.stale_only:
        for column in data.columns:
            column.cards = [c for c in column.cards if is_stale(c, column.stage, data)]
    for column in data.columns:
        recount(column)
    return data




def recount(column: Column) -> None:
    """Column totals from its cards (exact integers)."""
    cards = column.cards
    default = column.stage.probability
    column.count = len(cards)
    column.amount_cents = sum(c[C_AMOUNT] for c in cards)
    column.weighted_cents_x100 = sum(
        c[C_AMOUNT] * (default if c[C_PROBABILITY] is None else c[C_PROBABILITY]) for c in cards)


def card_probability(card: tuple, stage: StageInfo) -> int:
    return stage.probability if card[C_PROBABILITY] is None else card[C_PROBABILITY]


def is_stale(card: tuple, stage: StageInfo, data: BoardData) -> bool:
    """Idle in its stage longer than the stage allows, and nothing scheduled ahead.

    A deal with a future activity is being worked on: users of other tools complain
    that such deals still turn red.
    """
    if stage.stale_days is None or card[C_STATUS] != "open" or card[C_ID] in data.scheduled:
        return False
    entered = card[C_ENTERED]
    if isinstance(entered, str):
        entered = dt.datetime.fromisoformat(entered)
    return (data.now - entered).days > stage.stale_days


def sql_totals(session: Session, pipeline_id: int) -> dict[int, tuple[int, int, int]]:
    """Per stage: (count, amount cents, weighted cents x100) of the unfiltered board, in SQL.

    Used to check the in-memory totals; answered from the covering index.
    """
    rows = session.execute(text(
        "SELECT d.stage_id, count(*), coalesce(sum(d.amount), 0), "
        "coalesce(sum(d.amount * coalesce(d.probability, s.probability)), 0) "
        "FROM deals d JOIN stages s ON s.id = d.stage_id "
        "WHERE d.pipeline_id = :p AND d.status <> 'lost' GROUP BY d.stage_id"), {"p": pipeline_id})
    return {stage_id: (count, amount, weighted) for stage_id, count, amount, weighted in rows}


C_PIPELINE_CHECK = 11  # load_card appends the pipeline id after the card fields


def load_card(session: Session, deal_id: int) -> tuple | None:
    """One deal's card tuple plus its pipeline id, or None when it no longer exists."""
    raw = session.connection().connection.driver_connection
    return raw.execute(f"SELECT {CARD_COLUMNS}, d.pipeline_id FROM deals d WHERE d.id = ?", (deal_id,)).fetchone()


def add_lookups(session: Session, data: BoardData, card: tuple) -> None:
    """Make sure the board knows the names a (new or edited) card refers to."""
    raw = session.connection().connection.driver_connection
    if card[C_ACCOUNT] is not None and card[C_ACCOUNT] not in data.accounts:
        row = raw.execute("SELECT name FROM accounts WHERE id = ?", (card[C_ACCOUNT],)).fetchone()
        if row:
            data.accounts[card[C_ACCOUNT]] = row[0]
    if card[C_OWNER] not in data.owners:
        row = raw.execute("SELECT name FROM people WHERE id = ?", (card[C_OWNER],)).fetchone()
        if row:
            data.owners[card[C_OWNER]] = (row[0], initials(row[0]))
    today = data.today.isoformat()
    first, last = raw.execute(
        "SELECT min(due_on), max(due_on) FROM activities WHERE deal_id = ? AND done_at IS NULL AND due_on IS NOT NULL",
        (card[C_ID],)).fetchone()
    data.follow_up_due.discard(card[C_ID])
    data.scheduled.discard(card[C_ID])
    if first is not None and first <= today:
        data.follow_up_due.add(card[C_ID])
    if last is not None and last > today:
        data.scheduled.add(card[C_ID])


@dataclass(frozen=True, slots=True)
class OwnerChoice:
    id: int
    name: str
    role: str
    reports: int  # active direct reports: "and team" in the filter


def owner_choices(session: Session) -> list[OwnerChoice]:
    """Active people, senior first, for the owner filter and the deal editor."""
    rows = session.execute(text(
        "SELECT p.id, p.name, r.name, (SELECT count(*) FROM people c WHERE c.manager_id = p.id AND c.active) "
        "FROM people p JOIN roles r ON r.id = p.role_id WHERE p.active ORDER BY r.rank, p.name"))
    return [OwnerChoice(*row) for row in rows]


def branch_choices(session: Session) -> list[tuple[int, str]]:
    return [tuple(row) for row in session.execute(text("SELECT id, name FROM branches WHERE active ORDER BY name"))]
