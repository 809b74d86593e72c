"""The weekly report as a PDF, painted directly on a ``QPdfWriter`` (no HTML: fast).

A4, or Letter where the locale's country uses it; a title block, the headline figures
against the previous week, tables whose header row repeats on each new page, the
weekly notes and "Page N of M" footers.  Set in the bundled font (``fonts``), columns
sized to what they hold; text wraps at word boundaries and is never cut or elided.
Layout runs twice: once to count the pages, once to paint with the total known.

The modules: ``layout`` (the page, its text and tables, and what the report puts where),
``charts`` (the attainment bars and the quarter's pace chart), ``output`` (the PDF file
and the screen preview's page images); ``style`` holds the colours the first two share.
"""

from salesdesk.reports.weekly_pdf.layout import default_page_size
from salesdesk.reports.weekly_pdf.output import PageImages, ensure_app, write_weekly_pdf

__all__ = ["PageImages", "default_page_size", "ensure_app", "write_weekly_pdf"]
