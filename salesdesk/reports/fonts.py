"""The fonts documents are set in: Liberation Sans, shipped in ``resources/fonts``.

A report laid out with whatever the system offers under "Helvetica" comes out different
on every machine (DejaVu is a tenth wider, and a date column sized for Helvetica wraps);
so documents use the font SalesDesk brings, registered with Qt once per process and
embedded in every PDF.  Liberation Sans has Helvetica's (Arial's) metrics and the SIL
Open Font License (resources/fonts/LICENSE-OFL.txt).
"""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF

from salesdesk import resource_files
from salesdesk.errors import SalesDeskError


FILES = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
         "LiberationSans-Italic.ttf", "LiberationSans-BoldItalic.ttf")


class FontsMissing(SalesDeskError):
    """The shipped fonts are not where the installation put them."""


@cache
def document_family() -> str:
    """Register the shipped fonts (needs a QGuiApplication) and name their family."""
    folder = resource_files.path("fonts")
    families: set[str] = set()
    for name in FILES:
        font_id = QFontDatabase.addApplicationFont(str(folder / name))
        if font_id < 0:
            raise FontsMissing(f"the report font {folder / name} is missing or unreadable; reinstall SalesDesk")
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    if len(families) != 1:
        raise FontsMissing(f"the report fonts in {folder} name {sorted(families)}, not one family")
    return families.pop()


def document_font(point_size: float, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    """A font of the shipped family; never substituted, and unhinted so that text is laid
    out with the same widths on screen, in the preview and in the PDF."""
    font = QFont(document_family())
    font.setPointSizeF(point_size)
    font.setWeight(weight)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setStyleStrategy(QFont.StyleStrategy.PreferMatch)
    return font


_AMOUNT_AND_CURRENCY = re.compile(r"(?<=\d) (?=[A-Z]{3}\b)")  # "547,826.09 EUR" stays on one line


def words(text: str) -> list[str]:
    """The units a line may break between: words, an amount with its currency as one."""
    return [w.replace("\0", " ") for w in _AMOUNT_AND_CURRENCY.sub("\0", text).split()]


_HYPHENATED = re.compile(r"(?<=-)(?=.)")  # a word may break after a hyphen


def _broken(word: str, fm: QFontMetricsF, width: float) -> list[str]:
    """A single word wider than ``width``, broken after its hyphens where that is enough
    ("Konstantinopoulou-" / "Featherstonehaugh"), else between letters (a long e-mail)."""
    pieces, piece = [], ""
    for part in _HYPHENATED.split(word):
        units = [part] if fm.horizontalAdvance(part) <= width else list(part)
        for unit in units:
            if piece and fm.horizontalAdvance(piece + unit) > width:
                pieces.append(piece)
                piece = ""
            piece += unit
    return pieces + [piece]


def wrap(text: str, fm: QFontMetricsF, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``, broken at word boundaries; nothing is
    cut off or elided (a word longer than the line is broken between letters)."""
    lines, line = [], ""
    for word in words(text):
        candidate = f"{line} {word}" if line else word
        if fm.horizontalAdvance(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        *whole, line = _broken(word, fm, width) if fm.horizontalAdvance(word) > width else [word]
        lines.extend(whole)
    lines.append(line)
    return lines


def widest_word(text: str, fm: QFontMetricsF) -> float:
    """The narrowest a column can be without breaking a word of ``text`` between letters
    (a hyphenated name may still go onto two lines after its hyphen)."""
    return max((fm.horizontalAdvance(part) for w in words(text) for part in _HYPHENATED.split(w)), default=0.0)
