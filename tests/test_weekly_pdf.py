"""The weekly report PDF, read back with pdftotext and pypdf and checked figure by figure
against SQL written here independently of the report's module."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from salesdesk.clock import CLOCK
from salesdesk.db.migrate import open_database
from salesdesk.domain.periods import Period, PeriodKind, last_full_week
from salesdesk.paths import data_dir
from salesdesk.reports.weekly import parse_scope, weekly_report
from salesdesk.reports.weekly_pdf import write_weekly_pdf
from salesdesk.services.demo import load_demo

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")

MONEY = r"(-?[\d,]+\.\d\d) EUR"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("weekly-pdf") / "demo.sqlite3"
    db = open_database(path)
    load_demo(db, seed=11, deals=900)
    db.engine.dispose()
    return path


def sql(path: Path, query: str, params=()) -> list[tuple]:
    with sqlite3.connect(path) as c:
        rows = c.execute(query, params).fetchall()
    c.close()
    return rows


def amount(cents) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def pages_of(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\f")[:-1]


def make_pdf(path: Path, week: Period, scope_text: str, out: Path):
    db = open_database(path)
    try:
        with db.read() as reader:
            report = weekly_report(reader, week, parse_scope(reader, scope_text))
        pages = write_weekly_pdf(report, out, replace=True)  # the tests choose their files
    finally:
        db.engine.dispose()
    return report, pages


def scope_people(path: Path, scope_text: str) -> set[int]:
    kind, _, value = scope_text.partition(":")
    if kind == "company":
        return {r[0] for r in sql(path, "SELECT id FROM people")}
    if kind == "branch":
        return {r[0] for r in sql(path, "SELECT p.id FROM people p JOIN branches b ON b.id = p.branch_id "
                                        "WHERE b.name = ?", (value,))}
    root = sql(path, "SELECT id FROM people WHERE email = ?", (value,))[0][0]
    return below(path, root)


def below(path: Path, root: int, only: set[int] | None = None) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, manager in sql(path, "SELECT id, manager_id FROM people"):
        children.setdefault(manager, []).append(pid)
    out, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in out:
            continue
        out.add(pid)
        todo.extend(children.get(pid, []))
    return out if only is None else out & only


def marks(ids: set[int]) -> str:
    return ",".join(str(i) for i in sorted(ids)) or "NULL"


def headline_expected(path: Path, week: Period, people: set[int]) -> dict[str, tuple]:
    def for_week(w: Period) -> dict[str, Decimal]:
        a, b = w.start.isoformat(), w.last_day.isoformat()
        owners = f"owner_id IN ({marks(people)})"
        won = sql(path, f"SELECT count(*), sum(amount) FROM deals WHERE status='won' AND won_on BETWEEN ? AND ? "
                        f"AND {owners}", (a, b))[0]
        lost = sql(path, f"SELECT count(*), sum(amount) FROM deals WHERE status='lost' AND lost_on BETWEEN ? AND ? "
                         f"AND {owners}", (a, b))[0]
        def on_local_days(table: str, column: str) -> int:  # stamps are UTC, the week the user's
            stamps = sql(path, f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {owners}")
            return sum(w.start <= CLOCK.to_local(dt.datetime.fromisoformat(at)).date() <= w.last_day
                       for (at,) in stamps)

        new, done = on_local_days("deals", "created_at"), on_local_days("activities", "done_at")
        return {"Deals won": Decimal(won[0]), "Value won": amount(won[1]), "New deals": Decimal(new),
                "Deals lost": Decimal(lost[0]), "Value lost": amount(lost[1]), "Activities done": Decimal(done)}

    this, before = for_week(week), for_week(week.previous())
    out = {k: (this[k], before[k], this[k] - before[k]) for k in this}
    now_open = pipeline_at(path, people, None)
    end_open = now_open if week.end > CLOCK.today() else pipeline_at(path, people, week.end)
    start_open = pipeline_at(path, people, week.start)
    for n, label in enumerate(("Open pipeline (end of week)", "Weighted pipeline (end of week)")):
        out[label] = (end_open[n], start_open[n], end_open[n] - start_open[n])
    return out


def pipeline_at(path: Path, people: set[int], end: dt.date | None) -> tuple[Decimal, Decimal]:
    """(open, weighted) at the start of ``end`` (None: now), rebuilt in Python from the
    deals and their stage history."""
    stages = {sid: (prob, bool(won)) for sid, prob, won in sql(path, "SELECT id, probability, is_won FROM stages")}
    history: dict[int, list] = {}
    for deal_id, changed_at, cid, to_stage in sql(path, "SELECT deal_id, changed_at, id, to_stage_id "
                                                        "FROM stage_changes"):
        history.setdefault(deal_id, []).append((str(changed_at), cid, to_stage))
    total, weighted = 0, 0
    for did, cents, prob, stage, status, won_on, lost_on, created in sql(
            path, f"SELECT id, amount, probability, stage_id, status, won_on, lost_on, created_at FROM deals "
                  f"WHERE owner_id IN ({marks(people)})"):
        if end is None:
            if status != "open":
                continue
        else:
            # won_on and lost_on are local days; stamps are UTC, compared with the local midnight's instant
            e, e_at = end.isoformat(), CLOCK.local_midnight(end).isoformat(sep=" ")
            if str(created) >= e_at or (status == "won" and str(won_on) < e) or (status == "lost" and str(lost_on) < e):
                continue
            earlier = sorted(h for h in history.get(did, []) if h[0] < e_at)
            stage = earlier[-1][2] if earlier else stage
            if stages[stage][1]:
                continue
        total += cents
        weighted += cents * (prob if prob is not None else stages[stage][0])
    return amount(total), (Decimal(weighted) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def read_headline(text: str) -> dict[str, tuple]:
    out = {}
    for label in ("Deals won", "Value won", "New deals", "Deals lost", "Value lost",
                  "Open pipeline (end of week)", "Weighted pipeline (end of week)", "Activities done"):
        line = next(line for line in text.splitlines() if line.strip().startswith(label))
        values = re.findall(r"[+-]?[\d,]+(?:\.\d\d)?", line[line.index(label) + len(label):])
        assert len(values) == 3, line
        out[label] = tuple(number(v) for v in values)
    return out


def section(text: str, heading: str, end_headings: tuple[str, ...]) -> str:
    """The text from ``heading`` to the next of ``end_headings`` (across pages)."""
    start = text.index(heading)
    after = start + len(heading)
    ends = [text.index(h, after) for h in end_headings if h in text[after:]]
    return text[start:min(ends) if ends else len(text)]


CASES = [("company", 0), ("branch", 0), ("person", 0), ("company", 6)]


@pytest.fixture(scope="module", params=CASES, ids=[f"{k}-{w}weeks-ago" for k, w in CASES])
def case(request, demo_file, tmp_path_factory):
    kind, back = request.param
    week = last_full_week()
    for _ in range(back):
        week = week.previous()
    if kind == "company":
        scope_text = "company"
    elif kind == "branch":
        scope_text = "branch:" + sql(demo_file, "SELECT name FROM branches ORDER BY id LIMIT 1")[0][0]
    else:  # a branch manager: a team of a few levels
        scope_text = "person:" + sql(demo_file, "SELECT p.email FROM people p JOIN roles r ON r.id = p.role_id "
                                                "WHERE r.name = 'Branch Manager' ORDER BY p.id LIMIT 1")[0][0]
    out = tmp_path_factory.mktemp("pdf") / "weekly.pdf"
    report, page_count = make_pdf(demo_file, week, scope_text, out)
    pages = pages_of(out)
    return {"path": demo_file, "week": week, "scope": scope_text, "pdf": out, "report": report,
            "pages": pages, "page_count": page_count, "text": "\n".join(pages),
            "people": scope_people(demo_file, scope_text)}


def test_headline_figures_read_back_from_the_pdf_equal_independent_sql(case):
    expected = headline_expected(case["path"], case["week"], case["people"])
    assert read_headline(case["text"]) == expected


def test_won_and_lost_deals_listed_are_those_of_the_database(case):
    week, people, text = case["week"], case["people"], case["text"]
    for status, heading, column in (("won", "Won deals", "won_on"), ("lost", "Lost deals", "lost_on")):
        rows = sql(case["path"], f"SELECT {column}, amount FROM deals WHERE status = ? AND {column} BETWEEN ? AND ? "
                                 f"AND owner_id IN ({marks(people)})",
                   (status, week.start.isoformat(), week.last_day.isoformat()))
        assert f"{heading} ({len(rows)})" in text
        part = section(text, f"{heading} (", ("Lost deals (", "Stale deals (", "Top open deals"))
        listed = sorted((m.group(1), number(m.group(2)))
                        for m in re.finditer(r"^\s*(\d{4}-\d\d-\d\d)\s.*?\s" + MONEY, part, re.M))
        assert listed == sorted((str(day)[:10], amount(cents)) for day, cents in rows)


def test_attainment_rows_equal_targets_and_won_to_date_by_independent_sql(case):
    path, report, text = case["path"], case["report"], case["text"]
    quarter = Period.containing(PeriodKind.QUARTER, case["week"].last_day)
    until = min(case["week"].end, quarter.end)
    assert report.quarter == quarter
    kind = case["scope"].partition(":")[0]
    branch_people = case["people"] if kind == "branch" else None
    names = dict(sql(path, f"SELECT name, id FROM people WHERE id IN ({marks(case['people'])})"))
    part = section(text, "Attainment:", ("Stage changes (",))
    checked = 0
    for line in part.splitlines():
        m = re.match(r"^\s*(\S.*?)\s{2,}(no target|" + MONEY + r")\s+" + MONEY + r"\s+(\d[\d,]*%)?", line)
        if not m or m.group(1) not in names:
            continue
        pid = names[m.group(1)]
        team = below(path, pid, branch_people)
        won = sql(path, f"SELECT sum(amount) FROM deals WHERE status = 'won' AND won_on >= ? AND won_on < ? "
                        f"AND owner_id IN ({marks(team)})", (quarter.start.isoformat(), until.isoformat()))[0][0]
        assert number(m.group(4)) == amount(won), line
        own = sql(path, "SELECT value FROM targets WHERE person_id = ? AND metric = 'won_revenue' AND "
                        "period_kind = 'quarter' AND period_start = ?", (pid, quarter.start.isoformat()))
        if not own:
            own = sql(path, "SELECT sum(value) FROM targets WHERE person_id = ? AND metric = 'won_revenue' AND "
                            "period_kind = 'month' AND period_start >= ? AND period_start < ? HAVING count(*) > 0",
                      (pid, quarter.start.isoformat(), quarter.end.isoformat()))
        if own:
            assert m.group(3) is not None and number(m.group(3)) == amount(own[0][0]), line
            if own[0][0]:
                shown = int(m.group(5).rstrip("%").replace(",", ""))
                assert shown == round(Decimal(won or 0) / Decimal(own[0][0]) * 100), line
        checked += 1
    assert checked == len(report.attainment) > 0
    won_scope = sql(path, f"SELECT sum(amount) FROM deals WHERE status = 'won' AND won_on >= ? AND won_on < ? "
                          f"AND owner_id IN ({marks(case['people'])})", (quarter.start.isoformat(), until.isoformat()))
    assert f"{amount(won_scope[0][0]):,.2f} EUR won of" in part


def test_won_by_branch_and_by_product_equal_independent_sql(case):
    path, week, text = case["path"], case["week"], case["text"]
    span = (week.start.isoformat(), week.last_day.isoformat())
    owners = f"d.owner_id IN ({marks(case['people'])})"
    part = section(text, "Where: won by branch", ("My week: notes",))
    for name, count, cents in sql(path, "SELECT coalesce(b.name, '(no branch)'), count(*), sum(d.amount) FROM deals d "
                                        "JOIN people p ON p.id = d.owner_id LEFT JOIN branches b ON b.id = p.branch_id "
                                        f"WHERE d.status = 'won' AND d.won_on BETWEEN ? AND ? AND {owners} "
                                        "GROUP BY 1", span):
        assert re.search(rf"^\s*{re.escape(name)}\s+{count}\s+{re.escape(f'{amount(cents):,.2f}')} EUR", part, re.M)
    part = section(text, "What is selling: won by product", ("Where: won by branch",))
    lines = sql(path, "SELECT pr.name, l.quantity, l.unit_price, l.discount_pct FROM deal_lines l "
                      "JOIN deals d ON d.id = l.deal_id JOIN products pr ON pr.id = l.product_id "
                      f"WHERE d.status = 'won' AND d.won_on BETWEEN ? AND ? AND {owners}", span)
    totals: dict[str, Decimal] = {}
    for name, quantity, price, discount in lines:
        value = (Decimal(quantity * price) * (100 - Decimal(discount)) / 100).quantize(0, rounding=ROUND_HALF_UP)
        totals[name] = totals.get(name, Decimal(0)) + value
    for name, cents in totals.items():
        assert re.search(rf"^\s*{re.escape(name)}\s+\d+\s+[\d,]+\s+{re.escape(f'{amount(cents):,.2f}')} EUR",
                         part, re.M), name
    if not totals:
        assert "None this week." in part


def test_every_page_is_numbered_and_tables_repeat_their_header(case):
    pages, count = case["pages"], case["page_count"]
    assert len(pages) == count
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {count}" in page
    assert "Weekly sales report" in pages[0] and f"Week {case['week'].label}" in pages[0]
    headers = ("Person", "When", "Won on", "Lost on", "Deal", "Product", "Branch")
    for page in pages[1:]:
        first = next(line for line in page.splitlines() if line.strip())
        if not re.match(r"^\s*[A-Z][a-z].*\(\d+(, [\d,]+\.\d\d [A-Z]{3})?\)$|^\s*(Top open|What is|Where:|My week|Attainment)", first):
            # a table carried over from the previous page starts with its header row
            assert first.split()[0] in headers or not re.search(r"\d", first), first


def test_only_the_shipped_fonts_are_embedded_and_the_charts_are_vectors(case):
    from pypdf import PdfReader

    reader = PdfReader(case["pdf"])
    fonts = 0
    for page in reader.pages:
        assert not page.images  # charts and bars are drawn, not pasted in as pictures
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            assert descriptor is not None
            descriptor = descriptor.get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font
            # the font SalesDesk ships, whatever this machine offers under "Helvetica"
            assert str(font["/BaseFont"]).split("+")[-1].lstrip("/") in {"LiberationSans", "LiberationSans-Bold"}
            fonts += 1
    assert fonts > 0
    assert "Won, cumulative" in case["pages"][0]  # the chart's legend is text, searchable


def test_letter_paper_where_the_locale_uses_it(demo_file, tmp_path):
    from PySide6.QtCore import QLocale

    from salesdesk.reports.weekly_pdf import default_page_size, ensure_app

    ensure_app()
    before = QLocale()
    try:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        assert default_page_size().name == "Letter"
        make_pdf(demo_file, last_full_week(), "company", tmp_path / "us.pdf")
        QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
        make_pdf(demo_file, last_full_week(), "company", tmp_path / "de.pdf")
    finally:
        QLocale.setDefault(before)
    sizes = {}
    for name in ("us", "de"):
        info = subprocess.run(["pdfinfo", str(tmp_path / f"{name}.pdf")], capture_output=True, text=True).stdout
        sizes[name] = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    assert [round(float(v)) for v in sizes["us"]] == [612, 792]
    assert [round(float(v)) for v in sizes["de"]] == [595, 842]


def test_a_week_with_nothing_in_it_still_reads_well(demo_file, tmp_path):
    week = Period.containing(PeriodKind.WEEK, dt.date(2020, 1, 8))
    report, pages = make_pdf(demo_file, week, "company", tmp_path / "empty.pdf")
    text = "\n".join(pages_of(tmp_path / "empty.pdf"))
    assert report.won_count == 0 and "Won deals (0)" in text and "None this week." in text
    assert "No notes written for this week." in text


def test_long_lists_keep_their_largest_deals_and_say_so(demo_file, tmp_path, monkeypatch):
    from salesdesk.reports import weekly

    monkeypatch.setattr(weekly, "LIST_LIMIT", 3)
    monkeypatch.setattr(weekly, "MOVES_LIMIT", 4)
    monkeypatch.setattr(weekly, "ATTAINMENT_ROWS", 8)
    week = last_full_week()
    report, _ = make_pdf(demo_file, week, "company", tmp_path / "short.pdf")
    text = "\n".join(pages_of(tmp_path / "short.pdf"))
    won = sql(demo_file, "SELECT won_on, amount FROM deals WHERE status = 'won' AND won_on BETWEEN ? AND ? "
                         "ORDER BY amount DESC, id", (week.start.isoformat(), week.last_day.isoformat()))
    assert len(won) > 3
    assert f"Won deals ({len(won)})" in text
    assert f"The 3 largest are listed; the counts and totals cover all {len(won)}." in text
    part = section(text, "Won deals (", ("Lost deals (",))
    listed = [(m.group(1), number(m.group(2))) for m in re.finditer(r"^\s*(\d{4}-\d\d-\d\d)\s.*?\s" + MONEY, part, re.M)]
    assert sorted(listed) == sorted((str(d)[:10], amount(c)) for d, c in won[:3])
    assert listed == sorted(listed, key=lambda r: r[0])  # read in date order
    moves = sql(demo_file, "SELECT count(*) FROM stage_changes WHERE changed_at >= ? AND changed_at < ?",
                tuple(at.isoformat(sep=" ") for at in CLOCK.utc_bounds(week.start, week.end)))[0][0]  # stamps are UTC
    assert f"Stage changes ({moves})" in text and len(report.stage_changes) == 4
    # "When" is the user's wall clock: each listed time is a stage change of the week in local time.
    local_times = {f"{CLOCK.to_local(dt.datetime.fromisoformat(at)):%a %H:%M}" for (at,) in sql(
        demo_file, "SELECT changed_at FROM stage_changes WHERE changed_at >= ? AND changed_at < ?",
        tuple(at.isoformat(sep=" ") for at in CLOCK.utc_bounds(week.start, week.end)))}
    part = section(text, "Stage changes (", ("Won deals (",))
    shown = re.findall(r"^\s*((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d)\s", part, re.M)
    assert len(shown) == 4 and set(shown) <= local_times, (shown, sorted(local_times)[:8])
    assert report.attainment_hidden > 0 and len(report.attainment) <= 8
    assert f"{report.attainment_hidden} people further down are counted in their managers' rows." in text


def test_without_targets_the_quarter_shows_who_won_what(tmp_path):
    """A company that sets no targets (an imported data set) gets won to date and each
    person's share of it, not a column of "no target"."""
    db = open_database(tmp_path / "no-targets.sqlite3")
    load_demo(db, seed=3, deals=300)
    with db.transaction() as s:
        from sqlalchemy import text

        s.execute(text("DELETE FROM targets"))
    db.engine.dispose()
    report, _ = make_pdf(tmp_path / "no-targets.sqlite3", last_full_week(), "company", tmp_path / "r.pdf")
    text_ = "\n".join(pages_of(tmp_path / "r.pdf"))
    assert report.scope_target is None
    assert f"Won in {report.quarter.label} to date" in text_ and "no targets are set" in text_
    assert "no target" not in text_.replace("no targets are set", "")
    top = report.attainment[0]
    assert re.search(rf"^\s*{re.escape(top.name)}\s+{re.escape(f'{top.actual:,.2f}')} EUR\s+100%", text_, re.M)


def test_a_failure_while_writing_leaves_no_file_and_keeps_the_old_one(demo_file, tmp_path, monkeypatch):
    from salesdesk.reports.weekly_pdf import output as weekly_pdf

    out = tmp_path / "weekly.pdf"
    out.write_bytes(b"last week's report")

    def broken(pages, report, generated):
        raise OSError("No space left on device")

    monkeypatch.setattr(weekly_pdf, "lay_out_report", broken)  # what the output module calls
    with pytest.raises(OSError, match="No space left"):
        make_pdf(demo_file, last_full_week(), "company", out)
    left = [p.name for p in tmp_path.iterdir() if p != data_dir()]  # the tests' user data folder is there too
    assert left == ["weekly.pdf"] and out.read_bytes() == b"last week's report"


def test_no_sentence_or_figure_is_cut_short(case):
    """The headline sentence wraps rather than ending in "…" (it read "on pace would be
    547,826.09 …" for the company)."""
    text = "\n".join(case["pages"])
    assert "…" not in text
    assert re.search(r"on pace would be\s+[\d,]+\.\d\d [A-Z]{3}\.", text) or "won." in text  # amount and currency on one line
