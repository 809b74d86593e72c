"""Currencies: the company's currency is the reporting one; deals in others count at the
rates the user keeps, and a deal without a rate is left out of a total, with a note,
never added as if it were in the company's currency."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import text

from salesdesk.cli import main
from salesdesk.clock import CLOCK
from salesdesk.domain.periods import Period, PeriodKind, last_full_week
from salesdesk.errors import ValidationError
from salesdesk.reports.weekly import COMPANY, Scope, weekly_report
from salesdesk.services import board, currencies, overview
from salesdesk.services.targets.queries import actuals, left_out
from salesdesk.services.demo import load_demo
from salesdesk.services.rates import RateBook

USD_RATE = Decimal("0.9213")


@pytest.fixture
def mixed(db):
    """The demo company with every fifth deal in USD and every seventh (not fifth) in
    GBP; a USD rate from long ago, none for GBP."""
    load_demo(db, seed=4, deals=300)
    with db.transaction() as s:
        s.execute(text("UPDATE deals SET currency = 'USD' WHERE id % 5 = 0"))
        s.execute(text("UPDATE deals SET currency = 'GBP' WHERE id % 7 = 0 AND id % 5 <> 0"))
        currencies.set_rate(s, "USD", dt.date(2020, 1, 1), USD_RATE)
    return db


def home_cents(cents: int, currency: str) -> int:
    if currency == "EUR":
        return cents
    return int((Decimal(cents) * USD_RATE).to_integral_value(rounding=ROUND_HALF_UP))


def total(deals) -> int:
    """Rows (cents, currency) in EUR cents, as the README says: summed per currency,
    converted and rounded once per currency; pounds (no rate) left out."""
    per: dict[str, int] = {}
    for cents, currency in deals:
        per[currency] = per.get(currency, 0) + cents
    return sum(home_cents(cents, currency) for currency, cents in per.items() if currency != "GBP")


def rows(db, sql: str, **params):
    with db.read() as r:
        return r.execute(sql, params)


def test_board_columns_convert_dollars_and_leave_pounds_out_with_a_count(mixed):
    with mixed.read() as r:
        data = board.load_board(r, 1)
        for column in (c for c in data.columns if not c.stage.is_won):  # the won column shows the recent ones
            deals = r.execute("SELECT amount, currency FROM deals WHERE stage_id = :s AND status = 'open'",
                              {"s": column.stage.id})
            assert column.amount_cents == total(deals)
            pounds = sum(1 for _, c in deals if c == "GBP")
            assert column.left_out == ({"GBP": pounds} if pounds else {})
        assert any(column.left_out for column in data.columns)
        cards = board.fetch_cards(r, [i for c in data.columns for i in c.ids], data.book, data.today)
    for card in cards.values():
        assert card.home_cents == (None if card.currency == "GBP" else home_cents(card.amount_cents, card.currency))


def test_the_status_bar_figure_leaves_pounds_out_and_says_so(mixed):
    with mixed.read() as r:
        figures = overview.overview(r)
    deals = rows(mixed, "SELECT amount, currency FROM deals WHERE status = 'open'")
    assert figures.open_amount == Decimal(total(deals)) / 100
    pounds = sum(1 for _, c in deals if c == "GBP")
    assert figures.left_out == f"excl. {pounds} deals in GBP (no exchange rate)"


def test_a_rate_counts_from_its_day_on_and_a_later_one_replaces_it(mixed):
    start = CLOCK.today() - dt.timedelta(days=17)
    with mixed.transaction() as s:
        currencies.set_rate(s, "GBP", start, "1.15")
        currencies.set_rate(s, "GBP", CLOCK.today() + dt.timedelta(days=1), "2")  # not yet
    with mixed.read() as r:
        book = RateBook.load(r)
        assert book.rate_on("GBP", CLOCK.today()).rate == Decimal("1.15")
        assert book.rate_on("GBP", start - dt.timedelta(days=1)) is None
        assert book.convert(1_000_001, "GBP", CLOCK.today()) == 1_150_001  # 1,150,001.15 rounded half up
        assert overview.overview(r).left_out == ""


def test_weekly_report_converts_at_the_weeks_last_day_and_names_the_rate(mixed):
    week = last_full_week()
    with mixed.transaction() as s:  # a rate that starts after the week does not count in it
        currencies.set_rate(s, "USD", week.end, "5")
    with mixed.read() as r:
        report = weekly_report(r, week, Scope(COMPANY, None, "Demo"))
    won = rows(mixed, "SELECT amount, currency FROM deals WHERE status = 'won' AND won_on >= :a AND won_on < :b",
               a=week.start.isoformat(), b=week.end.isoformat())
    assert won, "the demo has deals won last week"
    assert report.won_count == len(won)
    assert report.won_value == Decimal(total(won)) / 100
    assert report.rate_day == week.last_day
    assert [(u.currency, u.rate) for u in report.rates_used] == [("USD", USD_RATE)]
    note = report.currency_note()
    assert f"1 USD = {USD_RATE} EUR (rate from 2020-01-01)" in note
    pounds_won = [a for a, c in won if c == "GBP"]
    if pounds_won:
        assert any(o.what == "won this week" and o.currency == "GBP" and o.count == len(pounds_won)
                   for o in report.left_out)
    assert "GBP" in note and "left out" in note.lower()
    assert {row.currency for row in report.top_open} <= {"EUR", "USD", "GBP"}
    assert sum(r.won_value for r in report.by_branch) == report.won_value


def test_the_weekly_pdf_prints_the_rates_and_each_deals_own_currency(mixed, tmp_path, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", "/work/shared/tools/fc-dejavu/fonts.conf")
    from salesdesk.reports.weekly_pdf import write_weekly_pdf
    from tests.pdf_checks import page_texts

    with mixed.read() as r:
        report = weekly_report(r, last_full_week(), Scope(COMPANY, None, "Demo"))
    write_weekly_pdf(report, tmp_path / "w.pdf")
    words = " ".join(" ".join(page_texts(tmp_path / "w.pdf")).split())
    assert f"1 USD = {USD_RATE} EUR" in words
    assert "left out of the sums" in words.lower()
    if any(row.currency == "USD" for row in report.top_open):
        assert " USD" in words.replace(f"1 USD = {USD_RATE} EUR", "")


def test_targets_actuals_convert_dollars_and_leave_pounds_out(mixed):
    quarter = Period.containing(PeriodKind.QUARTER, CLOCK.today())
    with mixed.read() as r:
        top = r.scalar("SELECT id FROM people WHERE manager_id IS NULL ORDER BY id")
        actual = actuals(r, top, quarter)[top]
    won = rows(mixed, "SELECT owner_id, amount, currency FROM deals WHERE status = 'won' AND won_on >= :a "
               "AND won_on < :b", a=quarter.start.isoformat(), b=quarter.end.isoformat())
    # each person's own won deals converted (rounded once per person and currency), then added up the tree
    assert actual == Decimal(sum(total([(a, c) for o, a, c in won if o == owner]) for owner in {o for o, *_ in won})) / 100


def test_changing_the_company_currency_is_audited_and_undone_by_its_counterpart(mixed):
    with mixed.transaction() as s:
        old = currencies.set_company_currency(s, "usd")
    assert old == "EUR"
    with mixed.read() as r:
        book = RateBook.load(r)
        assert book.home == "USD" and book.rates == {}  # the USD rate is quoted in EUR: not one into USD
        figures = overview.overview(r)
    assert figures.currency == "USD"
    dollars = rows(mixed, "SELECT count(*) FROM deals WHERE status = 'open' AND currency = 'USD'")[0][0]
    assert figures.open_amount == Decimal(rows(
        mixed, "SELECT sum(amount) FROM deals WHERE status = 'open' AND currency = 'USD'")[0][0]) / 100
    pounds = rows(mixed, "SELECT count(*) FROM deals WHERE status = 'open' AND currency = 'GBP'")[0][0]
    assert figures.left_out == (f"excl. {figures.open_deals - dollars - pounds} deals in EUR, {pounds} in GBP "
                                "(no exchange rate)")
    with mixed.transaction() as s:
        currencies.set_company_currency(s, old)
    with mixed.read() as r:
        assert RateBook.load(r).rate_on("USD", CLOCK.today()).rate == USD_RATE
        assert [row[0] for row in r.execute(
            "SELECT action FROM audit_log WHERE action = 'set_company_currency' ORDER BY id")] == ["set_company_currency"] * 2
    with mixed.transaction() as s, pytest.raises(ValidationError, match="replaced by EUR"):
        currencies.set_company_currency(s, "DEM")


def test_a_rates_file_is_kept_all_or_none_and_exports_back(mixed, tmp_path):
    with mixed.transaction() as s:
        kept = currencies.import_rates_csv(s, "currency,valid_from,rate\ngbp,2026-11-01,1.15\nCHF,2026-11-01,1.07\n")
    assert [(c.currency, c.valid_from, c.before) for c in kept] == [("GBP", dt.date(2026, 11, 1), None),
                                                                   ("CHF", dt.date(2026, 11, 1), None)]
    with mixed.session() as s:
        exported = currencies.rates_csv(s)
    assert exported == ("currency,valid_from,rate\nCHF,2026-11-01,1.07\nGBP,2026-11-01,1.15\n"
                        f"USD,2020-01-01,{USD_RATE}\n")
    bad = [
        ("currency,valid_from,rate\nJPY,2026-11-01,0.0061\nJPY,2026-11-01,0.0062\n", "line 3: a second rate of JPY"),
        ("currency,valid_from,rate\nJPY,2026-11-01,0.0061\nJPY,1 Nov,0.0062\n", "line 3: '1 Nov' is not a date"),
        ("currency,valid_from,rate\nJPY,2026-11-01,-1\n", "line 2: A rate is a number above zero"),
        ("currency,valid_from,rate\nEUR,2026-11-01,1\n", "line 2: EUR is the company's currency"),
        ("currency,valid_from,rate\nJPY,2026-11-01,1e400\n", "line 2: '1e400' is not a rate"),
        ("currency,valid_from,rate\nJPY,2026-11-01,1_5\n", "line 2: '1_5' is not a rate"),  # a typo for 1.5, not 15
        ("currency,valid_from,rate\nJPY,2026-11-01,\u0661.\u0662\n", "line 2: '\u0661.\u0662' is not a rate"),
        ("currency,valid_from,rate\nJPY,2026-11-01,999999999.5\n", "line 2: 999999999.5 is not a plausible rate"),
        ("currency,valid_from,rate\nJPY,2026-11-01,0.0000000001\n", "line 2: 0.0000000001 is not a plausible rate"),
        ("currency,valid_from,rate\nJPY,20261101,0.0061\n", "line 2: '20261101' is not a date"),
        ("currency,valid_from,rate\nJPY,2026-W46-1,0.0061\n", "line 2: '2026-W46-1' is not a date"),
        ("currency,valid_from,rate\nJPY,2026-02-30,0.0061\n", "line 2: '2026-02-30' is not a date"),
        ("currency,valid_from,rate\nJPY,0001-01-01,0.0061\n", "line 2: 0001-01-01 is not a day a rate can start on"),
        ("currency,valid_from,rate\nDEM,2026-11-01,1.9\n", "line 2: DEM is no longer a currency"),
        ('currency,valid_from,rate\nJPY,2026-11-01,"0.0061\n', "line 2: not CSV SalesDesk can read"),
        ("currency,valid_from,rate\nJPY,2026-11-01,1.0000000000001\n", "line 2: A rate has at most 12 digits"),
        ("currency,valid_from,rate\nJPY,2026-11-01,nan\n", "line 2: 'nan' is not a rate"),
        ("currency,valid_from,rate\nJPY,2026-11-01,0.000\n", "line 2: A rate is a number above zero"),
        ("currency,valid_from,rate\nJPY,2026-11-01\n", "line 2: three values are needed"),
        ("day,currency,rate\n", "starts with the line currency,valid_from,rate"),
    ]
    for content, message in bad:
        with pytest.raises(ValidationError, match=message), mixed.transaction() as s:
            currencies.import_rates_csv(s, content)
    with mixed.session() as s:
        assert currencies.rates_csv(s) == exported  # nothing of a refused file was kept
    with mixed.transaction() as s:
        currencies.undo_import(s, kept)
        assert [r["currency"] for r in currencies.list_rates(s)] == ["USD"]
    # Old Mac line ends, a byte order mark, spaces: the same rates; a tiny rate in plain digits
    with mixed.transaction() as s:
        kept = currencies.import_rates_csv(s, "\ufeffcurrency,valid_from,rate\r usd ,2026-11-01, 0.95 \r"
                                              "JPY,2026-11-01,0.0000000012345\r")
        assert [(c.currency, c.before) for c in kept] == [("USD", None), ("JPY", None)]
        assert "JPY,2026-11-01,0.0000000012345" in currencies.rates_csv(s)


def test_the_rates_command_sets_lists_imports_and_exports(mixed, tmp_path, capsys):
    database = str(mixed.path)
    mixed.close()
    assert main(["--db", database, "rates", "set", "gbp", "1.15", "--from", "2026-11-01"]) == 0
    assert "Kept 1 GBP = 1.15 EUR from 2026-11-01" in capsys.readouterr().out
    (tmp_path / "rates.csv").write_text("currency,valid_from,rate\nCHF,2026-11-01,1.07\nXYZ,2026-11-01,2\n")
    assert main(["--db", database, "rates", "import", str(tmp_path / "rates.csv")]) == 1
    assert "line 3: 'XYZ' is not a currency code" in capsys.readouterr().err
    assert main(["--db", database, "rates", "import", database]) == 1
    assert "is a database, not a rates file" in capsys.readouterr().err
    assert main(["--db", database, "rates", "export", str(tmp_path / "out.csv")]) == 0
    assert (tmp_path / "out.csv").read_text() == (f"currency,valid_from,rate\nGBP,2026-11-01,1.15\n"
                                                  f"USD,2020-01-01,{USD_RATE}\n")
    assert main(["--db", database, "rates", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["GBP  from 2026-11-01  1 GBP = 1.15 EUR",
                                                        f"USD  from 2020-01-01  1 USD = {USD_RATE} EUR"]


def test_importing_deals_in_a_currency_without_a_rate_says_they_are_left_out(db, tmp_path):
    from salesdesk.transfer.importer import guess_mapping, import_file

    load_demo(db, seed=4, deals=20)
    with db.read() as r:
        owner = r.scalar("SELECT email FROM people WHERE email IS NOT NULL ORDER BY id")
    source = tmp_path / "deals.csv"
    source.write_text(f"title,owner,stage,amount,currency\nBig one,{owner},Contact,1000,GBP\nSmall one,{owner},Contact,10,EUR\n")
    result = import_file(db, source, guess_mapping(source, "deals"), dry_run=True)
    assert any("1 deal is in GBP" in w and "left out of totals" in w for w in result.warnings), result.warnings


def test_the_crm_data_set_in_an_empty_database_says_the_company_now_counts_in_dollars(tmp_path):
    from salesdesk.db.migrate import open_database
    from salesdesk.transfer.presets.crm_sales_opportunities import (
        import_crm_sales_opportunities,
    )
    from tests.test_crm_dataset import DATA

    database = open_database(tmp_path / "crm.sqlite3")
    try:
        result = import_crm_sales_opportunities(database, DATA, dry_run=True)
        assert any("company's currency becomes USD" in w for w in result.warnings), result.warnings
    finally:
        database.close()


def test_the_targets_screen_names_what_it_left_out(mixed):
    quarter = Period.containing(PeriodKind.QUARTER, CLOCK.today())
    with mixed.read() as r:
        top = r.scalar("SELECT id FROM people WHERE manager_id IS NULL ORDER BY id")
        note = left_out(r, top, quarter)
    won = rows(mixed, "SELECT count(*), sum(amount) FROM deals WHERE status = 'won' AND currency = 'GBP' "
               "AND won_on >= :a AND won_on < :b", a=quarter.start.isoformat(), b=quarter.end.isoformat())[0]
    open_gbp = rows(mixed, "SELECT count(*) FROM deals WHERE status = 'open' AND currency = 'GBP' "
                    "AND expected_close >= :a AND expected_close < :b",
                    a=quarter.start.isoformat(), b=quarter.end.isoformat())[0][0]
    assert won[0] or open_gbp, "the demo has pound deals in the quarter"
    assert note.startswith(f"Not counted, for want of an exchange rate to EUR on {CLOCK.today().isoformat()}: ")
    if won[0]:
        assert f"{won[0]:,d} won deal{'s' if won[0] != 1 else ''} in GBP ({Decimal(won[1]) / 100:,.2f} GBP)" in note
    assert (f"open deal{'s' if open_gbp != 1 else ''} in GBP expected to close in the period" in note) == bool(open_gbp)
    with mixed.transaction() as s:
        currencies.set_rate(s, "GBP", dt.date(2020, 1, 1), "1.15")
    with mixed.read() as r:
        assert left_out(r, top, quarter) == ""


def test_undoing_a_rate_after_the_company_currency_changed_undoes_that_rate(mixed):
    """Undo steps can be replayed in another order than they were made: a rate's undo
    acts on the currency it was quoted in, not on whatever the company counts in now."""
    with mixed.transaction() as s:
        kept = currencies.set_rate(s, "CHF", dt.date(2026, 11, 1), "1.05")
        currencies.set_company_currency(s, "USD")
    with mixed.transaction() as s:
        currencies.restore_rate(s, kept)
        currencies.set_company_currency(s, "EUR")
    with mixed.read() as r:
        assert RateBook.load(r).rate_on("CHF", CLOCK.today()) is None
        assert r.scalar("SELECT count(*) FROM exchange_rates WHERE currency = 'CHF'") == 0


def test_a_long_rates_file_imports_in_one_statement_and_undoes_whole(mixed):
    lines = ["currency,valid_from,rate"]
    day = dt.date(2000, 1, 1)
    for n in range(20_000):
        lines.append(f"{('CHF', 'GBP', 'JPY', 'SEK')[n % 4]},{(day + dt.timedelta(days=n // 4)).isoformat()},"
                     f"1.{n % 1000:03d}1")
    with mixed.transaction() as s:
        kept = currencies.import_rates_csv(s, "\n".join(lines))
    assert len(kept) == 20_000
    with mixed.read() as r:
        assert r.scalar("SELECT count(*) FROM exchange_rates") == 20_001
        book = RateBook.load(r, dt.date(2000, 1, 3))  # the rate in force that day, per currency
        assert book.rate_on("CHF", dt.date(2000, 1, 3)).rate == Decimal("1.0081")
        assert r.scalar("SELECT count(*) FROM audit_log WHERE action = 'import_rates'") == 1
    with mixed.transaction() as s:
        currencies.undo_import(s, kept)
    with mixed.read() as r:
        assert r.scalar("SELECT count(*) FROM exchange_rates") == 1
