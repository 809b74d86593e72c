"""Persisted window state (geometry, toolbars, last screen), declared in one place.

This is UI state, not user settings: losing it costs a window position, never data.
The ``QSettings`` object is passed in, so tests point it at a file in a temporary
folder and never touch the user's own configuration.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QByteArray, QSettings


class WindowState:
    GEOMETRY = "main_window/geometry"
    STATE = "main_window/state"
    SCREEN = "main_window/screen"
    SIDEBAR = "main_window/sidebar_visible"
    DISMISSED_EMPTY = "empty_database/dismissed"

    def __init__(self, settings: QSettings):
        self.settings = settings

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes(self.GEOMETRY)

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.settings.setValue(self.GEOMETRY, value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes(self.STATE)

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.settings.setValue(self.STATE, value)

    @property
    def screen(self) -> str | None:
        value = self.settings.value(self.SCREEN)
        return str(value) if value else None

    @screen.setter
    def screen(self, key: str) -> None:
        self.settings.setValue(self.SCREEN, key)

    @property
    def sidebar_visible(self) -> bool:
        # INI files give back strings, the native formats give back bools.
        return str(self.settings.value(self.SIDEBAR, True)).lower() not in ("false", "0")

    @sidebar_visible.setter
    def sidebar_visible(self, visible: bool) -> None:
        self.settings.setValue(self.SIDEBAR, bool(visible))

    def empty_banner_dismissed(self, database: str) -> bool:
        return database in self._dismissed()

    def dismiss_empty_banner(self, database: str) -> None:
        self.settings.setValue(self.DISMISSED_EMPTY, sorted(set(self._dismissed()) | {database}))

    def _dismissed(self) -> list[str]:
        value = self.settings.value(self.DISMISSED_EMPTY, [])
        if isinstance(value, str):  # INI stores a one-item list as a plain string
            return [value]
        return [str(v) for v in cast("list | None", value) or []]  # what dismiss_empty_banner stored

    def sync(self) -> None:
        self.settings.sync()
