"""Asking where to save an export, remembering the folder between exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget


def ask_save_path(parent: QWidget, settings: QSettings, key: str, title: str, name: str, kind: str,
                  suffix: str) -> Path | None:
    """A file to write (with ``suffix`` added when the user left it out), or None.

    ``key`` is where the last folder is kept, so the next export starts there.
    """
    folder = Path(str(settings.value(key, str(Path.home()))))
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(folder / name), f"{kind} (*.{suffix})")
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != f".{suffix}":
        path = path.with_suffix(f".{suffix}")
    settings.setValue(key, str(path.parent))
    return path
