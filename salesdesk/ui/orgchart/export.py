"""The chart as a picture (PNG) or a vector document (PDF, one page)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

MAX_PNG_SIDE = 12000  # pixels; a whole 10k-person company is scaled down to fit


def export_png(scene, path: Path, scale: float = 1.0) -> Path:
    source = scene.sceneRect()
    scale = min(scale, MAX_PNG_SIDE / max(source.width(), 1), MAX_PNG_SIDE / max(source.height(), 1))
    image = QImage(int(source.width() * scale) + 1, int(source.height() * scale) + 1, QImage.Format.Format_ARGB32)
    image.fill(scene.backgroundBrush().color())
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), source)
    painter.end()
    if not image.save(str(path), "PNG"):
        raise OSError(f"{path}: could not be written")
    return path


def export_pdf(scene, path: Path, title: str = "Org chart") -> Path:
    """One page sized to the chart, drawn as vectors (sharp at any zoom), text kept as text."""
    source = scene.sceneRect()
    writer = QPdfWriter(str(path))
    writer.setResolution(96)  # scene units are screen pixels; other resolutions mis-size the fonts
    writer.setTitle(title)
    writer.setCreator("SalesDesk")
    points = QSizeF(source.width() * 72 / 96, source.height() * 72 / 96)
    writer.setPageLayout(QPageLayout(QPageSize(points, QPageSize.Unit.Point, "chart"), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"{path}: could not be written")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    target = QRectF(0, 0, writer.width(), writer.height())
    scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    return path
