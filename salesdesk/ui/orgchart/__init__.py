"""The org chart: who reports to whom, in which branch.

The screen is imported from ``salesdesk.ui.orgchart.screen`` by the main window when
first shown; ``layout`` stays importable without Qt.
"""
