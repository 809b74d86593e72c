"""Keyboard shortcuts as the platform has them, with ours added."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence


def shortcuts(standard: QKeySequence.StandardKey | None, *explicit: str) -> list[QKeySequence]:
    """The platform's keys for ``standard`` plus ours, without duplicates.

    Without a desktop theme (a bare X session, Xvfb) ``QKeySequence.Quit`` is empty on
    Linux, so Ctrl+Q must be given explicitly; duplicates would make Qt call the
    shortcut ambiguous and do nothing.
    """
    keys = list(QKeySequence.keyBindings(standard)) if standard is not None else []
    keys += [QKeySequence(text) for text in explicit]
    unique: dict[str, QKeySequence] = {}
    for key in keys:
        if not key.isEmpty():
            unique.setdefault(key.toString(QKeySequence.SequenceFormat.PortableText), key)
    return list(unique.values())
