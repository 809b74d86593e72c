"""What the screens remember between runs, declared once with its type and default
(Picard's ``options.py`` shape): a screen reads and writes an ``Option``, never a key it
builds itself or a string it converts by hand.

This is remembered UI state (filters, the last team shown), not data: a value that
cannot be read (an old or hand-edited file) falls back to the default.  The window's own
geometry lives in ``ui/state.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QSettings


@dataclass(frozen=True)
class Option:
    key: str
    kind: type  # str, int, bool or dt.date
    default: object = None

    def read(self, settings: QSettings | None):
        raw = settings.value(self.key) if settings is not None else None
        if raw is None or raw == "":
            return self.default
        try:
            if self.kind is bool:
                return raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1")
            if self.kind is int:
                return int(raw)
            if self.kind is dt.date:
                return dt.date.fromisoformat(str(raw))
            return str(raw)
        except (TypeError, ValueError):
            return self.default

    def write(self, settings: QSettings | None, value) -> None:
        if settings is None:
            return
        if value is None:
            settings.setValue(self.key, "")
        elif self.kind is dt.date:
            settings.setValue(self.key, value.isoformat())
        else:
            settings.setValue(self.key, value)


# The pipeline board: the pipeline shown and its filter
BOARD_PIPELINE = Option("pipeline_board/pipeline", int)
BOARD_TEXT = Option("pipeline_board/text", str, "")
BOARD_OWNER = Option("pipeline_board/owner", int)
BOARD_BRANCH = Option("pipeline_board/branch", int)
BOARD_CLOSE_FROM = Option("pipeline_board/close_from", dt.date)
BOARD_CLOSE_TO = Option("pipeline_board/close_to", dt.date)
BOARD_STALE_ONLY = Option("pipeline_board/stale_only", bool, False)
BOARD_DENSITY = Option("pipeline_board/density", str, "comfortable")

# Targets: the kind of period and whose team
TARGETS_KIND = Option("targets/kind", str, "quarter")
TARGETS_TEAM = Option("targets/team", int)

# Reports: the scope ("kind:id") and whose note "My week" opens at
REPORTS_SCOPE = Option("reports/scope", str, "")
REPORTS_NOTE_PERSON = Option("reports/note_person", int)

# Folders the file dialogs start in: the one chosen last time (ui/widgets/save_path.py)
TARGETS_EXPORT_FOLDER = Option("targets/export_folder", str)
ORG_EXPORT_FOLDER = Option("org_chart/export_folder", str)
REPORTS_EXPORT_FOLDER = Option("reports/export_folder", str)
REPORTS_BATCH_FOLDER = Option("reports/batch_folder", str)
RATES_EXPORT_FOLDER = Option("exchange_rates/export_folder", str)
