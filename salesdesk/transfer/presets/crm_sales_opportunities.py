"""The public "CRM Sales Opportunities" data set (Maven Analytics), imported whole.

A folder with four files: ``sales_teams.csv`` (agent, manager, regional office),
``accounts.csv``, ``products.csv`` and ``sales_pipeline.csv`` (8,800 opportunities).
What becomes of them:

- offices -> branches; managers -> Sales Managers of their office, under a "Head of
  Sales" (the data set names none: under the organisation's top when there is one);
  agents -> Salespeople under their manager;
- accounts with sector, employees and country (``office_location``); products with
  series and price; amounts in US dollars, as the data set's;
- opportunities -> deals (external id = opportunity id) with owner, account, a line
  for the product, stage, dates and value: Prospecting -> Contact, Engaging ->
  Qualification, Won -> Deal (won on the close date, for the close value), Lost ->
  lost in Qualification (reason "Other": the data set records none) on the close date;
  stage history from the engage date (and the close date for won deals).  Deals not
  won carry their product's list price as amount (their close value is empty or 0).

Its dirt is reported in the result's notes, not hidden: a product spelled "GTXPro"
(read as the catalogue's "GTX Pro"), misspelt sectors ("technolgy" -> "technology"),
opportunities without an account (imported without one), Prospecting opportunities
without any date (created on the data set's last day), agents without opportunities.

Everything happens in one import: all or nothing, re-runnable (existing records are
found by their external ids and skipped, or updated).  Records the database had before,
from the wizard or by hand, are found by name (``clean``: case, spacing and Unicode forms
aside): an account of accounts.csv imported first, an agent, a product, never made twice.
A person is found by name only when one active person has it (names repeat).
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections import Counter
from pathlib import Path

from salesdesk.db.engine import Database
from salesdesk.transfer import values as parse
from salesdesk.transfer.context import Context, squeeze
from salesdesk.transfer.importer import ImportResult, records, run_import
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.plan import Plan
from salesdesk.transfer.planners.accounts import AccountsPlanner
from salesdesk.transfer.planners.deals import DealsPlanner
from salesdesk.transfer.planners.people import PeoplePlanner
from salesdesk.transfer.planners.products import ProductsPlanner
from salesdesk.transfer.problems import ImportRefused, Problem
from salesdesk.transfer.reading import open_sheet

NAME = "crm-sales-opportunities"
TITLE = "CRM Sales Opportunities"
FILES = ("sales_teams.csv", "accounts.csv", "products.csv", "sales_pipeline.csv")
PREFIX = "crm-so:"  # external ids of what this data set creates
HEAD = PREFIX + "head-of-sales"
CURRENCY = "USD"

STAGES = {"Prospecting": "Contact", "Engaging": "Qualification", "Won": "Deal", "Lost": "lost:Qualification"}
VIA_STAGE = "Qualification"  # a won deal went through it between its engage and close dates
MANAGER_ROLE, AGENT_ROLE = "Sales Manager", "Salesperson"
SECTORS = ("technology", "medical", "retail", "software", "marketing", "finance", "entertainment",
           "telecommunications", "employment", "services", "manufacturing", "healthcare", "education", "energy",
           "logistics", "construction", "consulting", "insurance", "media", "transport")
ENGAGED_AT, CLOSED_AT = dt.time(9), dt.time(17)


def agent_id(name: str) -> str:
    return f"{PREFIX}agent:{name.strip()}"


def manager_id(name: str) -> str:
    return f"{PREFIX}manager:{name.strip()}"


def clean(name: str) -> str:
    """A name as it is compared with the database's: "acme  CORPORATION" is "Acme Corporation"."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def import_crm_sales_opportunities(db: Database, folder: str | Path, *, dry_run: bool = False,
                                   duplicates: str = "skip", backup: bool = True) -> ImportResult:
    folder = Path(folder).expanduser()
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ImportRefused([Problem(0, "", f"{folder}: {name} is missing; the {TITLE} data set has "
                                            f"{', '.join(FILES)}") for name in missing])
    return run_import(db, NAME, f"the {TITLE} data set in {folder}",
                      lambda ctx, plan: _plan(ctx, plan, folder, duplicates), dry_run=dry_run, backup=backup)


