"""The shared part of the planners: what every kind's planner gets (the context of
the database as it is, the plan being made, the mapping) and does alike (name a
field as the file heads it, find a key given twice in the file)."""

from __future__ import annotations

from salesdesk.transfer.context import Context
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.plan import Plan

Values = dict
Columns = dict


class Planner:
    kind = ""

    def __init__(self, ctx: Context, plan: Plan, mapping: Mapping):
        self.ctx, self.plan, self.mapping = ctx, plan, mapping
        self.seen_keys: dict[tuple, int] = {}

    def column(self, columns: Columns, name: str) -> str:
        return columns.get(name, name)

    def duplicate_in_file(self, row: int, key: tuple, columns: Columns, field: str, shown=None) -> bool:
        """Whether ``key`` came in an earlier row (a problem of this row, naming the
        value as the file writes it: ``shown``, the key being folded)."""
        first = self.seen_keys.setdefault(key, row)
        if first != row:
            value = shown if shown is not None else key[-1]
            value = repr(value) if isinstance(value, str) else value
            self.plan.problem(row, self.column(columns, field), f"{value} is already in row {first}")
            return True
        return False

    def row(self, row: int, values: Values, columns: Columns) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass
