"""The weekly report: preview and export to PDF."""

from salesdesk.ui.reports.screen import ReportsScreen

__all__ = ["ReportsScreen"]
