"""The weekly PDF written to a file, and its pages painted as images for the screen's
preview: both from one layout (``layout``), run once to count the pages and once to
paint them with the total known.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPdfWriter

from salesdesk.clock import CLOCK
from salesdesk.reports.weekly import WeeklyReport
from salesdesk.reports.weekly_pdf.layout import DPI, Pages, lay_out_report, page_layout
from salesdesk.safety.output import check_output_path, written_aside


def ensure_app() -> QGuiApplication:
    """The application Qt needs for fonts; offscreen when there is no display.

    A QApplication, not a bare QGuiApplication: once a process has the latter it can
    never open a window or a dialog, and a process that wrote a PDF may want one later.
    """
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        app = QApplication([])
    if not isinstance(app, QGuiApplication):  # a bare QCoreApplication has no fonts to measure
        raise RuntimeError("the weekly PDF needs a QGuiApplication; this process made a QCoreApplication")
    return app


def _footer(report: WeeklyReport) -> str:
    return f"SalesDesk weekly report {report.week.label} \u00b7 {report.scope.label}"


def _stamp(generated: dt.datetime | None) -> str:
    return (generated or CLOCK.now_local()).strftime("%Y-%m-%d %H:%M %Z").strip()


def write_weekly_pdf(report: WeeklyReport, path: Path, *, database: Path | None = None, replace: bool = False,
                     page_size=None, generated: dt.datetime | None = None) -> int:
    """Write ``report`` to ``path`` as a PDF; returns the number of pages.

    Never over ``database``, its backups or a read-only file, and over an existing file
    only with ``replace`` (``salesdesk.safety.output``).  The file is written next to
    ``path`` under a temporary name and renamed over it when complete, so a failure (a
    full disk) never leaves a half-written report or destroys the previous one."""
    ensure_app()
    target = check_output_path(path, database, replace=replace)
    stamp = _stamp(generated)
    with written_aside(target, replace=replace) as partial:
        return _write_pages(report, partial, target, page_size, stamp)


def _write_pages(report: WeeklyReport, partial: Path, path: Path, page_size, stamp: str) -> int:
    writer = QPdfWriter(str(partial))
    writer.setResolution(DPI)  # other resolutions mis-size the fonts
    writer.setTitle(f"Weekly sales report {report.week.label}: {report.scope.label}")
    writer.setCreator("SalesDesk")
    writer.setPageLayout(page_layout(page_size))
    width, height = float(writer.width()), float(writer.height())
    counting = Pages(writer, width, height, 0, _footer(report))
    lay_out_report(counting, report, stamp)
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"{path}: could not be written")
    try:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)

        def open_page(n: int) -> QPainter:
            if n > 1 and not writer.newPage():
                raise OSError(f"{path}: could not be written")
            return painter

        lay_out_report(Pages(writer, width, height, counting.page, _footer(report), open_page), report, stamp)
    finally:
        ended = painter.end()
    if not ended:
        raise OSError(f"{path}: could not be written (is the disk full?)")
    return counting.page


def _reference_device() -> QImage:
    """A paint device at the PDF's resolution, for measuring text as the PDF does."""
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    dots_per_metre = round(DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


class PageImages:
    """The report's pages as images for the screen's preview, painted on demand.

    ``count`` lays the report out once; ``render(pages, scale)`` paints the wanted
    pages (1-based) into images ``scale`` times the page's size at 96 dpi, laying out
    the whole report again but painting only those pages."""

    def __init__(self, report: WeeklyReport, *, page_size=None, generated: dt.datetime | None = None):
        ensure_app()
        self.report = report
        self.stamp = _stamp(generated)
        self.layout = page_layout(page_size)
        self.device = _reference_device()
        paint = self.layout.paintRectPixels(DPI)
        full = self.layout.fullRectPixels(DPI)
        self.content = (float(paint.width()), float(paint.height()))
        self.offset = (float(paint.x()), float(paint.y()))
        self.page_size = (full.width(), full.height())  # pixels at 96 dpi
        counting = Pages(self.device, *self.content, 0, _footer(report))
        lay_out_report(counting, report, self.stamp)
        self.count = counting.page

    def render(self, wanted: set[int], scale: float = 1.0) -> dict[int, QImage]:
        images: dict[int, QImage] = {}
        painters: dict[int, QPainter] = {}
        w, h = self.page_size

        def open_page(n: int) -> QPainter | None:
            if n not in wanted:
                return None
            image = QImage(max(1, round(w * scale)), max(1, round(h * scale)), QImage.Format.Format_RGB32)
            dots = round(DPI / 0.0254)
            image.setDotsPerMeterX(dots)
            image.setDotsPerMeterY(dots)
            image.fill(QColor("white"))
            painter = QPainter(image)
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            painter.scale(scale, scale)
            painter.translate(*self.offset)
            images[n], painters[n] = image, painter
            return painter

        def close_page(n: int):
            painter = painters.pop(n, None)
            if painter is not None:
                painter.end()

        lay_out_report(Pages(self.device, *self.content, self.count, _footer(self.report), open_page, close_page),
                self.report, self.stamp)
        return images
