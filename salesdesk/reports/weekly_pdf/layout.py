"""The weekly PDF's layout: a cursor over pages that sets text and tables, and what the
report puts where.  One layout serves the PDF and the screen's preview (``output``): it
lays out every page, and paints only those it is given a painter for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QLocale, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPen

from salesdesk.domain.money import format_money as money  # with currency and thousands separators
from salesdesk.reports.fonts import document_font, widest_word, wrap
from salesdesk.reports.weekly import BRANCH, COMPANY, WeeklyReport
from salesdesk.reports.weekly_pdf.charts import Bar, draw_bar, pace_chart
from salesdesk.reports.weekly_pdf.style import ACCENT, BAND, MUTED, RULE

LETTER_TERRITORIES = ("UnitedStates", "Canada", "Mexico", "Philippines")
MARGIN_MM = 15
DPI = 96


def default_page_size() -> QPageSize.PageSizeId:
    territory = QLocale().territory()
    letter = {getattr(QLocale.Country, name) for name in LETTER_TERRITORIES if hasattr(QLocale.Country, name)}
    return QPageSize.PageSizeId.Letter if territory in letter else QPageSize.PageSizeId.A4


def page_layout(page_size=None) -> QPageLayout:
    size = page_size if page_size is not None else default_page_size()
    if not isinstance(size, QPageSize):
        size = QPageSize(size)
    return QPageLayout(size, QPageLayout.Orientation.Portrait,
                       QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)


# --- formatting ---------------------------------------------------------------------------


def signed_money(amount: Decimal, currency: str) -> str:
    return f"{amount:+,.2f} {currency}".strip() if amount else money(amount, currency)


def signed_int(value: int) -> str:
    return f"{value:+,d}" if value else "0"


def deal_label(title: str, account: str) -> str:
    """The deal's title, with its account unless the title already names it (titles
    often start with the account's name without its legal form: "Walker Digital - ..."
    for "Walker Digital Ltd")."""
    name = " ".join(account.split()[:2])
    if account and name.casefold() not in title.casefold():
        return f"{title} ({account})"
    return title


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def week_dates(report: WeeklyReport) -> str:
    first, last = report.week.start, report.week.last_day
    return f"{first:%a %d %b %Y} \u2013 {last:%a %d %b %Y}"


def scope_title(report: WeeklyReport) -> str:
    scope = report.scope
    if scope.kind == COMPANY:
        return f"{scope.label} (whole company)"
    if scope.kind == BRANCH:
        return f"Branch {scope.label}"
    return f"{scope.label} and their team" if len(report.people) > 1 else scope.label


# --- pages and tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column.  ``weight`` 0: as wide as its widest cell (dates, amounts,
    percentages, counts: never wrapped); otherwise a text column, which shares the width
    the others leave in proportion to ``weight`` and wraps its cells at word boundaries."""

    title: str
    weight: float = 0.0
    right: bool = False


KEEP_ROWS = 8  # a table of up to this many rows is never split across pages
BAR_WIDTH = 90.0  # an attainment bar's column, in pixels at 96 dpi


