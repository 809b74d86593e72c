"""Stale deals: one rule for the board's red cards, its "Stale only" filter and the
weekly report's list.

A deal is stale when it has been in its stage longer than the stage's ``stale_days``
(whole days) and nothing is planned ahead: no open activity due after today.  A deal
with a future activity is being worked on (users of other tools complain that such
deals still turn red).  Won stages and stages without a limit never make a deal stale.
"""

from __future__ import annotations

import datetime as dt


def stale_since(now: dt.datetime, stale_days: int) -> dt.datetime:
    """A deal that entered its stage at or before this instant has been there longer
    than ``stale_days`` whole days at ``now``."""
    return now - dt.timedelta(days=stale_days + 1)


def is_stale(entered: dt.datetime, stale_days: int | None, last_due: dt.date | None,
             now: dt.datetime, today: dt.date) -> bool:
    """The rule on one deal's values (``last_due``: its latest open activity)."""
    if stale_days is None:
        return False
    if last_due is not None and last_due > today:
        return False
    return entered <= stale_since(now, stale_days)


def nothing_planned(deal: str = "d", activity: str = "a", *, done_by: str | None = None) -> str:
    """SQL: no open activity of ``deal`` due after ``:today``.  ``done_by`` (a parameter
    name) counts an activity done at or after that instant as still open (a week
    rebuilt as it stood at its end)."""
    still_open = f"{activity}.done_at IS NULL" if done_by is None else \
        f"({activity}.done_at IS NULL OR {activity}.done_at >= :{done_by})"
    return (f"NOT EXISTS (SELECT 1 FROM activities {activity} WHERE {activity}.deal_id = {deal}.id "
            f"AND {still_open} AND {activity}.due_on > :today)")