def _plan(ctx: Context, plan: Plan, folder: Path, duplicates: str) -> None:
    agents = _people(ctx, plan, folder / "sales_teams.csv", duplicates)
    accounts = _accounts(ctx, plan, folder / "accounts.csv", duplicates)
    _products(ctx, plan, folder / "products.csv", duplicates)
    _deals(ctx, plan, folder / "sales_pipeline.csv", duplicates, agents, accounts)
    had_deals = ctx.rows("SELECT 1 FROM deals LIMIT 1")
    if not had_deals and ctx.currency != CURRENCY:
        # A database of this data set alone shows its dollars as dollars, and says so
        # before anything is written (the preview) and after (the summary).
        plan.settings["currency"] = CURRENCY
        plan.warn(f"the company's currency becomes {CURRENCY}, the data set's, instead of {ctx.currency}: the "
                  f"database has no deals yet (Edit > Company currency… changes it back, as one undo step)")
    # Deals in dollars in a company of another currency: the importer's warning about
    # currencies without a rate covers them.


def _need(plan: Plan, sheet, headers: tuple[str, ...]) -> bool:
    absent = [h for h in headers if h not in sheet.headers]
    for header in absent:
        plan.problem(sheet.header_row, header, f"the column {header!r} is missing")
    return not absent


def _people(ctx: Context, plan: Plan, path: Path, duplicates: str) -> dict[str, str]:
    """The people of sales_teams.csv; returns each agent's name -> the external id that finds them."""
    plan.file = path.name
    planner = PeoplePlanner(ctx, plan, Mapping("people", duplicates=duplicates,
                                               values={"role": {}, "branch": {}}))
    columns = {"name": "sales_agent", "manager": "manager", "branch": "regional_office"}
    agents: dict[str, str] = {}
    with open_sheet(path) as sheet:
        if not _need(plan, sheet, ("sales_agent", "manager", "regional_office")):
            return agents
        teams = []
        for number, cells in sheet.rows:
            row = dict(zip(sheet.headers, (parse.as_text(c).strip() if c is not None else "" for c in cells)))
            if not any(row.values()):
                continue
            plan.rows_read += 1
            for header in ("sales_agent", "manager"):
                if not row.get(header):
                    plan.problem(number, header, "is empty")
            if row.get("sales_agent") and row.get("manager"):
                teams.append((number, row["sales_agent"], row["manager"], row.get("regional_office", "")))
    known = _people_by_name(ctx)
    ambiguous: set[str] = set()

    def ref(name: str, ours: str) -> str:
        return _known_as(ctx, name, ours, known, ambiguous)

    # The head of sales: the top of the organisation, or under the one already there.
    had_head = ctx.person_by("external_id", HEAD) is not None
    tops = [t for t in ctx.top_people() if ctx.people[t].external_id != HEAD]
    head = {"name": "Head of Sales", "external_id": HEAD, "role": "VP Sales"}
    if tops:
        head.update(role="Director of Sales", manager=f"#{tops[0]}")
    planner.row(0, head, {})
    managers: dict[str, str] = {}
    for number, agent, manager, office in teams:
        if manager not in managers:
            managers[manager] = ref(manager, manager_id(manager))
            values = {"name": manager, "role": MANAGER_ROLE, "manager": HEAD, "external_id": managers[manager]}
            if office:
                values["branch"] = office
            planner.row(number, values, {**columns, "name": "manager"})
        agents[agent] = ref(agent, agent_id(agent))
        values = {"name": agent, "role": AGENT_ROLE, "manager": managers[manager], "external_id": agents[agent]}
        if office:
            values["branch"] = office
        planner.row(number, values, columns)
    planner.finish()
    for name in sorted(ambiguous):
        plan.warn(f"{len(known[clean(name)])} people are called {name} already: the data set's {name} is another, "
                  "new person")
    if not had_head:
        plan.warn("the data set names no head of sales: the managers report to a new “Head of Sales”"
                  + (f" under {ctx.people[tops[0]].name}" if tops else ""))
    return agents


