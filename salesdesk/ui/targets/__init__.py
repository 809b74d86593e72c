"""Targets against actuals, per person and period."""

from salesdesk.ui.targets.screen import TargetsScreen

__all__ = ["TargetsScreen"]
