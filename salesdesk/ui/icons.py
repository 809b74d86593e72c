"""The bundled line icons (24x24 SVG, stroke ``currentColor``, in ``resources/icons``)
and the ``icon()`` helper.

Each SVG is drawn with ``QSvgRenderer`` after ``currentColor`` is replaced by a palette
colour: one colour for normal use, a paler one when disabled and the accent when
selected (the side bar's current screen).  Rendering ourselves needs no image plugin,
so icons cannot come out empty when a packager leaves ``imageformats`` out.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from salesdesk import resource_files
from salesdesk.ui import theme

# Sizes a window manager or list view may ask for; an engine that lists none gets no
# window icon on X11.
SIZES = (16, 20, 24, 32, 48, 64, 128, 256)


def names() -> list[str]:
    """Every bundled icon's name (file name without ``.svg``)."""
    return sorted(p.stem for p in resource_files.path("icons").glob("*.svg"))


@lru_cache(maxsize=None)
def svg_source(name: str) -> bytes:
    try:
        return resource_files.read("icons", f"{name}.svg")
    except FileNotFoundError:
        raise KeyError(f"no icon named {name!r}") from None


class SvgIconEngine(QIconEngine):
    """Draws one SVG in a colour per icon mode, at any size, sharp on HiDPI screens."""

    def __init__(self, source: bytes, colours: dict[QIcon.Mode, str] | None):
        super().__init__()
        self._source = source
        self._colours = colours
        self._renderers: dict[QIcon.Mode, QSvgRenderer] = {}

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        if self._colours is None:  # a coloured picture (the app icon): same in every mode
            mode = QIcon.Mode.Normal
        renderer = self._renderers.get(mode)
        if renderer is None:
            data = self._source
            if self._colours is not None:
                colour = self._colours.get(mode, self._colours[QIcon.Mode.Normal])
                data = data.replace(b"currentColor", colour.encode())
            renderer = self._renderers[mode] = QSvgRenderer(QByteArray(data))
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._renderer(mode).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        pixmap = QPixmap(size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(QPoint(0, 0), pixmap.size()), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off) -> list[QSize]:
        return [QSize(s, s) for s in SIZES]

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._source, self._colours)

    def key(self) -> str:
        return "salesdesk-svg"


@lru_cache(maxsize=None)
def icon(name: str, colour: str | None = None) -> QIcon:
    """The bundled icon ``name`` in the theme's icon colour (or ``colour``)."""
    colours = {
        QIcon.Mode.Normal: colour or theme.ICON,
        QIcon.Mode.Active: colour or theme.ICON,
        QIcon.Mode.Disabled: theme.ICON_DISABLED,
        QIcon.Mode.Selected: theme.ACCENT_TEXT,
    }
    return QIcon(SvgIconEngine(svg_source(name), colours))


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The program's own icon, in its own colours."""
    return QIcon(SvgIconEngine(svg_source("app"), None))
