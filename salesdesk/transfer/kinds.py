"""What can be imported and exported: the kinds of record and their fields.

A field has a name (the header our export writes and the key of a saved mapping), a
label for the wizard, a type, and other headers that mean the same thing in files from
other tools ("Deal Name", "Opportunity", "Close Value"), from which the column mapping
is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # text, email, date, datetime, money, currency, int, percent, bool, ref
    required: bool = False
    max_length: int = 200
    aliases: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Kind:
    name: str  # people, accounts, ...
    label: str
    fields: tuple[Field, ...]
    keys: tuple[str, ...]  # fields that find an existing record, in order of preference
    value_mapped: tuple[str, ...] = ()  # fields whose values the wizard can map (stages, owners)
    read_as_amounts: tuple[str, ...] = ()  # text fields its planner reads as amounts (a target's value)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def amount_fields(self) -> tuple[str, ...]:
        """The fields read as amounts of money: the decimal mark and rounding apply to them."""
        return tuple(f.name for f in self.fields if f.type == "money" or f.name in self.read_as_amounts)

    @property
    def date_fields(self) -> tuple[str, ...]:
        """The fields read as dates or moments: those that may hold spreadsheet serial numbers."""
        return tuple(f.name for f in self.fields if f.type in ("date", "datetime"))

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _f(name, label, type_="text", *aliases, required=False, max_length=200, help=""):
    return Field(name, label, type_, required, max_length, tuple(aliases), help)


PEOPLE = Kind("people", "People", (
    _f("name", "Name", "text", "full name", "person", "sales agent", "agent", "employee", "salesperson",
       required=True, max_length=160),
    _f("email", "Email", "email", "e-mail", "mail", "email address"),
    _f("phone", "Phone", "text", "telephone", "mobile", "phone number", max_length=40),
    _f("hire_date", "Hire date", "date", "hired", "start date", "hired on"),
    _f("role", "Role", "ref", "title", "job title", "position", "rank", max_length=80,
       help="a role of the ladder, such as Salesperson; Salesperson when empty"),
    _f("manager", "Manager", "ref", "reports to", "manager email", "supervisor", "boss", max_length=254,
       help="the manager's email, external id or name"),
    _f("branch", "Branch", "ref", "office", "regional office", "region", "territory", "location", max_length=120,
       help="created when it does not exist; the manager's when empty"),
    _f("active", "Active", "bool", "enabled", "status"),
    _f("external_id", "External id", "text", "id", "person id", "employee id", max_length=120),
), keys=("external_id", "email"), value_mapped=("role", "branch"))

ACCOUNTS = Kind("accounts", "Accounts", (
    _f("name", "Name", "text", "account", "account name", "company", "customer", "organisation", "organization",
       required=True),
    _f("sector", "Sector", "text", "industry", "segment", max_length=120),
    _f("website", "Website", "text", "web", "url", "homepage"),
    _f("phone", "Phone", "text", "telephone", max_length=40),
    _f("city", "City", "text", "town", max_length=120),
    _f("country", "Country", "text", "office location", "office_location", "nation", max_length=120),
    _f("employees", "Employees", "int", "employee count", "headcount", "staff", "size"),
    _f("owner", "Owner", "ref", "account owner", "sales agent", "salesperson", max_length=254),
    _f("external_id", "External id", "text", "id", "account id", max_length=120),
), keys=("external_id", "name"), value_mapped=("owner",))

CONTACTS = Kind("contacts", "Contacts", (
    _f("account", "Account", "ref", "account name", "company", "customer", "organisation", required=True),
    _f("name", "Name", "text", "contact", "contact name", "full name", "person", required=True, max_length=160),
    _f("title", "Title", "text", "job title", "position", "role", max_length=120),
    _f("email", "Email", "email", "e-mail", "mail", "email address"),
    _f("phone", "Phone", "text", "telephone", "mobile", max_length=40),
), keys=("email",))

PRODUCTS = Kind("products", "Products", (
    _f("name", "Name", "text", "product", "product name", "item", required=True, max_length=160),
    _f("code", "Code", "text", "sku", "product code", "article", "item code", max_length=60),
    _f("series", "Series", "text", "product line", "family", "category", "group", max_length=120),
    _f("price", "Price", "money", "sales price", "sales_price", "list price", "unit price", "amount"),
    _f("currency", "Currency", "currency", "curr", max_length=3),
    _f("active", "Active", "bool", "enabled", "available"),
), keys=("code", "name"))

DEALS = Kind("deals", "Deals", (
    _f("title", "Title", "text", "deal", "deal name", "name", "opportunity", "opportunity name", "subject",
       required=True),
    _f("owner", "Owner", "ref", "sales agent", "salesperson", "deal owner", "agent", "rep", "assigned to",
       required=True, max_length=254, help="the owner's email, external id or name"),
    _f("account", "Account", "ref", "account name", "company", "customer", "organisation", "client"),
    _f("contact", "Contact", "ref", "contact name", "contact email", "contact person", max_length=254),
    _f("pipeline", "Pipeline", "ref", max_length=120, help="the first pipeline when empty"),
    _f("stage", "Stage", "ref", "deal stage", "deal_stage", "sales stage", "phase", "step", required=True,
       max_length=120, help="a stage of the pipeline; map other words (Prospecting, Won, Lost) in the wizard"),
    _f("status", "Status", "text", "outcome", "result", "state", max_length=8,
       help="open, won or lost; from the stage when empty"),
    _f("amount", "Amount", "money", "value", "deal value", "close value", "close_value", "revenue", "price"),
    _f("currency", "Currency", "currency", "curr", max_length=3),
    _f("probability", "Probability", "percent", "win probability", "chance", "probability %"),
    _f("expected_close", "Expected close", "date", "close", "close date", "close_date", "closing date", "expected close date"),
    _f("won_on", "Won on", "date", "won date", "date won"),
    _f("lost_on", "Lost on", "date", "lost date", "date lost"),
    _f("lost_reason", "Lost reason", "ref", "reason", "loss reason", "reason lost", max_length=160),
    _f("lost_note", "Lost note", "text", "loss note", max_length=2000),
    _f("product", "Product", "ref", "product name", "item", "sku", max_length=160,
       help="a product of the catalogue (name or code): the deal gets a line for it"),
    _f("created_at", "Created", "datetime", "created", "created on", "engage date", "engage_date", "open date",
       "date created", "start date"),
    _f("notes", "Notes", "text", "description", "comment", "comments", max_length=20000),
    _f("external_id", "External id", "text", "id", "deal id", "opportunity id", "opportunity_id", max_length=120),
), keys=("external_id",), value_mapped=("stage", "owner", "lost_reason"))

TARGETS = Kind("targets", "Targets", (
    _f("person", "Person", "ref", "owner", "sales agent", "salesperson", "email", "name", required=True,
       max_length=254, help="the person's email, external id or name"),
    _f("period", "Period", "text", "period kind", "period type", "interval", max_length=8,
       help="week, month, quarter or year; from the period start when that is 2026-W48, 2026-03, 2026-Q1 or 2026"),
    _f("period_start", "Period start", "text", "start", "from", "period start date", "week", "month", required=True,
       max_length=20),
    _f("metric", "Metric", "text", "measure", "kpi", max_length=16,
       help="won_revenue (default), won_deals, new_deals or activities"),
    _f("value", "Value", "text", "target", "amount", "goal", "quota", required=True, max_length=30),
), keys=(), read_as_amounts=("value",))

KINDS: dict[str, Kind] = {k.name: k for k in (PEOPLE, ACCOUNTS, CONTACTS, PRODUCTS, DEALS, TARGETS)}
# The order in which kinds depend on one another (deals need people, accounts, products).
IMPORT_ORDER = ("people", "accounts", "contacts", "products", "deals", "targets")


def kind(name: str) -> Kind:
    try:
        return KINDS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"{name!r} is not something SalesDesk imports; choose one of {', '.join(KINDS)}") from None


def normalise_header(header: str) -> str:
    return re.sub(r"[^a-z0-9%]+", " ", header.lower()).strip()


def guess_columns(kind_: Kind, headers: list[str]) -> dict[str, str]:
    """{header: field name} for the headers that name a field or one of its aliases.

    Exact field names win over labels, labels over aliases; each field is taken once.
    """
    taken: set[str] = set()
    found: dict[str, str] = {}
    for pass_ in (0, 1, 2):
        for header in headers:
            if header in found or not header.strip():
                continue
            norm = normalise_header(header)
            for f in kind_.fields:
                if f.name in taken:
                    continue
                names = ((f.name.replace("_", " "),), (normalise_header(f.label),),
                         tuple(normalise_header(a) for a in f.aliases))[pass_]
                if norm in names:
                    found[header] = f.name
                    taken.add(f.name)
                    break
    # The same header again in other letters or spacing ("name", "NAME ") is the same
    # column twice: mapped alike, so that the import refuses it rather than ignoring one.
    by_norm = {normalise_header(h): name for h, name in found.items()}
    for header in headers:
        if header not in found and header.strip() and normalise_header(header) in by_norm:
            found[header] = by_norm[normalise_header(header)]
    return found
