"""The board's item model over a real database: drops, undo, totals, filters, failures."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import event, text

from salesdesk.clock import CLOCK
from salesdesk.db.migrate import open_database
from salesdesk.services import board as board_data
from salesdesk.services.board import BoardFilter
from salesdesk.ui.history import History
from salesdesk.ui.pipeline.model import BoardModel, decode_ids
from salesdesk.ui.pipeline.operations import BoardOperations
from tests.conftest import dump


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from salesdesk.services.demo import load_demo

    path = tmp_path_factory.mktemp("board") / "demo.sqlite3"
    db = open_database(path)
    load_demo(db, seed=3, deals=400)
    db.close()
    return path


@pytest.fixture
def db(demo_file, tmp_path):
    import shutil

    copy = tmp_path / "board.sqlite3"
    shutil.copy(demo_file, copy)
    database = open_database(copy)
    yield database
    database.close()


@pytest.fixture
def board(db, qtbot):
    model = BoardModel(db)
    stack = History()
    model.load(1)
    return model, stack, BoardOperations(model, db, stack)


def ids_in(model, column_row):
    return list(model.column(column_row).ids)


def cards_in(model, column_row):
    return [model.card(column_row, row) for row in range(model.column(column_row).count)]


def sql_totals(reader, pipeline_id: int, won_since: dt.date | None = None) -> dict[int, tuple[int, int, int]]:
    """Per stage: (count, amount cents, weighted cents x100) of the unfiltered board, in SQL
    (won deals only from ``won_since`` on, when given).

    Written out again without the board's code, to check its running totals (the
    demo's deals are all in the company's currency).
    """
    rows = reader.execute(
        "SELECT d.stage_id, count(*), coalesce(sum(d.amount), 0), "
        "coalesce(sum(d.amount * coalesce(d.probability, s.probability)), 0) "
        "FROM deals d JOIN stages s ON s.id = d.stage_id "
        "WHERE d.pipeline_id = :p AND (d.status = 'open' OR (d.status = 'won' AND d.won_on >= :since)) "
        "GROUP BY d.stage_id", {"p": pipeline_id, "since": (won_since or dt.date.min).isoformat()})
    return {stage_id: (count, amount, weighted) for stage_id, count, amount, weighted in rows}


def assert_matches_database(model, db):
    """What the board shows is what a fresh load from the database shows."""
    with db.read() as reader:
        fresh = board_data.load_board(reader, model.pipeline_id, model.board_filter)
        days = model.board_filter.won_days
        sql = sql_totals(reader, model.pipeline_id,
                                    CLOCK.today() - dt.timedelta(days=days) if days is not None else None)
    for row, column in enumerate(fresh.columns):
        assert ids_in(model, row) == column.ids, column.stage.name
        assert model.column(row).positions == column.positions
        shown = model.column(row)
        assert (shown.count, shown.amount_cents, shown.weighted_cents_x100) == (column.count, column.amount_cents, column.weighted_cents_x100)
        if model.board_filter.is_empty:
            assert (shown.count, shown.amount_cents, shown.weighted_cents_x100) == sql.get(column.stage.id, (0, 0, 0))


def test_the_model_is_a_well_behaved_qt_model(board, qtmodeltester):
    model, _, _ = board
    qtmodeltester.check(model, force_py=True)


def test_a_drop_moves_the_deal_writes_history_and_updates_totals(board, db):
    model, stack, ops = board
    deal_id = ids_in(model, 0)[0]
    mime = model.mimeData([model.index(0, 0, model.index(0))])
    assert decode_ids(mime) == [deal_id]
    before_target = model.totals(3)
    assert ops.move(decode_ids(mime), 3, 1)
    assert ids_in(model, 3)[1] == deal_id
    assert deal_id not in ids_in(model, 0)
    assert model.totals(3)[0] == before_target[0] + 1
    with db.session() as s:
        stage_id = s.execute(text("SELECT stage_id FROM deals WHERE id = :d"), {"d": deal_id}).scalar()
        last = s.execute(text("SELECT to_stage_id FROM stage_changes WHERE deal_id = :d ORDER BY id DESC LIMIT 1"), {"d": deal_id}).scalar()
    assert stage_id == last == model.column(3).stage.id
    assert stack.count() == 1 and stack.undoText().startswith("Move “")
    assert_matches_database(model, db)


def test_undo_and_redo_leave_the_database_exactly_as_before(board, db):
    model, stack, ops = board
    before = dump(db)
    ids = ids_in(model, 1)[:3]
    ops.move(ids, 7, 0)  # three deals to "Deal": won
    with db.session() as s:
        assert s.execute(text(f"SELECT count(*) FROM deals WHERE status = 'won' AND id IN ({','.join(map(str, ids))})")).scalar() == 3
    after = dump(db)
    stack.undo()
    assert dump(db) == before
    assert ids_in(model, 1)[:3] == ids
    assert_matches_database(model, db)
    stack.redo()
    redone = dump(db)

    def placements(rows):  # redo is a new change: its times are now, the rest is as before
        return [(r.id, r.stage_id, r.status, r.position, r.won_on) for r in rows]

    assert placements(redone["deals"]) == placements(after["deals"])
    assert_matches_database(model, db)


def test_reorder_within_a_column(board, db):
    model, stack, ops = board
    ids = ids_in(model, 2)
    assert len(ids) >= 3
    ops.move([ids[-1]], 2, 0)
    assert ids_in(model, 2) == [ids[-1], *ids[:-1]]
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM stage_changes WHERE deal_id = :d"), {"d": ids[-1]}).scalar() == \
            len([r for r in s.execute(text("SELECT 1 FROM stage_changes WHERE deal_id = :d"), {"d": ids[-1]})])
    stack.undo()
    assert ids_in(model, 2) == ids
    assert_matches_database(model, db)


def test_totals_equal_sql_after_random_moves_and_undos(board, db):
    model, stack, ops = board
    rng = random.Random(5)
    for _ in range(60):
        choice = rng.random()
        if choice < 0.75:
            sources = [r for r in range(model.column_count()) if model.column(r).ids]
            src = rng.choice(sources)
            cards = ids_in(model, src)
            picked = rng.sample(cards, k=min(len(cards), rng.choice([1, 1, 2, 3])))
            ops.move(picked, rng.randrange(model.column_count()), rng.randint(-1, 5))
        elif stack.canUndo():
            stack.undo()
        elif stack.canRedo():
            stack.redo()
    assert_matches_database(model, db)
    while stack.canUndo():
        stack.undo()
    assert_matches_database(model, db)


def test_lost_leaves_the_board_and_undo_brings_it_back_in_place(board, db):
    model, stack, ops = board
    ids = ids_in(model, 4)
    with db.session() as s:
        reason = s.execute(text("SELECT id FROM lost_reasons LIMIT 1")).scalar()
    ops.lose([ids[1]], reason, "budget frozen")
    assert ids[1] not in ids_in(model, 4)
    stack.undo()
    assert ids_in(model, 4) == ids
    assert_matches_database(model, db)
    stack.redo()
    assert ids[1] not in ids_in(model, 4)
    with db.session() as s:
        assert s.execute(text("SELECT status, lost_note FROM deals WHERE id = :d"), {"d": ids[1]}).one() == ("lost", "budget frozen")


def test_won_columns_show_recent_wins_unless_asked_for_all(board, db):
    model, _, _ = board
    won_rows = [r for r in range(model.column_count()) if model.column(r).stage.is_won]
    recent = sum(model.column(r).count for r in won_rows)
    with db.session() as s:
        since = (CLOCK.today() - dt.timedelta(days=90)).isoformat()
        assert recent == s.execute(text("SELECT count(*) FROM deals WHERE pipeline_id = 1 AND status = 'won' AND won_on >= :s"), {"s": since}).scalar()
        everything = s.execute(text("SELECT count(*) FROM deals WHERE pipeline_id = 1 AND status = 'won'")).scalar()
    model.load(1, BoardFilter(won_days=None))
    assert sum(model.column(r).count for r in won_rows) == everything > recent
    assert_matches_database(model, db)


def test_filters_and_their_totals(board, db):
    model, _, _ = board
    with db.session() as s:
        owner, name = s.execute(text("SELECT p.id, p.name FROM people p JOIN roles r ON r.id = p.role_id WHERE r.name = 'Branch Manager' LIMIT 1")).one()
        team = [r[0] for r in s.execute(text(
            "WITH RECURSIVE t(id) AS (SELECT :o UNION ALL SELECT p.id FROM people p JOIN t ON p.manager_id = t.id) SELECT id FROM t"), {"o": owner})]
        expected = s.execute(text(
            f"SELECT count(*) FROM deals WHERE pipeline_id = 1 AND owner_id IN ({','.join(map(str, team))}) "
            "AND (status = 'open' OR (status = 'won' AND won_on >= :since))"),
            {"since": (CLOCK.today() - dt.timedelta(days=90)).isoformat()}).scalar()
        account = s.execute(text("SELECT a.name FROM deals d JOIN accounts a ON a.id = d.account_id WHERE d.pipeline_id = 1 AND d.status = 'open' LIMIT 1")).scalar()
    model.load(1, BoardFilter(owner_id=owner))
    assert sum(model.totals(r)[0] for r in range(model.column_count())) == expected > 0
    assert_matches_database(model, db)

    model.load(1, BoardFilter(text=account.upper()))
    shown = [c for r in range(model.column_count()) for c in cards_in(model, r)]
    assert shown and all(account.lower() in (c.account + " " + c.title).lower() for c in shown)
    assert any(c.account == account for c in shown)

    today = CLOCK.today()
    model.load(1, BoardFilter(close_from=today, close_to=today + dt.timedelta(days=30)))
    for r in range(model.column_count()):
        for c in cards_in(model, r):
            assert today <= c.expected_close <= today + dt.timedelta(days=30)

    model.load(1, BoardFilter(stale_only=True))
    assert all(model.is_stale(r, c) for r in range(model.column_count()) for c in cards_in(model, r))
    assert sum(model.totals(r)[0] for r in range(model.column_count())) > 0


def test_a_failed_save_puts_the_card_back_and_says_why(board, db, qtbot):
    model, stack, ops = board
    before = dump(db)
    deal_id = ids_in(model, 0)[0]
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def read_only(dbapi_connection, _):
        dbapi_connection.execute("PRAGMA query_only = 1")

    with qtbot.waitSignal(model.save_failed) as failure:
        ok = ops.move(decode_ids(model.mimeData([model.index(0, 0, model.index(0))])), 5, 0)
    assert not ok
    assert "could not be saved" in failure.args[0] and "read-only" in failure.args[0]
    assert ids_in(model, 0)[0] == deal_id
    assert stack.count() == 0
    assert dump(db) == before


def test_the_stale_filter_shows_exactly_the_cards_drawn_stale(db):
    """One rule (services/stale.py) for the red cards and the "Stale only" filter."""
    with db.read() as reader:
        everything = board_data.load_board(reader, 1)
        only = board_data.load_board(reader, 1, BoardFilter(stale_only=True))
        cards = board_data.fetch_cards(reader, [i for c in everything.columns for i in c.ids])
    red = {i for c in everything.columns for i in c.ids
           if board_data.is_stale(cards[i], c.stage, everything.now, everything.today)}
    assert red, "the demo has stale deals"
    assert {i for c in only.columns for i in c.ids} == red
