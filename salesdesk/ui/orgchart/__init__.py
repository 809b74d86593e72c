"""The org chart: who reports to whom, in which branch."""

from salesdesk.ui.orgchart.screen import OrgChartScreen

__all__ = ["OrgChartScreen"]