def _people_by_name(ctx: Context) -> dict[str, list]:
    """The active people the database has, by cleaned name."""
    known: dict[str, list] = {}
    for person in ctx.people.values():
        if person.active:
            known.setdefault(clean(person.name), []).append(person)
    return known


def _known_as(ctx: Context, name: str, ours: str, known: dict[str, list], ambiguous: set[str]) -> str:
    """The external id that finds the data set's ``name``: ours, or that of the one active
    person the database has by this name (who gets ours when they have none)."""
    if ctx.person_by("external_id", ours) is not None:
        return ours
    found = known.get(clean(name), [])
    if len(found) > 1:
        ambiguous.add(name)
    if len(found) != 1:
        return ours
    if found[0].external_id:
        return found[0].external_id
    ctx.adopt_person(found[0].id, ours)
    return ours


def _fix_sector(word: str) -> str:
    lower = word.strip().lower()
    if lower in SECTORS:
        return word
    near = difflib.get_close_matches(lower, SECTORS, n=1, cutoff=0.85)
    return near[0] if near else word


def _accounts(ctx: Context, plan: Plan, path: Path, duplicates: str) -> dict[str, str]:
    """The accounts of accounts.csv; returns each one's cleaned name -> the external id
    that finds it (ours, or that of the account the database had by this name)."""
    plan.file = path.name
    refs: dict[str, str] = {}
    known: dict[str, tuple[int, str | None]] = {}
    for aid, name, ext in ctx.rows("SELECT id, name, external_id FROM accounts ORDER BY id"):
        known.setdefault(clean(name), (aid, ext))
    mapping = Mapping("accounts", {"account": "name", "sector": "sector", "employees": "employees",
                                   "office_location": "country"}, duplicates=duplicates)
    planner = AccountsPlanner(ctx, plan, mapping)
    fixed: Counter = Counter()
    with open_sheet(path) as sheet:
        if not _need(plan, sheet, ("account",)):
            return refs
        for number, values, columns in records(sheet, mapping, plan):
            given = values.get("sector")
            if given:
                values["sector"] = _fix_sector(given)
            if "name" in values:
                values["external_id"] = _account_ref(ctx, values["name"], known)
                refs.setdefault(clean(values["name"]), values["external_id"])
            skipped = plan.skipped[planner.kind]
            planner.row(number, values, columns)
            if given != values.get("sector") and plan.skipped[planner.kind] == skipped:  # said where it was written
                fixed[(given, values["sector"])] += 1
        ignored = [h for h in sheet.headers if h and h not in mapping.columns]
    planner.finish()
    for (word, sector), count in sorted(fixed.items()):
        plan.warn(f"sector {word!r} read as {sector!r} ({count} accounts)")
    if ignored:
        plan.warn(f"accounts.csv: {', '.join(ignored)} not imported (SalesDesk accounts have no such fields)")
    return refs


def _account_ref(ctx: Context, name: str, known: dict[str, tuple[int, str | None]]) -> str:
    ours = f"{PREFIX}account:{name}"
    if ours in ctx.accounts["external_id"] or clean(name) not in known:
        return ours
    aid, ext = known[clean(name)]
    if ext:
        return ext
    ctx.adopt_account(aid, ours)
    return ours


