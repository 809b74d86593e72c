"""Undo steps of the org chart: the shared service steps (``salesdesk.ui.undo``)."""

from salesdesk.ui.undo import ServiceStep, run_step

__all__ = ["ServiceStep", "run_step"]
