"""Targets: what each person is to reach in a period, and how far they are.

- ``metrics``: the four metrics (won revenue, won deals, new deals, activities) and
  the unit each is counted in;
- ``queries``: the reads, through a plain ``Reader``: the targets table, actuals,
  roll-ups, forecast, the year chart;
- ``commands``: the writes, through a ``Session``: set, split and clear targets, and
  their undo.

The names below are re-exported for the Targets screen and the weekly report, which
import the package; code in ``salesdesk`` otherwise imports from the module itself.
"""

from salesdesk.services.targets.commands import (
    PreviousTargets,
    cascade_target,
    restore_target,
    restore_targets,
    set_target,
)
from salesdesk.services.targets.metrics import METRICS, WON_REVENUE
from salesdesk.services.targets.queries import (
    MonthPoint,
    TargetRow,
    actuals,
    forecast,
    left_out,
    monthly_series,
    target_rows,
)

__all__ = [
    "METRICS", "WON_REVENUE", "MonthPoint", "PreviousTargets", "TargetRow", "actuals", "cascade_target", "forecast",
    "left_out", "monthly_series", "restore_target", "restore_targets", "set_target", "target_rows",
]
