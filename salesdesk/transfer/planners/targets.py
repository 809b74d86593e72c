"""Planning a targets file: a person's target for a period (``2026-Q1``, ``2026-03``,
``2026-W48``, a year, or a date with a period kind) and metric."""

from __future__ import annotations

import datetime as dt
import re

from salesdesk.domain.periods import FIRST_YEAR, LAST_YEAR, Period, PeriodKind, parse_iso_week
from salesdesk.transfer import values as parse
from salesdesk.transfer.planners.base import Planner


_METRICS = ("won_revenue", "won_deals", "new_deals", "activities")


class PeriodProblem(ValueError):
    """A period that is not one, and the field to blame: its kind or its start."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


def parse_period(start_text: str, kind_text: str | None, order: str = "") -> Period:
    """``2026-W48``, ``2026-03``, ``2026-Q1``, ``2026``, or a date with a period kind;
    ``PeriodProblem`` in our words (``2025 has no week 53; its last week is 2025-W52``)."""
    raw = start_text.strip().upper()
    kind = (kind_text or "").strip().lower() or None
    if kind is not None and kind not in {k.value for k in PeriodKind}:
        raise PeriodProblem("period", f"{kind_text!r} is not week, month, quarter or year")
    try:
        found = _period_named(raw)
        if found is None:
            if kind is None:
                raise PeriodProblem("period", f"{start_text!r} needs a period (week, month, quarter or year) to go "
                                              "with it")
            day = parse.date(start_text, order)
            found = Period.containing(kind, day)
            if found.start != day:
                raise ValueError(f"{day.isoformat()} does not start a {kind}; the {kind} starts on "
                                 f"{found.start.isoformat()}")
    except PeriodProblem:
        raise
    except ValueError as exc:
        raise PeriodProblem("period_start", str(exc)) from None
    if kind is not None and found.kind.value != kind:
        raise PeriodProblem("period_start", f"{start_text!r} is a {found.kind.value}, not a {kind}")
    return found


def _period_named(raw: str) -> Period | None:
    """The period ``2026-W48``, ``2026-Q1``, ``2026-03`` or ``2026`` names; None for other words."""
    week = re.fullmatch(r"([0-9]{4})-?W([0-9]{1,2})", raw)
    if week:  # 2026W8 as ISO writes it, 2026-W08, for the periods' own words
        return parse_iso_week(f"{week[1]}-W{int(week[2]):02d}")
    match = re.fullmatch(r"([0-9]{4})-?Q([0-9])|([0-9]{4})-([0-9]{1,2})|([0-9]{4})", raw)
    if match is None:
        return None
    year = int(match[1] or match[3] or match[5])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{raw}: SalesDesk reports on the years {FIRST_YEAR} to {LAST_YEAR}")
    if match[2]:
        if not 1 <= int(match[2]) <= 4:
            raise ValueError(f"{raw} is not a quarter: quarters run from Q1 to Q4")
        return Period(PeriodKind.QUARTER, dt.date(year, 3 * int(match[2]) - 2, 1))
    if match[4]:
        if not 1 <= int(match[4]) <= 12:
            raise ValueError(f"{raw} is not a month: months run from 01 to 12")
        return Period(PeriodKind.MONTH, dt.date(year, int(match[4]), 1))
    return Period(PeriodKind.YEAR, dt.date(year, 1, 1))


class TargetsPlanner(Planner):
    kind = "targets"

    def __init__(self, ctx, plan, mapping):
        super().__init__(ctx, plan, mapping)
        self.amounts = mapping.amounts()  # a target's value is read as an amount (counts too: 4 is 4.00)

    def row(self, row, values, columns):
        ctx, plan, policy = self.ctx, self.plan, self.mapping.duplicates
        col = self.column
        for name in ("person", "period_start", "value"):
            if name not in values:
                plan.problem(row, col(columns, name), f"a target needs its {name.replace('_', ' ')}")
                return
        try:
            person = ctx.find_person(values["person"])
        except ValueError as exc:
            plan.problem(row, col(columns, "person"), str(exc))
            return
        try:
            period = parse_period(values["period_start"], values.get("period"), self.mapping.date_order)
        except PeriodProblem as exc:
            plan.problem(row, col(columns, exc.field), str(exc))
            return
        metric = values.get("metric", "won_revenue").strip().lower().replace(" ", "_")
        if metric not in _METRICS:
            plan.problem(row, col(columns, "metric"), f"{values['metric']!r} is not one of {', '.join(_METRICS)}")
            return
        try:
            value = self.amounts(values["value"])
        except ValueError as exc:
            plan.problem(row, col(columns, "value"), str(exc))
            return
        finally:
            if self.amounts.pending:  # targets are in the home currency
                plan.rounded("", self.amounts.take())
        if metric != "won_revenue" and value % 100:
            plan.problem(row, col(columns, "value"), f"a target of {metric.replace('_', ' ')} is a whole number")
            return
        key = (person, period.kind.value, period.start.isoformat(), metric)
        if self.duplicate_in_file(row, ("target", *key), columns, "period_start", values["period_start"]):
            return
        existing = ctx.targets.get(key)
        if existing is not None:
            if policy == "skip":
                plan.skipped[self.kind] += 1
            elif policy == "update":
                plan.updated[self.kind] += 1
                plan.update("targets", existing, {"value": value}, row, columns)
            else:
                plan.problem(row, col(columns, "period_start"),
                             f"{ctx.people[person].name} already has this target; choose skip or update for "
                             "duplicates")
            return
        plan.created[self.kind] += 1
        plan.insert("targets", (ctx.new_id("targets"), person, period.kind.value, period.start, metric, value, 1))