class Pages:
    """A cursor over pages.  ``open_page(n)`` gives the painter for page ``n`` (or None:
    the page is laid out but not painted, as in the first, counting pass), and
    ``close_page(n)`` is called when it is done; so one layout serves the PDF and the
    screen's preview, which paints only the pages in sight."""

    def __init__(self, device, width: float, height: float, total: int, footer_left: str,
                 open_page=None, close_page=None):
        self.total, self.footer_left = total, footer_left
        self.open_page = open_page or (lambda n: None)
        self.close_page = close_page or (lambda n: None)
        self.width, self.height = width, height
        self.page = 1
        self.body = document_font(9)
        self.small = document_font(8)
        self.bold = document_font(9, QFont.Weight.Bold)
        self.h1 = document_font(18, QFont.Weight.Bold)
        self.h2 = document_font(12, QFont.Weight.Bold)
        self.fm = {id(f): QFontMetricsF(f, device) for f in (self.body, self.small, self.bold, self.h1, self.h2)}
        self.footer_h = self.metrics(self.small).height() * 2
        self.bottom = self.height - self.footer_h
        self.y = 0.0
        self.painter: QPainter | None = self.open_page(1)

    def finish(self):
        self.footer()
        self.close_page(self.page)

    def metrics(self, font: QFont) -> QFontMetricsF:
        return self.fm[id(font)]

    def line_h(self, font: QFont) -> float:
        return self.metrics(font).height() * 1.35

    def footer(self):
        if self.painter is None:
            return
        p = self.painter
        p.setFont(self.small)
        p.setPen(QPen(RULE, 0.8))
        top = self.height - self.footer_h * 0.8
        p.drawLine(0, int(top), int(self.width), int(top))
        p.setPen(MUTED)
        rect = QRectF(0, top, self.width, self.footer_h * 0.8)
        p.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   self.footer_left)
        p.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   f"Page {self.page} of {self.total}")

    def new_page(self):
        self.footer()
        self.close_page(self.page)
        self.page += 1
        self.painter = self.open_page(self.page)
        self.y = 0.0

    def room(self, needed: float) -> bool:
        return self.y + needed <= self.bottom

    def ensure(self, needed: float):
        if not self.room(needed) and self.y > 0:
            self.new_page()

    def text_height(self, text: str, font: QFont) -> float:
        return len(wrap(text, self.metrics(font), self.width)) * self.line_h(font)

    def text(self, text: str, font: QFont, color: QColor = QColor("black"), *, height: float | None = None):
        """One line, or as many as it takes at word boundaries: a sentence is never cut
        ("…on pace would be 547,826.09 …")."""
        h = height or self.line_h(font)
        fm = self.metrics(font)
        lines = [text] if fm.horizontalAdvance(text) <= self.width else wrap(text, fm, self.width)
        for line in lines:
            self.ensure(h)
            if self.painter is not None:
                self.painter.setFont(font)
                self.painter.setPen(color)
                self.painter.drawText(QRectF(0, self.y, self.width, h),
                                      Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
            self.y += h

    def wrapped(self, text: str, font: QFont, indent: float = 0.0):
        """Word-wrapped text, split across pages line by line so nothing is clipped."""
        fm = self.metrics(font)
        width = self.width - indent
        for paragraph in text.splitlines() or [""]:
            for line in wrap(paragraph, fm, width):
                self.ensure(fm.height() * 1.25)
                if self.painter is not None:
                    self.painter.setFont(font)
                    self.painter.setPen(QColor("black"))
                    self.painter.drawText(QRectF(indent, self.y, width, fm.height() * 1.25),
                                          Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
                self.y += fm.height() * 1.25

    def heading(self, text: str, keep: float = 0.0):
        """A section's title, on the page of the first ``keep`` pixels of what follows
        (never alone at the foot of a page)."""
        h = self.line_h(self.h2) * 1.4
        self.ensure(h + max(keep, self.line_h(self.body) * 2))
        self.y += h * 0.3
        if self.painter is not None:
            self.painter.setFont(self.h2)
            self.painter.setPen(ACCENT)
            self.painter.drawText(QRectF(0, self.y, self.width, h * 0.7),
                                  Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        self.y += h * 0.7

    def table(self, columns: list[Column], rows: list[list], empty: str = "None this week."):
        """A table sized to its contents: a date, an amount or a percentage is never
        wrapped, text columns share the rest of the width and wrap at word boundaries (the
        row grows).  A short table moves whole to the next page; a longer one repeats
        its header row on each page it runs onto."""
        if not rows:
            self.text(empty, self.body, MUTED)
            return
        grid = _Grid(self, columns, rows)
        self.ensure(grid.keep_height())
        self._table_header(grid)
        for laid, row_h in grid.rows:
            if not self.room(row_h):
                self.new_page()
                self._table_header(grid)  # the header row repeats on each new page
            self._draw_row(grid, laid, self.body, None, row_h)
            if self.painter is not None:
                self.painter.setPen(QPen(RULE, 0.5))
                self.painter.drawLine(0, int(self.y + row_h), int(self.width), int(self.y + row_h))
            self.y += row_h

    def table_height(self, columns: list[Column], rows: list[list]) -> float:
        """What must fit below a table's heading for the two to stay together."""
        return _Grid(self, columns, rows).keep_height() if rows else self.line_h(self.body)

    def _table_header(self, grid: "_Grid"):
        laid, h = grid.header
        self._draw_row(grid, laid, self.bold, BAND, h)
        if self.painter is not None:
            self.painter.setPen(QPen(ACCENT, 1.0))
            self.painter.drawLine(0, int(self.y + h), int(self.width), int(self.y + h))
        self.y += h

    def _draw_row(self, grid: "_Grid", laid, font: QFont, band: QColor | None, row_h: float):
        if self.painter is None:
            return
        p, y, pad, line_h = self.painter, self.y, grid.PAD, grid.line_h
        if band is not None:
            p.fillRect(QRectF(0, y, self.width, row_h), band)
        p.setFont(font)
        step = self.metrics(font).height() * 1.1
        x = 0.0
        for (indent, content), col, w in zip(laid, grid.columns, grid.widths):
            if isinstance(content, Bar):
                draw_bar(p, QRectF(x + pad, y + line_h * 0.22, w - 2 * pad, line_h * 0.56), content)
            else:
                align = Qt.AlignmentFlag.AlignRight if col.right else Qt.AlignmentFlag.AlignLeft
                p.setPen(QColor("black"))
                top = y + (line_h - step) / 2
                for n, text in enumerate(content):
                    # the cell's rect is one pixel wider than the text measured: never clipped
                    p.drawText(QRectF(x + pad + indent, top + n * step, w - 2 * pad - indent + 1, step),
                               align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip, text)
            x += w

    def gap(self, lines: float = 0.6):
        self.y += self.line_h(self.body) * lines

    def figure(self, height: float, draw):
        """A drawing ``height`` high across the page: ``draw(painter, rect)`` when painting."""
        self.ensure(height)
        if self.painter is not None:
            self.painter.save()
            draw(self.painter, QRectF(0, self.y, self.width, height))
            self.painter.restore()
        self.y += height


class _Grid:
    """A table laid out: each column's width, and each row's cells as lines."""

    PAD = 6.0  # 12 px between two columns: figures side by side stay apart

    def __init__(self, pages: Pages, columns: list[Column], rows: list[list]):
        self.pages, self.columns = pages, columns
        self.line_h = pages.line_h(pages.body)
        self.widths = self._widths(rows)
        self.header = self._lay_out([c.title for c in columns], pages.bold)
        self.rows = [self._lay_out(cells, pages.body) for cells in rows]

    def keep_height(self) -> float:
        """The header and every row of a short table; the header and first row of a long one."""
        shown = self.rows if len(self.rows) <= KEEP_ROWS else self.rows[:1]
        return self.header[1] + sum(h for _, h in shown)

    def _natural(self, cell, font) -> float:
        """``cell``'s width on one line, its indent included."""
        if isinstance(cell, Bar):
            return BAR_WIDTH
        if isinstance(cell, Indented):
            return cell.level * INDENT + self.pages.metrics(font).horizontalAdvance(cell.text)
        return self.pages.metrics(font).horizontalAdvance(cell)

    def _widths(self, rows: list[list]) -> list[float]:
        body, bold = self.pages.body, self.pages.bold
        natural = [max([self._natural(c.title, bold)] + [self._natural(r[i], body) for r in rows]) + 2 * self.PAD
                   for i, c in enumerate(self.columns)]
        widths = [n if not c.weight else 0.0 for n, c in zip(natural, self.columns)]
        # The text columns share what is left: one that needs less than its share gets
        # what it needs, and the rest is shared again among the others.
        text = [i for i, c in enumerate(self.columns) if c.weight]
        left = self.pages.width - sum(widths)
        while text:
            total = sum(self.columns[i].weight for i in text)
            modest = [i for i in text if natural[i] <= left * self.columns[i].weight / total]
            if not modest:
                for i in text:
                    widths[i] = left * self.columns[i].weight / total
                break
            for i in modest:
                widths[i] = natural[i]
                left -= natural[i]
                text.remove(i)
        if not text and sum(widths) < self.pages.width:  # room to spare: the text columns get it
            spare = self.pages.width - sum(widths)
            total = sum(c.weight for c in self.columns)
            for i, c in enumerate(self.columns):
                widths[i] += spare * (c.weight / total if total else 1 / len(self.columns))
        return self._no_word_broken(widths, rows)

    def _no_word_broken(self, widths: list[float], rows: list[list]) -> list[float]:
        """Widen a text column too narrow for its longest word (a long surname), up to a
        quarter of the page, at the expense of the text columns with room to spare."""
        fm = self.pages.metrics(self.pages.body)
        text = [i for i, c in enumerate(self.columns) if c.weight]
        least = {i: min(self.pages.width / 4, 2 * self.PAD + max(
            widest_word(r[i].text if isinstance(r[i], Indented) else r[i], fm) for r in rows)) for i in text}
        for i in text:
            short = least[i] - widths[i]
            donors = [j for j in text if j != i and widths[j] - least[j] > 0]
            room = sum(widths[j] - least[j] for j in donors)
            if short <= 0 or room <= 0:
                continue
            taken = min(short, room)
            for j in donors:
                widths[j] -= taken * (widths[j] - least[j]) / room
            widths[i] += taken
        return widths

    def _lay_out(self, cells: list, font: QFont) -> tuple[list, float]:
        """Each cell as (indent, lines or a Bar); and the row's height."""
        fm = self.pages.metrics(font)
        out: list[tuple[float, list[str] | Bar]] = []
        most = 1
        for cell, w in zip(cells, self.widths):
            if isinstance(cell, Bar):
                out.append((0.0, cell))
                continue
            indent = 0.0
            if isinstance(cell, Indented):
                indent, cell = cell.level * INDENT, cell.text
            room = w - 2 * self.PAD - indent
            lines = [cell] if fm.horizontalAdvance(cell) <= room + 0.01 else wrap(cell, fm, room)
            out.append((indent, lines))
            most = max(most, len(lines))
        return out, self.line_h + (most - 1) * fm.height() * 1.1


@dataclass(frozen=True)
class Indented:
    """A table cell indented by ``level`` steps (a person under their manager)."""

    text: str
    level: int


INDENT = 10.0  # pixels per level of an Indented cell


# --- the report -------------------------------------------------------------------------


def lay_out_report(pages: Pages, report: WeeklyReport, generated: str):
    cur = report.currency
    pages.text("Weekly sales report", pages.h1, ACCENT, height=pages.line_h(pages.h1))
    pages.text(scope_title(report), pages.h2)
    pages.text(f"Week {report.week.label}: {week_dates(report)}", pages.body)
    pages.text(f"Compared with week {report.previous_week.label}. Generated {generated}.", pages.small, MUTED)
    if pages.painter is not None:
        pages.painter.setPen(QPen(ACCENT, 1.5))
        pages.painter.drawLine(0, int(pages.y + 4), int(pages.width), int(pages.y + 4))
    pages.gap(0.8)

    c, p, d = report.current, report.previous, report.change
    section(pages, "Headline figures",
        [Column("Figure", 3), Column("This week", right=True), Column("Previous week", right=True),
         Column("Change", right=True)],
        [
            ["Deals won", f"{c.won_count:,d}", f"{p.won_count:,d}", signed_int(d.won_count)],
            ["Value won", money(c.won_value, cur), money(p.won_value, cur), signed_money(d.won_value, cur)],
            ["New deals", f"{c.new_deals:,d}", f"{p.new_deals:,d}", signed_int(d.new_deals)],
            ["Deals lost", f"{c.lost_count:,d}", f"{p.lost_count:,d}", signed_int(d.lost_count)],
            ["Value lost", money(c.lost_value, cur), money(p.lost_value, cur), signed_money(d.lost_value, cur)],
            ["Open pipeline (end of week)", money(c.open_value, cur), money(p.open_value, cur),
             signed_money(d.open_value, cur)],
            ["Weighted pipeline (end of week)", money(c.weighted_value, cur), money(p.weighted_value, cur),
             signed_money(d.weighted_value, cur)],
            ["Activities done", f"{c.activities:,d}", f"{p.activities:,d}", signed_int(d.activities)],
        ])
    if report.currency_note():
        pages.wrapped(report.currency_note(), pages.small)
        pages.gap(0.6)

    _attainment_section(pages, report)

    section(pages, f"Stage changes ({report.stage_change_count:,})",
        [Column("When"), Column("Deal", 5.6), Column("From", 3), Column("To", 3), Column("By", 2.4)],
        [[m.changed_at.strftime("%a %H:%M") if m.changed_at else "", deal_label(m.title, m.account),
          m.from_stage or "(created)", m.to_stage or "", m.changed_by] for m in report.stage_changes],
        note=shortened(len(report.stage_changes), report.stage_change_count,
              "moves of the largest deals are listed, in time order"))

    section(pages, f"Won deals ({c.won_count:,})",
        [Column("Won on"), Column("Deal", 6.3), Column("Owner", 2.4), Column("Amount", right=True)],
        [[day(r.day), deal_label(r.title, r.account), r.owner, money(r.amount, r.currency or cur)] for r in report.won],
        note=shortened(len(report.won), c.won_count, "largest are listed"))

    section(pages, f"Lost deals ({c.lost_count:,})",
        [Column("Lost on"), Column("Deal", 4.6), Column("Owner", 2.2), Column("Amount", right=True),
         Column("Reason", 4.2)],
        [[day(r.day), deal_label(r.title, r.account), r.owner, money(r.amount, r.currency or cur), r.reason]
         for r in report.lost],
        note=shortened(len(report.lost), c.lost_count, "largest are listed"))

    section(pages, f"Stale deals ({report.stale_count:,}" + (f", {money(report.stale_value, cur)})"
                                                            if report.stale_count else ")"),
        [Column("Deal", 6), Column("Owner", 2.4), Column("Stage", 2.6), Column("Days", right=True),
         Column("Amount", right=True)],
        [[deal_label(r.title, r.account), r.owner, r.stage, f"{r.days_in_stage:,d}", money(r.amount, r.currency or cur)]
         for r in report.stale],
        note=shortened(len(report.stale), report.stale_count, "largest are listed, largest first"))

    section(pages, "Top open deals",
        [Column("Deal", 5.2), Column("Owner", 2.4), Column("Stage", 2.6), Column("Prob.", right=True),
         Column("Close"), Column("Amount", right=True)],
        [[deal_label(r.title, r.account), r.owner, r.stage, f"{r.probability}%", day(r.expected_close),
          money(r.amount, r.currency or cur)] for r in report.top_open], empty="No open deals.")

    section(pages, "What is selling: won by product",
        [Column("Product", 5), Column("Deals", right=True), Column("Quantity", right=True),
         Column("Value", right=True)],
        [[r.product, f"{r.deals:,d}", f"{r.quantity:,d}", money(r.value, cur)] for r in report.by_product])

    section(pages, "Where: won by branch",
        [Column("Branch", 5), Column("Deals won", right=True), Column("Value", right=True)],
        [[r.branch or "(no branch)", f"{r.won_count:,d}", money(r.won_value, cur)] for r in report.by_branch])

    pages.heading("My week: notes")
    if not report.notes:
        pages.text("No notes written for this week.", pages.body, MUTED)
    for note in report.notes:
        pages.ensure(pages.line_h(pages.bold) * 2)
        pages.text(note.person, pages.bold)
        pages.wrapped(note.text, pages.body, indent=12.0)
        pages.gap(0.4)
    pages.finish()


def section(pages: Pages, title: str, columns: list[Column], rows: list[list], *, empty: str = "None this week.",
            note: str = ""):
    """A heading, a note on what is listed, and the table: kept on one page when short."""
    pages.heading(title, keep=(pages.text_height(note, pages.small) if note else 0.0)
                  + pages.table_height(columns, rows))
    if note:
        pages.text(note, pages.small, MUTED)
    pages.table(columns, rows, empty)


def shortened(shown: int, total: int, what: str) -> str:
    """Say so when a list holds fewer rows than its heading counts."""
    return f"The {shown:,} {what}; the counts and totals cover all {total:,}." if shown < total else ""


def percent(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio * 100:,.0f}%"


def _attainment_section(pages: Pages, report: WeeklyReport):
    cur, q = report.currency, report.quarter
    gone = report.elapsed
    targets = any(a.target is not None for a in report.attainment)
    last_day = report.quarter_until - dt.timedelta(days=1)
    pages.heading(f"Attainment: {q.label} to date" if targets else f"Won in {q.label} to date")
    pages.text(f"Won from {q.start:%d %b} to {last_day:%a %d %b %Y}"
               + (" against the quarter's target" if targets else "; no targets are set for the quarter")
               + f"; {gone * 100:.0f}% of the quarter gone. A person's figures include their team's.",
               pages.small, MUTED)
    won, target, expected = report.scope_won, report.scope_target, report.scope_expected
    if target is not None and expected is not None:  # the one is None when the other is
        share = f" ({percent(float(won / target))})" if target else ""
        pages.text(f"{scope_title(report)}: {money(won, cur)} won of {money(target, cur)}{share}; "
                   f"on pace would be {money(expected, cur)}.", pages.bold)
    else:
        pages.text(f"{scope_title(report)}: {money(won, cur)} won.", pages.bold)
    pages.figure(pages.line_h(pages.body) * 11, pace_chart(report, pages.metrics(pages.small), pages.small))
    pages.gap(0.3)
    if report.attainment_hidden:
        pages.text(f"{report.attainment_hidden:,} people further down are counted in their managers' rows.",
                   pages.small, MUTED)
    if not targets:  # nothing to attain: who won what, and their share of the scope's
        pages.table(
            [Column("Person", 5), Column("Won to date", right=True), Column("Share", right=True)],
            [[Indented(a.name, a.depth), money(a.actual, cur), percent(float(a.actual / won)) if won else ""]
             for a in report.attainment], empty="No one in this scope.")
        return
    pages.table(
        [Column("Person", 3.6), Column("Target", right=True), Column("Won to date", right=True),
         Column("Attained", right=True), Column("vs. target and pace"),
         Column("On pace", right=True)],
        [[Indented(a.name, a.depth), money(a.target, cur) if a.target is not None else "no target",
          money(a.actual, cur), percent(a.ratio), Bar(a.ratio, gone),
          money(a.expected, cur) if a.expected is not None else ""] for a in report.attainment],
        empty="No one in this scope.")
