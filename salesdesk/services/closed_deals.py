"""Won and lost deals: the list they are found in again, and reopening them.

The board shows open deals (and the recently won); a deal that was lost leaves it.
This module lists the closed deals of a pipeline under the board's filter (owner's
team, branch) as plain snapshots, and reopens several in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import NamedTuple

from sqlalchemy.orm import Session

from salesdesk.db.engine import Reader, as_date
from salesdesk.services.board import BoardFilter, StageInfo, filter_sql, stages
from salesdesk.services.deals import MoveRecord, reopen_deal


class ClosedDeal(NamedTuple):
    """One row of the list, as plain values."""

    id: int
    title: str
    account: str
    owner: str
    amount_cents: int
    currency: str
    status: str  # "won" or "lost"
    closed_on: dt.date | None
    reason: str  # the preset reason and/or the note, as the lost dialog took them
    stage_id: int
    stage: str  # the stage it was in when it closed (the won stage for a win)
    reopen_stage_id: int | None  # where reopening puts it by default: the open stage it left


# The board's search, dates and "stale only" are about open deals: the list keeps the
# board's pipeline, owner and branch, and searches as the user types in its own box.
_NO_STAGE = StageInfo(0, "", 0, 0, None, False)

_SQL = (
    "SELECT d.id, d.title, coalesce(a.name, ''), coalesce(p.name, ''), d.amount, d.currency, d.status, "
    "CASE d.status WHEN 'won' THEN d.won_on ELSE d.lost_on END, coalesce(r.name, ''), coalesce(d.lost_note, ''), "
    "d.stage_id, s.is_won, "
    # the open stage a won deal came from: the latest change into its stage
    "(SELECT c.from_stage_id FROM stage_changes c WHERE c.deal_id = d.id AND c.to_stage_id = d.stage_id "
    " ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) "
    "FROM deals d JOIN stages s ON s.id = d.stage_id "
    "LEFT JOIN accounts a ON a.id = d.account_id LEFT JOIN people p ON p.id = d.owner_id "
    "LEFT JOIN lost_reasons r ON r.id = d.lost_reason_id "
    "WHERE d.pipeline_id = :pipeline AND d.status IN ({statuses})"
)


def closed_deals(reader: Reader, pipeline_id: int, board_filter: BoardFilter = BoardFilter(),
                 statuses: tuple[str, ...] = ("won", "lost")) -> list[ClosedDeal]:
    """The won and/or lost deals of a pipeline whose owner the board's filter shows,
    latest closed first."""
    kept = replace(BoardFilter(), owner_id=board_filter.owner_id, branch_id=board_filter.branch_id, won_days=None)
    extra, params = filter_sql(kept, _NO_STAGE, dt.datetime.min, dt.date.min)
    marks = ",".join(f":st{i}" for i in range(len(statuses)))
    params.update({f"st{i}": s for i, s in enumerate(statuses)}, pipeline=pipeline_id)
    names = {s.id: s for s in stages(reader, pipeline_id)}
    rows = []
    for (deal_id, title, account, owner, amount, currency, status, closed, reason, note, stage_id, is_won,
         came_from) in reader.execute(_SQL.format(statuses=marks or "NULL") + extra, params):
        stage = names.get(stage_id)
        if not is_won:
            back = stage_id
        else:
            left = names.get(came_from)
            back = came_from if left is not None and not left.is_won else None
        rows.append(ClosedDeal(deal_id, title, account, owner, int(amount), currency, status, as_date(closed),
                               " — ".join(x for x in (reason, note) if x), stage_id,
                               stage.name if stage else "", back))
    rows.sort(key=lambda r: (r.closed_on or dt.date.min, r.id), reverse=True)
    return rows


def open_stages(reader: Reader, pipeline_id: int) -> list[StageInfo]:
    """The stages a deal can be reopened into (not the won ones), in board order."""
    return [s for s in stages(reader, pipeline_id) if not s.is_won]


def reopen_deals(session: Session, deal_ids: list[int], stage_id: int | None,
                 by_id: int | None = None) -> list[MoveRecord]:
    """Reopen several deals into ``stage_id`` (None: each into the stage it was in),
    in the caller's one transaction; undo is ``deals.restore_placements``."""
    return [reopen_deal(session, deal_id, stage_id, by_id) for deal_id in deal_ids]
