"""What the database holds, as an import needs to look it up, and what the import adds.

Read once at the start of an import, inside its transaction, with plain SQL; every row
the import plans to create is registered here with the id it will get, so a deal can
name an account or owner created by the same import (the CRM data set does).  Ids are
given out by us (the table's highest id plus one and up), which lets the rows go to the
database in bulk, in an order that satisfies the foreign keys.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TypedDict

from sqlalchemy import text
from sqlalchemy.orm import Session

from salesdesk.clock import CLOCK
from salesdesk.domain.defaults import DEFAULT_CURRENCY
from salesdesk.transfer.plan import UNIQUE, Claim, Plan

TABLES = ("branches", "people", "accounts", "contacts", "products", "deals", "deal_lines", "stage_changes",
          "targets", "lost_reasons")


class ProductIndex(TypedDict):
    """The catalogue as an import finds a product: by code, by name (folded), or by its
    squeezed name (a near spelling), which keeps the name to say what it was taken for."""

    code: dict[str, tuple[int, int]]
    name: dict[str, tuple[int, int]]
    squeezed: dict[str, tuple[int, int, str]]


@dataclass
class PersonInfo:
    id: int
    name: str
    email: str | None
    external_id: str | None
    role_id: int
    manager_id: int | None
    branch_id: int | None
    active: bool


@dataclass(frozen=True)
class StageInfo:
    id: int
    name: str
    pipeline_id: int
    position: int
    is_won: bool


def squeeze(word: str) -> str:
    """A name without case, spaces or punctuation: "GTXPro" and "GTX Pro" squeeze alike."""
    return re.sub(r"[\W_]+", "", word.casefold())


class Context:
    """Lookups by the words a file uses (emails, external ids, names) -> ids."""

    def __init__(self, session: Session):
        self.session = session
        self.connection = session.connection()
        self.now = CLOCK.utc_naive()

    def rows(self, sql: str, **params) -> list[tuple]:
        return [tuple(r) for r in self.connection.execute(text(sql), params)]

    @cached_property
    def next_ids(self) -> dict[str, int]:
        return {t: (self.rows(f"SELECT max(id) FROM {t}")[0][0] or 0) + 1 for t in TABLES}

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    # --- settings and reference data ------------------------------------------------------

    @cached_property
    def currency(self) -> str:
        row = self.rows("SELECT value FROM settings WHERE key = 'currency'")
        return row[0][0] if row and row[0][0] else DEFAULT_CURRENCY

    @cached_property
    def roles(self) -> dict[str, tuple[int, int, str]]:
        """lower name -> (id, rank, name)."""
        return {name.casefold(): (rid, rank, name) for rid, name, rank in self.rows("SELECT id, name, rank FROM roles")}

    @cached_property
    def role_rank(self) -> dict[int, tuple[int, str]]:
        return {rid: (rank, name) for rid, rank, name in self.roles.values()}

    @cached_property
    def junior_role(self) -> int | None:
        return max(self.roles.values(), key=lambda r: r[1])[0] if self.roles else None

    @cached_property
    def branches(self) -> dict[str, int]:
        return {name.casefold(): bid for bid, name in self.rows("SELECT id, name FROM branches")}

    @cached_property
    def pipelines(self) -> dict[str, int]:
        return {name.casefold(): pid for pid, name in self.rows("SELECT id, name FROM pipelines ORDER BY position, id")}

    @cached_property
    def first_pipeline(self) -> int | None:
        return next(iter(self.pipelines.values()), None)

    @cached_property
    def stages(self) -> dict[int, dict[str, StageInfo]]:
        """pipeline id -> lower name -> stage, in column order."""
        out: dict[int, dict[str, StageInfo]] = defaultdict(dict)
        for sid, name, pid, position, won in self.rows(
                "SELECT id, name, pipeline_id, position, is_won FROM stages ORDER BY pipeline_id, position, id"):
            out[pid][name.casefold()] = StageInfo(sid, name, pid, position, bool(won))
        return out

    @cached_property
    def lost_reasons(self) -> dict[str, int]:
        return {name.casefold(): rid for rid, name in self.rows("SELECT id, name FROM lost_reasons")}

    @cached_property
    def stage_positions(self) -> dict[int, float]:
        """stage id -> the last position used in its column."""
        return {sid: float(pos) for sid, pos in self.rows("SELECT stage_id, max(position) FROM deals GROUP BY stage_id")}

    # --- people ---------------------------------------------------------------------------

    @cached_property
    def people(self) -> dict[int, PersonInfo]:
        out = {}
        for pid, name, email, ext, role_id, manager_id, branch_id, active in self.rows(
                "SELECT id, name, email, external_id, role_id, manager_id, branch_id, active FROM people"):
            out[pid] = PersonInfo(pid, name, email, ext, role_id, manager_id, branch_id, bool(active))
        for person in out.values():
            self._index_person(person)
        return out

    @cached_property
    def _people_by(self) -> dict[str, dict[str, list[int]]]:
        return {"email": defaultdict(list), "external_id": defaultdict(list), "name": defaultdict(list)}

    def _index_person(self, person: PersonInfo) -> None:
        by = self._people_by
        if person.email:
            by["email"][person.email.casefold()].append(person.id)
        if person.external_id:
            by["external_id"][person.external_id].append(person.id)
        by["name"][person.name.casefold()].append(person.id)

    def add_person(self, person: PersonInfo) -> None:
        self.people[person.id] = person
        self._index_person(person)

    def adopt_person(self, pid: int, external_id: str) -> None:
        """Let ``external_id`` find a person this import matched otherwise (by name): its
        rows then skip or update that person, and an update writes the id."""
        self.people  # noqa: B018
        self._people_by["external_id"][external_id].insert(0, pid)

    def person_by(self, key: str, value: str) -> int | None:
        self.people  # noqa: B018 - loads the index
        ids = self._people_by[key].get(value if key == "external_id" else value.casefold())
        return ids[0] if ids else None

    def find_person(self, word: str) -> int:
        """A person by email, external id or (unambiguous) name; ``ValueError`` otherwise."""
        self.people  # noqa: B018
        by = self._people_by
        for form in dict.fromkeys((word, word.strip())):  # as written (an export's " Ann "), then trimmed
            for key, value in (("email", form.casefold()), ("external_id", form), ("name", form.casefold())):
                ids = by[key].get(value)
                if ids:
                    if len(ids) > 1 and key == "name":
                        raise ValueError(f"{len(ids)} people are called {form}; name them by email instead")
                    return ids[0]
        word = word.strip()
        if word.startswith("#") and word[1:].isdigit() and int(word[1:]) in self.people:
            return int(word[1:])  # after the names: someone may be called "#2"
        raise ValueError(f"nobody called {word!r} (by email, external id or name)")

    def top_people(self) -> list[int]:
        return [p.id for p in self.people.values() if p.manager_id is None and p.active]

    # --- accounts, contacts, products -----------------------------------------------------

    @cached_property
    def accounts(self) -> dict[str, dict]:
        out: dict[str, dict] = {"external_id": {}, "name": {}, "shared": {}}  # shared: name -> [ids]
        for aid, name, ext in self.rows("SELECT id, name, external_id FROM accounts ORDER BY id"):
            self._index_account(out, aid, name, ext)
        return out

    @staticmethod
    def _index_account(index, aid: int, name: str, ext: str | None) -> None:
        if ext:
            index["external_id"].setdefault(ext, aid)
        key = name.casefold()
        first = index["name"].setdefault(key, aid)
        if first != aid:  # two accounts of one name (imported with "create another")
            index["shared"].setdefault(key, [first]).append(aid)

    def add_account(self, aid: int, name: str, ext: str | None) -> None:
        self._index_account(self.accounts, aid, name, ext)

    def adopt_account(self, aid: int, external_id: str) -> None:
        """As ``adopt_person``, for an account."""
        self.accounts["external_id"][external_id] = aid

    def find_account(self, word: str) -> int:
        for form in dict.fromkeys((word, word.strip())):  # as written, then trimmed
            found = self.accounts["external_id"].get(form)
            if found is None:
                shared = self.accounts["shared"].get(form.casefold())
                if shared:  # never the first of them, unseen
                    ids = ", ".join(str(i) for i in shared[:-1]) + f" and {shared[-1]}"
                    raise ValueError(f"{len(shared)} accounts are named {word!r} (accounts {ids}): give the "
                                     "account's external id instead")
                found = self.accounts["name"].get(form.casefold())
            if found is not None:
                return found
        raise ValueError(f"no account {word!r} (by external id or name)")

    @cached_property
    def contacts(self) -> dict[str, dict]:
        out: dict[str, dict] = {"email": {}, "name": {}}
        for cid, aid, name, email in self.rows("SELECT id, account_id, name, email FROM contacts ORDER BY id"):
            self.index_contact(out, cid, aid, name, email)
        return out

    @staticmethod
    def index_contact(index, cid: int, aid: int, name: str, email: str | None) -> None:
        if email:
            index["email"].setdefault(email.casefold(), (cid, aid))
        index["name"].setdefault((aid, name.casefold()), cid)

    @cached_property
    def products(self) -> ProductIndex:
        """by code / name -> (id, price in cents); by squeezed name -> (id, price, name)."""
        out: ProductIndex = {"code": {}, "name": {}, "squeezed": {}}
        for pid, name, code, price in self.rows("SELECT id, name, code, price FROM products ORDER BY id"):
            self.index_product(out, pid, name, code, int(price or 0))
        return out

    @staticmethod
    def index_product(index, pid: int, name: str, code: str | None, price: int) -> None:
        if code:
            index["code"].setdefault(code.casefold(), (pid, price))
        index["name"].setdefault(name.casefold(), (pid, price))
        index["squeezed"].setdefault(squeeze(name), (pid, price, name))

    @cached_property
    def deals_by_external_id(self) -> dict[str, int]:
        """External ids, and ``<reference>#<id>`` for the deals without one (what this
        database's exports call them: see ``export.database_reference``)."""
        found = dict(self.rows("SELECT external_id, id FROM deals WHERE external_id IS NOT NULL"))
        reference = self.rows("SELECT value FROM settings WHERE key = 'database_reference'")
        if reference:
            prefix = f"{reference[0][0]}#"
            for (deal_id,) in self.rows("SELECT id FROM deals WHERE external_id IS NULL"):
                found.setdefault(f"{prefix}{deal_id}", deal_id)
        return found

    @cached_property
    def targets(self) -> dict[tuple, int]:
        return {(pid, kind, str(start)[:10], metric): tid for tid, pid, kind, start, metric in
                self.rows("SELECT id, person_id, period_kind, period_start, metric FROM targets")}


