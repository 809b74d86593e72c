"""The board's filter bar: pipeline, search, owner, and a drop-down panel for branch,
expected close dates and "stale only".

The bar keeps its own state: it fills its lists, shows and saves the filter through
``ui/options`` and builds the ``BoardFilter``; the board only listens to its signals.

Signals:
    filter_changed(BoardFilter): the filter was applied: edits settle for 250 ms first
        (typing in the search does not reload the board at every key), Clear filters and
        ``apply()`` at once.  The filter is saved before the signal goes out.
    pipeline_chosen(int): the user chose another pipeline (saved as the one to show).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from salesdesk.services.board import BoardFilter, OwnerChoice, PipelineInfo
from salesdesk.ui import options
from salesdesk.ui.widgets.date_field import DateField, parse_date

# Which option keeps which field of the filter between sessions.
_FILTER_OPTIONS = (("text", options.BOARD_TEXT), ("owner_id", options.BOARD_OWNER),
                   ("branch_id", options.BOARD_BRANCH), ("close_from", options.BOARD_CLOSE_FROM),
                   ("close_to", options.BOARD_CLOSE_TO), ("stale_only", options.BOARD_STALE_ONLY))


class FilterBar(QWidget):
    filter_changed = Signal(object)  # BoardFilter
    pipeline_chosen = Signal(int)

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply)
        self._build()

    def _build(self) -> None:
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(8)
        self.pipeline_box = QComboBox()
        self.pipeline_box.setObjectName("board_pipeline")
        self.pipeline_box.activated.connect(self._on_pipeline_chosen)
        self.search = QLineEdit()
        self.search.setObjectName("board_search")
        self.search.setPlaceholderText("Filter by title or account")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._edited)
        self.owner_box = QComboBox()
        self.owner_box.setObjectName("board_owner")
        self.owner_box.setToolTip("A person's deals, or a manager's whole team")
        self.owner_box.activated.connect(self._edited)
        self.branch_box = QComboBox()
        self.branch_box.setObjectName("board_branch")
        self.branch_box.activated.connect(self._edited)
        self.close_from = self._date_edit("Expected close from")
        self.close_to = self._date_edit("Expected close until")
        self.stale_only = QCheckBox("Stale only")
        self.stale_only.setObjectName("board_stale_only")
        self.stale_only.toggled.connect(self._edited)
        self.clear_filters = QToolButton()
        self.clear_filters.setText("Clear filters")
        self.clear_filters.setAutoRaise(True)
        self.clear_filters.clicked.connect(self.reset)
        # Branch, close dates and "stale only" sit in a drop-down panel, so the bar
        # fits a laptop screen next to the side bar.
        self.more_filters = QToolButton()
        self.more_filters.setObjectName("board_more_filters")
        self.more_filters.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        panel = QWidget()
        form = QFormLayout(panel)
        form.setContentsMargins(12, 10, 12, 10)
        form.addRow("Branch", self.branch_box)
        form.addRow("Expected close from", self.close_from)
        form.addRow("Expected close until", self.close_to)
        form.addRow("", self.stale_only)
        menu = QMenu(self.more_filters)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(panel)
        menu.addAction(holder)
        self.more_filters.setMenu(menu)
        self._update_more_filters_text()
        for combo in (self.pipeline_box, self.owner_box, self.branch_box):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
        self.search.setMinimumWidth(120)
        for widget in (self.pipeline_box, self.search, self.owner_box, self.more_filters, self.clear_filters):
            bar.addWidget(widget)

    def _date_edit(self, tip: str) -> DateField:
        # Empty is "any" (a QDateEdit needed a made-up minimum day for that); a typed
        # day applies once it reads as a date, text that does not is left out of the filter.
        edit = DateField(field=tip, placeholder="any")
        edit.setToolTip(tip)
        edit.dateChanged.connect(self._edited)
        return edit

    # -- the lists and the saved state ---------------------------------------------------
    def restore(self, pipelines: list[PipelineInfo], people: list[OwnerChoice],
                branches: list[tuple[int, str]]) -> tuple[int | None, BoardFilter]:
        """Fill the lists and show the saved pipeline and filter; returns the pipeline to
        show (None: there is none, the filter is then left as it was) and the saved
        filter (as saved: an owner or branch no longer listed still filters)."""
        saved = BoardFilter(**{name: option.read(self.settings) for name, option in _FILTER_OPTIONS})
        pipeline_id = self._saved_pipeline(pipelines)
        choices: tuple[tuple[QComboBox, list[tuple[int, str]], str], ...] = (
            (self.owner_box, [(p.id, f"{p.name} ({p.role})" + (" and team" if p.reports else "")) for p in people],
             "Everyone"),
            (self.branch_box, [(bid, name) for bid, name in branches], "All branches"),
        )
        for box, items, everyone in choices:
            box.blockSignals(True)
            box.clear()
            box.addItem(everyone, None)
            for item_id, label in items:
                box.addItem(label, item_id)
            box.blockSignals(False)
        self.pipeline_box.blockSignals(True)
        self.pipeline_box.clear()
        for p in pipelines:
            self.pipeline_box.addItem(p.name, p.id)
        self.pipeline_box.blockSignals(False)
        if pipeline_id is None:
            return None, saved
        self.pipeline_box.setCurrentIndex(max(0, self.pipeline_box.findData(pipeline_id)))
        self.show_filter(saved)
        return pipeline_id, saved

    def _saved_pipeline(self, pipelines: list[PipelineInfo]) -> int | None:
        if not pipelines:
            return None
        saved = options.BOARD_PIPELINE.read(self.settings)
        ids = [p.id for p in pipelines]
        return saved if saved in ids else ids[0]

    def _save(self, board_filter: BoardFilter) -> None:
        for name, option in _FILTER_OPTIONS:
            option.write(self.settings, getattr(board_filter, name))

    @Slot(int)
    def _on_pipeline_chosen(self, index: int) -> None:
        pipeline_id = self.pipeline_box.itemData(index)
        options.BOARD_PIPELINE.write(self.settings, pipeline_id)
        self.pipeline_chosen.emit(pipeline_id)

    # -- the filter ----------------------------------------------------------------------
    def current_filter(self) -> BoardFilter:
        """The filter as the widgets show it now."""
        def day(edit: DateField) -> dt.date | None:
            return parse_date(edit.text())

        return BoardFilter(
            text=self.search.text(),
            owner_id=self.owner_box.currentData(),
            branch_id=self.branch_box.currentData(),
            close_from=day(self.close_from),
            close_to=day(self.close_to),
            stale_only=self.stale_only.isChecked(),
        )

    def show_filter(self, f: BoardFilter) -> None:
        """Show a filter in the widgets without applying it."""
        widgets = (self.search, self.owner_box, self.branch_box, self.close_from, self.close_to, self.stale_only)
        for w in widgets:
            w.blockSignals(True)
        self.search.setText(f.text)
        self.owner_box.setCurrentIndex(max(0, self.owner_box.findData(f.owner_id)) if f.owner_id else 0)
        self.branch_box.setCurrentIndex(max(0, self.branch_box.findData(f.branch_id)) if f.branch_id else 0)
        self.close_from.setDate(f.close_from)
        self.close_to.setDate(f.close_to)
        self.stale_only.setChecked(f.stale_only)
        for w in widgets:
            w.blockSignals(False)
        self._update_more_filters_text()

    @Slot()
    def apply(self) -> None:
        """Apply the filter shown now (an edit still settling is applied with it)."""
        self._debounce.stop()
        board_filter = self.current_filter()
        self._save(board_filter)
        self.filter_changed.emit(board_filter)

    @Slot()
    def reset(self) -> None:
        """Clear every filter and apply that at once."""
        self.show_filter(BoardFilter())
        self.apply()

    @Slot()
    def _edited(self, *args: object) -> None:
        self._update_more_filters_text()
        self._debounce.start()

    def _update_more_filters_text(self) -> None:
        f = self.current_filter()
        active = sum((f.branch_id is not None, f.close_from is not None, f.close_to is not None, f.stale_only))
        self.more_filters.setText(f"More filters ({active})" if active else "More filters")

