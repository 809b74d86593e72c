"""A realistic demo company in an empty database: people, customers, a year of deals.

``load_demo`` fills a freshly opened database with "Northwind Trading": fifty people in
five branches under one VP, a few hundred customers with contacts, twenty products,
and ``deals`` deals created over the last twelve months that moved through the stages
week by week (every move in the stage history), ending open, won or lost.  Around the
deals: activities (done, due today, overdue, planned), monthly and quarterly targets
pitched against what people actually win, eight weeks of "My week" notes, branch
budgets and expenses.

What it promises:
- deterministic: one ``random.Random(seed)``, no set iteration, every timestamp
  derived from ``today`` (never the clock), so the same seed and day give the same
  rows, value for value (the audit row names the login that loaded it);
- all or nothing: one transaction, refused when the database already holds data;
- valid: the hierarchy rules, foreign keys, check constraints and a consistent stage
  history (first row from nothing, each ``from`` the previous ``to``, the last ``to``
  the deal's stage; won on the day of the move into the won stage; a lost deal stays
  in the stage it was lost in);
- the recent weeks always have content (new deals, moves, wins, losses), so the weekly
  report of the last full week and of this week is never empty;
- fast: every row is a plain tuple computed in Python, written through ``db.bulk`` on
  SQLite; 100k deals take a few seconds.

The parts:
- ``tables``: the fixed data (branches, names, countries, sectors, products, the words
  around deals);
- ``year``: the simulation of the company's year, as row tuples;
- ``writer``: the columns of each table and the writer of the rows;
- ``loading``: the transaction that checks, simulates, writes and sums up.
"""

from salesdesk.services.demo.loading import REFUSAL, DemoSummary, is_empty, load_demo
from salesdesk.services.demo.tables import COMPANY, CURRENCY

__all__ = ["COMPANY", "CURRENCY", "REFUSAL", "DemoSummary", "is_empty", "load_demo"]
