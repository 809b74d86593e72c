"""The chart as a picture (PNG) or a vector document (PDF, one page).

Both are written aside and renamed over ``path``, which is never the open ``database``,
a backup or a read-only file (``salesdesk.safety.output``); the save dialog has asked
before replacing an existing file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from salesdesk.reports.fonts import document_font
from salesdesk.safety.output import check_output_path, written_aside
from salesdesk.ui.orgchart.items import Look

PDF_POINTS = 9.0  # the names' size in the PDF, whatever the screen's font
MAX_PNG_SIDE = 12000  # pixels; a whole 10k-person company is scaled down to fit


def export_png(scene, path: Path, scale: float = 1.0, *, database: Path | None = None) -> Path:
    target = check_output_path(path, database, replace=True)
    source = scene.sceneRect()
    scale = min(scale, MAX_PNG_SIDE / max(source.width(), 1), MAX_PNG_SIDE / max(source.height(), 1))
    image = QImage(int(source.width() * scale) + 1, int(source.height() * scale) + 1, QImage.Format.Format_ARGB32)
    image.fill(scene.backgroundBrush().color())
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), source)
    painter.end()
    with written_aside(target) as temp:
        # the stubs ask bytes for the format, but PySide6 takes only a str (bytes raise ValueError)
        if not image.save(str(temp), "PNG"):  # type: ignore[call-overload]
            raise OSError(f"{path}: could not be written")
    return path


def export_pdf(scene, path: Path, title: str = "Org chart", *, database: Path | None = None) -> Path:
    """One page sized to the chart, drawn as vectors (sharp at any zoom), text kept as text
    in the bundled font (embedded: the same on every machine), every name whole."""
    target = check_output_path(path, database, replace=True)
    with written_aside(target) as temp:
        _paint_pdf(scene, temp, path, title)
    return path


def _paint_pdf(scene, temp: Path, path: Path, title: str) -> None:
    source = scene.sceneRect()
    writer = QPdfWriter(str(temp))
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
    on_screen = scene.look
    scene.look = Look(document_font(PDF_POINTS), whole_text=True)  # not the system's font
    try:
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        scene.look = on_screen
        painter.end()
