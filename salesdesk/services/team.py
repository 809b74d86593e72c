"""A manager's team as SQL: them and everyone below them, active or not (the deals of
someone who left still count for the team they left).  One query for the board's
owner filter, the org chart's panel, the targets' roll-ups and the weekly report's
person scope.  UNION, not UNION ALL: a cycle in damaged data stops instead of looping.
"""

from __future__ import annotations

from collections.abc import Sequence


def team_cte(roots: int | Sequence[int], *, name: str = "team", param: str = "root") -> tuple[str, dict]:
    """``WITH RECURSIVE <name>(id) AS (...) `` over ``roots`` and its parameters: one
    root is ``:<param>``, several ``:<param>0``, ``:<param>1``..."""
    if isinstance(roots, int):
        marks, params = f":{param}", {param: roots}
    else:
        params = {f"{param}{n}": root for n, root in enumerate(roots)}
        marks = ", ".join(f":{key}" for key in params)
    return (f"WITH RECURSIVE {name}(id) AS (SELECT id FROM people WHERE id IN ({marks}) UNION "
            f"SELECT c.id FROM people c JOIN {name} t ON c.manager_id = t.id) ", params)
