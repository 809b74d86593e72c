"""The pipeline board: deals as cards in the columns of the sales process."""

from salesdesk.ui.pipeline.screen import PipelineScreen

__all__ = ["PipelineScreen"]
