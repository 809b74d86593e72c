"""What a target measures: the four metrics, their names in words, and the unit each
is counted in (cents for revenue, whole units for counts); shared by the reads
(``queries``) and the writes (``commands``)."""

from __future__ import annotations

from decimal import Decimal

from salesdesk.domain.cascade import CENT, WHOLE
from salesdesk.errors import ValidationError

WON_REVENUE, WON_DEALS, NEW_DEALS, ACTIVITIES = "won_revenue", "won_deals", "new_deals", "activities"
METRICS = (WON_REVENUE, WON_DEALS, NEW_DEALS, ACTIVITIES)
METRIC_NAMES = {WON_REVENUE: "won revenue", WON_DEALS: "won deals", NEW_DEALS: "new deals",
                ACTIVITIES: "activities done"}


def is_money(metric: str) -> bool:
    return metric == WON_REVENUE


def unit_of(metric: str) -> Decimal:
    """What a target of ``metric`` is counted in: cents for money, whole units otherwise."""
    return CENT if is_money(metric) else WHOLE


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValidationError(
            "metric", f"Unknown metric {metric!r}: choose won revenue, won deals, new deals or activities")
    return metric
