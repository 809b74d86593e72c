"""An optional date typed or picked: empty means "not set", never a made-up day.

``QDateEdit`` cannot be empty (a sentinel minimum date stood in for "not set", typing
appended to it and the calendar opened at that sentinel).  This field is a line edit:
"not set" is its placeholder, typed text is read in the user's locale (short and long
formats, ISO, "15 Jan 2027", "15.01.2027", "1/15/2027" where months come first) and
shown back as the day it was read as; the calendar button opens at the date shown or
at today.  Text that is not a date is kept as typed and ``date()`` refuses it, so a
dialog says so under the field instead of saving without the date.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QLineEdit, QToolButton, QWidget

from salesdesk.clock import CLOCK
from salesdesk.errors import ValidationError

SHOWN_FORMAT = "d MMM yyyy"  # unambiguous in every locale, and what the cards show


def _formats(locale: QLocale) -> list[str]:
    """Formats tried in order: the locale's own first, then the ones people type anyway."""
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    month_first = short.lstrip("'").upper().startswith("M")
    slashed = ["M/d/yyyy", "M/d/yy"] if month_first else ["d/M/yyyy", "d/M/yy"]
    four_digit = short.replace("yyyy", "yy").replace("yy", "yyyy")  # "15.01.2027" where the locale writes 15.01.27
    return [four_digit, short, locale.dateFormat(QLocale.FormatType.LongFormat),
            locale.dateFormat(QLocale.FormatType.NarrowFormat), "yyyy-MM-dd", "d MMM yyyy", "d MMMM yyyy",
            "d. MMM yyyy", "d. MMMM yyyy", "MMM d yyyy", "MMM d, yyyy", "MMMM d, yyyy", "d.M.yyyy", "d.M.yy",
            *slashed, "d-M-yyyy", "yyyyMMdd"]


def parse_date(text: str, locale: QLocale | None = None) -> dt.date | None:
    """The day ``text`` names in ``locale`` (default: the user's), or None."""
    text = " ".join(text.split())
    if not text:
        return None
    locale = locale or QLocale()
    for fmt in _formats(locale):
        for reader in (locale, QLocale.c()):  # English month names are understood everywhere
            day = reader.toDate(text, fmt)
            if day.isValid():
                if day.year() < 100 or ("yyyy" not in fmt and day.year() < 1970):
                    day = day.addYears(100)  # "27" is 2027, not 1927
                return cast(dt.date, day.toPython())
    return None


class DateField(QWidget):
    """``date()`` the day (None: not set; raises ``ValidationError`` for text that is
    not a date), ``setDate(day)``; ``dateChanged(object)`` when the day changes, and
    ``edited()`` on any edit (a dialog clears the field's message)."""

    dateChanged = Signal(object)
    edited = Signal()

    def __init__(self, parent: QWidget | None = None, *, field: str = "date", placeholder: str = "not set"):
        super().__init__(parent)
        self.field = field
        self._date: dt.date | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder)
        self.line.setClearButtonEnabled(True)  # back to "not set"
        self.line.setToolTip("Type a date (for example 15 Jan 2027 or "
                             f"{QLocale().toString(QDate(2027, 1, 15), QLocale.FormatType.ShortFormat)}) "
                             "or pick one; empty means not set")
        self.line.textEdited.connect(self._on_typed)
        self.line.textChanged.connect(self._on_text_changed)
        self.line.editingFinished.connect(self._show_parsed)
        layout.addWidget(self.line, 1)
        self.calendar_button = QToolButton()
        self.calendar_button.setObjectName("date_calendar_button")
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip("Pick a date from a calendar")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.clicked.connect(self.show_calendar)
        layout.addWidget(self.calendar_button)
        self.setFocusProxy(self.line)  # a label's buddy and Alt+letter land in the text
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a buddy without a focus policy is skipped
        self.calendar: QCalendarWidget | None = None

    # -- value -----------------------------------------------------------------------------
    def text(self) -> str:
        return self.line.text()

    def date(self) -> dt.date | None:
        text = self.line.text().strip()
        if not text:
            return None
        day = parse_date(text)
        if day is None:
            raise ValidationError(self.field, f"“{text}” is not a date; type it like "
                                  f"{QLocale().toString(QDate(2027, 1, 15), QLocale.FormatType.ShortFormat)} "
                                  "or 15 Jan 2027, or pick it from the calendar")
        return day

    def setDate(self, day: dt.date | None) -> None:
        self.line.setText(QLocale().toString(QDate(day.year, day.month, day.day), SHOWN_FORMAT) if day else "")

    def clear(self) -> None:
        self.line.clear()

    @Slot(str)
    def _on_typed(self, _text: str) -> None:
        self.edited.emit()

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        day = parse_date(text)
        if (not text.strip() or day is not None) and day != self._date:
            self._date = day
            self.dateChanged.emit(day)
        if not text:
            self.edited.emit()  # the clear button

    @Slot()
    def _show_parsed(self) -> None:
        """What was typed, written back as the day it was read as (15/1/27 -> 15 Jan 2027)."""
        day = parse_date(self.line.text())
        if day is not None:
            self.setDate(day)

    # -- calendar --------------------------------------------------------------------------
    @Slot()
    def show_calendar(self) -> None:
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setObjectName("date_calendar")
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
        day = parse_date(self.line.text()) or CLOCK.today()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.calendar.setCurrentPage(day.year, day.month)
        self.calendar.adjustSize()
        self.calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.show()
        self.calendar.setFocus()

    @Slot(QDate)
    def _picked(self, day: QDate) -> None:
        assert self.calendar is not None
        self.calendar.hide()
        self.setDate(cast(dt.date, day.toPython()))
        self.edited.emit()
        self.line.setFocus()