# --- updates that would take another record's value ---------------------------------------------

# table -> (one record, the column that names a record)
_RECORDS = {"people": ("person", "name"), "accounts": ("account", "name"), "products": ("product", "name"),
            "deals": ("deal", "title")}


def check_unique_updates(ctx: Context, plan: Plan) -> None:
    """An update giving a record an email, name, code or external id another record
    holds is a problem of its row, found before anything is written (in a dry run too),
    as the import compares them (see ``plan.UNIQUE``).  Updates are taken in the order
    they are written: a value an earlier row frees may be taken by a later one."""
    claims: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in plan.claims:
        claims[(claim.table, claim.column)].append(claim)
    for (table, column), made in claims.items():
        one, name_column = _RECORDS[table]
        folded = UNIQUE[table][column]
        key = str.casefold if folded else str
        names: dict[int, str] = {}
        holder: dict[str, int] = {}  # value -> id
        held: dict[int, str] = {}  # id -> value
        for row_id, value, name in ctx.rows(f"SELECT id, {column}, {name_column} FROM {table} "
                                            f"WHERE {column} IS NOT NULL ORDER BY id"):
            names[row_id] = name
            holder.setdefault(key(value), row_id)
            held[row_id] = key(value)
        for claim in made:
            wanted = key(claim.value)
            other = holder.get(wanted)
            if other is not None and other != claim.row_id:
                plan.problem(claim.row, claim.header, _clash(claim, one, other, names[other], column == name_column))
                continue
            previous = held.get(claim.row_id)
            if previous is not None and holder.get(previous) == claim.row_id:
                del holder[previous]
            holder[wanted], held[claim.row_id] = claim.row_id, wanted


def _clash(claim: Claim, one: str, other: int, name: str, is_name: bool) -> str:
    """``'Widget' is already the name of product 12``: the record to look at named by its
    number (and its name, when the clash is not about the name)."""
    label = claim.column.replace("_", " ")
    holder = f"{one} {other}" if is_name else f"{one} {other} ({name})"
    return f"{claim.value!r} is already the {label} of {holder}"
