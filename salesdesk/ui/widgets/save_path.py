"""Asking where to save an export or which folder to use, remembering the folder."""

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


def ask_folder(parent: QWidget, settings: QSettings | None, key: str, title: str,
               default: Path | None = None) -> Path | None:
    """A folder (the one chosen last time under ``key``, else ``default``, else home), or None."""
    start = str(default or Path.home())
    if settings is not None:
        start = str(settings.value(key, "")) or start
    chosen = QFileDialog.getExistingDirectory(parent, title, start)
    if not chosen:
        return None
    if settings is not None:
        settings.setValue(key, chosen)
    return Path(chosen)