def _products(ctx: Context, plan: Plan, path: Path, duplicates: str) -> None:
    plan.file = path.name
    mapping = Mapping("products", {"product": "name", "series": "series", "sales_price": "price"},
                      duplicates=duplicates)
    planner = ProductsPlanner(ctx, plan, mapping)
    known: dict[str, str] = {}  # cleaned name -> the catalogue's spelling
    for _pid, name in ctx.rows("SELECT id, name FROM products ORDER BY id"):
        known.setdefault(clean(name), name)
    with open_sheet(path) as sheet:
        if not _need(plan, sheet, ("product", "sales_price")):
            return
        for number, values, columns in records(sheet, mapping, plan):
            values["currency"] = CURRENCY
            if "name" in values:  # the catalogue's spelling finds its product
                values["name"] = known.get(clean(values["name"]), values["name"])
            planner.row(number, values, columns)
    planner.finish()


def _deals(ctx: Context, plan: Plan, path: Path, duplicates: str, agents: dict[str, str],
           accounts: dict[str, str]) -> None:
    plan.file = path.name
    headers = ("opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
               "close_value")
    mapping = Mapping("deals", {"opportunity_id": "external_id", "sales_agent": "owner", "product": "product",
                                "account": "account", "deal_stage": "stage", "engage_date": "created_at",
                                "close_date": "expected_close", "close_value": "amount"},
                      values={"stage": STAGES, "owner": agents}, duplicates=duplicates)
    planner = DealsPlanner(ctx, plan, mapping, via_stage=VIA_STAGE, price_when_no_amount=True)
    last_day = _last_day(path)
    undated = 0
    deals_of: Counter = Counter()
    with open_sheet(path) as sheet:
        if not _need(plan, sheet, headers):
            return
        for number, values, columns in records(sheet, mapping, plan, required=False):
            stage = values.get("stage", "")
            values["currency"] = CURRENCY
            close = values.pop("expected_close", None)
            if stage == "Won":
                values["won_on"] = close
            elif stage == "Lost":
                values["lost_on"] = close
                values["lost_reason"] = "Other"
                values["lost_note"] = f"No reason recorded in the {TITLE} data set"
            if stage != "Won":
                values.pop("amount", None)  # 0 or empty: the product's list price stands in
            if "created_at" in values:
                values["created_at"] = dt.datetime.combine(values["created_at"].date(), ENGAGED_AT)
            elif last_day is not None:
                values["created_at"] = dt.datetime.combine(last_day, ENGAGED_AT)
                undated += 1
            product = values.get("product", "?")
            hit = ctx.products["squeezed"].get(squeeze(product))
            product_name = hit[2] if hit else product
            account = values.get("account")
            values["title"] = f"{product_name} for {account}" if account else \
                f"{product_name} ({values.get('external_id', number)})"
            if account:
                values["account"] = accounts.get(clean(account), account)
            deals_of[values.get("owner")] += 1
            planner.row(number, values, columns)
    planner.finish()
    if undated:
        assert last_day is not None  # only a known last day dates them
        plan.warn(f"{undated:,} opportunities have no dates (all Prospecting): created on "
                  f"{last_day.isoformat()}, the data set's last day")
    idle = sorted(a for a in agents if not deals_of[a])
    if idle:
        plan.warn(f"{len(idle)} sales agents have no opportunities: {', '.join(idle)}")
    if plan.created["deals"]:
        plan.warn("lost opportunities record no reason: lost with the reason “Other”")


def _last_day(path: Path) -> dt.date | None:
    """The latest engage or close date in the pipeline (a first, quick pass)."""
    last = None
    with open_sheet(path) as sheet:
        where = [sheet.headers.index(h) for h in ("engage_date", "close_date") if h in sheet.headers]
        for _number, cells in sheet.rows:
            for i in where:
                if i < len(cells) and cells[i]:
                    try:
                        day = parse.date(cells[i])
                    except (ValueError, TypeError):
                        continue
                    if last is None or day > last:
                        last = day
    return last
