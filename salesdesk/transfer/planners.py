"""One planner per kind: turns parsed rows into rows to insert or update, under the
same rules the screens keep (the hierarchy's, the pipeline's), and says what is wrong.

A planner gets ``row(number, values, columns)`` for every row of the file, where
``values`` holds the parsed, non-empty fields and ``columns`` the header each came from
(for problems), then ``finish()`` once: checks that need the whole file (the org chart
of a people file) happen there.

Duplicates (a row naming a record that exists, by the kind's keys): ``skip`` leaves it,
``update`` writes the row's values over it, ``create`` adds another one where the key
allows it (and says why not where it does not: emails and external ids are unique).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from salesdesk.domain import hierarchy
from salesdesk.domain.periods import FIRST_YEAR, LAST_YEAR, Period, PeriodKind, parse_iso_week
from salesdesk.transfer import values as parse
from salesdesk.transfer.context import Context, PersonInfo, StageInfo, squeeze
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.plan import Plan

Values = dict
Columns = dict


class Planner:
    kind = ""

    def __init__(self, ctx: Context, plan: Plan, mapping: Mapping):
        self.ctx, self.plan, self.mapping = ctx, plan, mapping
        self.seen_keys: dict[tuple, int] = {}

    def column(self, columns: Columns, name: str) -> str:
        return columns.get(name, name)

    def duplicate_in_file(self, row: int, key: tuple, columns: Columns, field: str, shown=None) -> bool:
        """Whether ``key`` came in an earlier row (a problem of this row, naming the
        value as the file writes it: ``shown``, the key being folded)."""
        first = self.seen_keys.setdefault(key, row)
        if first != row:
            value = shown if shown is not None else key[-1]
            value = repr(value) if isinstance(value, str) else value
            self.plan.problem(row, self.column(columns, field), f"{value} is already in row {first}")
            return True
        return False

    def row(self, row: int, values: Values, columns: Columns) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


# --- people ---------------------------------------------------------------------------------


@dataclass
class _PersonRow:
    row: int
    id: int
    new: bool
    values: Values
    columns: Columns


class PeoplePlanner(Planner):
    """People with their managers and branches; the manager may come later in the file."""

    kind = "people"

    def __init__(self, ctx, plan, mapping):
        super().__init__(ctx, plan, mapping)
        self.pending: list[_PersonRow] = []

    def row(self, row, values, columns):
        ctx, plan, policy = self.ctx, self.plan, self.mapping.duplicates
        if "name" not in values and policy != "update":
            plan.problem(row, self.column(columns, "name"), "a person needs a name")
            return
        existing = None
        for key in ("external_id", "email"):
            if key in values:
                if self.duplicate_in_file(row, (key, values[key].casefold()), columns, key, values[key]):
                    return
                if existing is None:
                    existing = ctx.person_by(key, values[key])
        if existing is not None and policy == "skip":
            plan.skipped[self.kind] += 1
            return
        if existing is not None and policy == "create":
            person = ctx.people[existing]
            key = "external_id" if values.get("external_id") and values["external_id"] == person.external_id \
                else "email"
            plan.problem(row, self.column(columns, key),
                         f"{values[key]} is already {person.name}'s; choose skip or update for duplicates")
            return
        if existing is None and "name" not in values:
            plan.problem(row, self.column(columns, "name"), "a person needs a name")
            return
        if existing is None:
            pid = ctx.new_id("people")
            ctx.add_person(PersonInfo(pid, values["name"], values.get("email"), values.get("external_id"),
                                      0, None, None, values.get("active", True)))
            self.pending.append(_PersonRow(row, pid, True, values, columns))
        else:
            self.pending.append(_PersonRow(row, existing, False, values, columns))

    def finish(self):
        ctx, plan = self.ctx, self.plan
        # Roles and managers first: branches follow managers.
        for p in self.pending:
            info = ctx.people[p.id]
            if "role" in p.values:
                word = self.mapping.value("role", p.values["role"])
                role = ctx.roles.get(word.casefold())
                if role is None:
                    names = ", ".join(r[2] for r in sorted(ctx.roles.values(), key=lambda r: r[1]))
                    plan.problem(p.row, self.column(p.columns, "role"), f"no role {word!r} (roles: {names})")
                    p.values["_bad"] = True
                else:
                    info.role_id = role[0]
            elif p.new:
                info.role_id = ctx.junior_role
            if "manager" in p.values:
                try:
                    info.manager_id = ctx.find_person(p.values["manager"])
                except ValueError as exc:
                    plan.problem(p.row, self.column(p.columns, "manager"), str(exc))
                    p.values["_bad"] = True
                    continue
            if "active" in p.values:
                info.active = p.values["active"]
        self._check_hierarchy()
        for p in self._managers_first():
            info = ctx.people[p.id]
            if "branch" in p.values:
                info.branch_id = self._branch(p.values["branch"])
            elif p.new and info.manager_id is not None:
                info.branch_id = ctx.people[info.manager_id].branch_id
            if p.values.get("_bad"):
                continue
            v = p.values
            if p.new:
                plan.created[self.kind] += 1
                plan.insert("people", (
                    p.id, info.name, v.get("email"), v.get("phone"), v.get("hire_date"), info.active, info.role_id,
                    info.manager_id, info.branch_id, v.get("external_id"), ctx.now, ctx.now, 1))
            else:
                changes = {k: v[k] for k in ("name", "email", "phone", "hire_date", "external_id", "active") if k in v}
                if "role" in v:
                    changes["role_id"] = info.role_id
                if "manager" in v:
                    changes["manager_id"] = info.manager_id
                if "branch" in v:
                    changes["branch_id"] = info.branch_id
                if changes:
                    changes["updated_at"] = ctx.now
                plan.updated[self.kind] += 1
                plan.update("people", p.id, changes, p.row, p.columns)

    def _branch(self, word: str) -> int:
        name = self.mapping.value("branch", word).strip()
        found = self.ctx.branches.get(name.casefold())
        if found is None:
            found = self.ctx.new_id("branches")
            self.ctx.branches[name.casefold()] = found
            self.plan.insert("branches", (found, name, True))
            self.plan.created["branches"] += 1
        return found

    def _check_hierarchy(self) -> None:
        ctx, plan = self.ctx, self.plan
        people = ctx.people
        managers = {pid: person.manager_id for pid, person in people.items()}
        for p in self.pending:
            info = people[p.id]
            if p.values.get("_bad") or not info.active:
                continue
            rank, role = ctx.role_rank.get(info.role_id, (99, "?"))
            if info.manager_id is not None:
                manager = people[info.manager_id]
                column = self.column(p.columns, "manager" if "manager" in p.values else "role")
                m_rank, m_role = ctx.role_rank.get(manager.role_id, (99, "?"))
                reason = hierarchy.why_not_manager(info.id, info.name, role, rank, manager.id, manager.name, m_role, m_rank,
                                                   manager.active, managers)
                if reason:
                    plan.problem(p.row, column, reason)
        # An updated person must still fit above their own team.
        reports: dict[int, list[PersonInfo]] = {}
        for person in people.values():
            if person.manager_id is not None and person.active:
                reports.setdefault(person.manager_id, []).append(person)
        for p in self.pending:
            info = people[p.id]
            team = reports.get(p.id, ())
            if p.new or p.values.get("_bad") or not team:
                continue
            if not info.active:
                plan.problem(p.row, self.column(p.columns, "active"), f"{info.name} still manages "
                             f"{team[0].name}; give the team another manager first")
                continue
            rank, role = ctx.role_rank.get(info.role_id, (99, "?"))
            reason = hierarchy.why_not_role(info.name, role, rank, [
                (r.name, *reversed(ctx.role_rank.get(r.role_id, (99, "?")))) for r in team])
            if reason:
                plan.problem(p.row, self.column(p.columns, "role"), reason)
        tops = ctx.top_people()
        if len(tops) > 1:  # one top: the one already there, else the file's first
            pending = {p.id: p for p in self.pending}
            keep = next((t for t in tops if t not in pending), tops[0])
            for top in tops:
                if top != keep and top in pending:
                    p = pending[top]
                    plan.problem(p.row, self.column(p.columns, "manager"), f"{people[top].name} needs a manager: "
                                 f"{people[keep].name} is the top of the organisation")

    def _managers_first(self) -> list[_PersonRow]:
        """New people after their managers, so each row's foreign key is already there."""
        by_id = {p.id: p for p in self.pending}
        done: set[int] = set()
        order: list[_PersonRow] = []
        for p in self.pending:
            chain, current = [], p
            while current is not None and current.id not in done and current not in chain:
                chain.append(current)
                manager = self.ctx.people[current.id].manager_id
                current = by_id.get(manager) if manager is not None else None
            for item in reversed(chain):
                if item.id not in done:
                    done.add(item.id)
                    order.append(item)
        return order


# --- accounts, contacts, products -------------------------------------------------------------


class AccountsPlanner(Planner):
    kind = "accounts"

    def row(self, row, values, columns):
        ctx, plan, policy = self.ctx, self.plan, self.mapping.duplicates
        if "name" not in values:
            plan.problem(row, self.column(columns, "name"), "an account needs a name")
            return
        ext = values.get("external_id")
        key = ("external_id", ext) if ext else ("name", values["name"].casefold())
        if self.duplicate_in_file(row, key, columns, key[0]):
            return
        existing = ctx.accounts[key[0]].get(key[1])
        if existing is not None and policy == "skip":
            plan.skipped[self.kind] += 1
            return
        if existing is not None and policy == "create" and ext:
            plan.problem(row, self.column(columns, "external_id"),
                         f"{ext} is already an account's external id; choose skip or update for duplicates")
            return
        owner = None
        if "owner" in values:
            try:
                owner = ctx.find_person(self.mapping.value("owner", values["owner"]))
            except ValueError as exc:
                plan.problem(row, self.column(columns, "owner"), str(exc))
                return
        fields = ("name", "sector", "website", "phone", "city", "country", "employees")
        if existing is not None and policy == "update":
            changes = {k: values[k] for k in (*fields, "external_id") if k in values}
            if owner is not None:
                changes["owner_id"] = owner
            plan.updated[self.kind] += 1
            plan.update("accounts", existing, changes, row, columns)
            return
        aid = ctx.new_id("accounts")
        ctx.add_account(aid, values["name"], ext)
        plan.created[self.kind] += 1
        plan.insert("accounts", (aid, *(values.get(k) for k in fields), owner, ext, ctx.now))


class ContactsPlanner(Planner):
    kind = "contacts"

    def row(self, row, values, columns):
        ctx, plan, policy = self.ctx, self.plan, self.mapping.duplicates
        problems = False
        for name, why in (("account", "a contact belongs to an account"), ("name", "a contact needs a name")):
            if name not in values:
                plan.problem(row, self.column(columns, name), why)
                problems = True
        if problems:
            return
        try:
            account = ctx.find_account(values["account"])
        except ValueError as exc:
            plan.problem(row, self.column(columns, "account"), str(exc))
            return
        email = values.get("email")
        if email and self.duplicate_in_file(row, ("email", email.casefold()), columns, "email", email):
            return
        index = ctx.contacts
        existing = index["email"][email.casefold()][0] if email and email.casefold() in index["email"] else \
            index["name"].get((account, values["name"].casefold())) if not email else None
        if existing is not None and policy == "skip":
            plan.skipped[self.kind] += 1
            return
        fields = ("name", "title", "email", "phone")
        if existing is not None and policy == "update":
            changes = {k: values[k] for k in fields if k in values}
            changes["account_id"] = account
            plan.updated[self.kind] += 1
            plan.update("contacts", existing, changes, row, columns)
            return
        cid = ctx.new_id("contacts")
        ctx.index_contact(index, cid, account, values["name"], email)
        plan.created[self.kind] += 1
        plan.insert("contacts", (cid, account, *(values.get(k) for k in fields)))


class ProductsPlanner(Planner):
    kind = "products"

    def row(self, row, values, columns):
        ctx, plan, policy = self.ctx, self.plan, self.mapping.duplicates
        if "name" not in values:
            plan.problem(row, self.column(columns, "name"), "a product needs a name")
            return
        index = ctx.products
        code = values.get("code")
        if code and self.duplicate_in_file(row, ("code", code.casefold()), columns, "code", code):
            return
        if self.duplicate_in_file(row, ("name", values["name"].casefold()), columns, "name", values["name"]):
            return
        by_code = index["code"].get(code.casefold()) if code else None
        by_name = index["name"].get(values["name"].casefold())
        existing = (by_code or by_name or (None,))[0]
        if existing is not None and policy == "skip":
            plan.skipped[self.kind] += 1
            return
        if existing is not None and policy == "create":
            which = "code" if by_code else "name"
            plan.problem(row, self.column(columns, which), f"a product with this {which} exists already; "
                                                           "choose skip or update for duplicates")
            return
        currency = values.get("currency") or ctx.currency  # an ISO code already (values.currency)
        if existing is not None:
            changes = {k: values[k] for k in ("name", "code", "series", "price", "active") if k in values}
            if "currency" in values:
                changes["currency"] = currency
            plan.updated[self.kind] += 1
            plan.update("products", existing, changes, row, columns)
            return
        pid = ctx.new_id("products")
        price = values.get("price", 0)
        ctx.index_product(index, pid, values["name"], code, price)
        plan.created[self.kind] += 1
        plan.insert("products", (pid, values["name"], code, values.get("series"), price, currency,
                                 values.get("active", True)))


# --- deals --------------------------------------------------------------------------------------



# What an update from a file does not change: a move has its own history, made on the board.
UPDATE_KEEPS = frozenset({"stage", "status", "pipeline", "won_on", "lost_on", "lost_reason", "lost_note", "contact",
                          "product", "created_at"})

class DealsPlanner(Planner):
    """Deals with their stage history (first row from nothing) and a line for their product.

    ``via_stage``: a won deal created before the day it was won came through this open
    stage (its history gets two rows, as the CRM data set's engage and close dates say).
    """

    kind = "deals"

    def __init__(self, ctx, plan, mapping, *, via_stage: str | None = None, price_when_no_amount: bool = False):
        super().__init__(ctx, plan, mapping)
        self.via_stage = via_stage
        self.price_when_no_amount = price_when_no_amount
        self.owners: dict[str, int | str] = {}  # word -> id, or the reason it is refused
        self.accounts: dict[str, int | str] = {}
        self.stages: dict[tuple, tuple | str] = {}
        self.reasons: dict[str, tuple] = {}
        self.product_words: dict[str, tuple | str] = {}
        self.respelled: Counter = Counter()
        self.kept: Counter = Counter()  # column -> updates that left it as it was
        self.positions = dict(ctx.stage_positions)
        self.no_account = self.with_account = 0
        self.home_currency = ctx.currency
        self.now = plan.store(ctx.now)
        self.priced = 0

    # Each word is looked up once: a 100k-deal file names a few dozen owners and stages.
    def _owner(self, word: str) -> int | str:
        found = self.owners.get(word)
        if found is None:
            try:
                found = self.ctx.find_person(self.mapping.value("owner", word))  # active or not: see _gone
            except ValueError as exc:
                found = str(exc)
            self.owners[word] = found
        return found

    def _gives_open_deal(self, deal_id: int, owner: int) -> bool:
        """Whether ``owner`` would take the open deal ``deal_id`` from someone else: an
        update that leaves a deal with the owner it has (or a closed one) gives nothing."""
        found = self.ctx.rows("SELECT owner_id, status FROM deals WHERE id = :id", id=deal_id)
        return not found or (found[0][1] == "open" and found[0][0] != owner)

    def _gone(self, owner: int) -> str | None:
        """Why ``owner`` cannot own an open deal: someone who left keeps their won and
        lost deals (an export of them imports back), but takes no open ones."""
        person = self.ctx.people[owner]
        return None if person.active else f"{person.name} is no longer active: an open deal needs an active owner"

    def _account(self, word: str) -> int | str:
        found = self.accounts.get(word)
        if found is None:
            try:
                found = self.ctx.find_account(word)
            except ValueError as exc:
                found = str(exc)
            self.accounts[word] = found
        return found

    def _stage(self, pipeline: int, word: str) -> tuple | str:
        """(stage, lost) for a file's stage word, or the reason it fits no stage."""
        key = (pipeline, word)
        found = self.stages.get(key)
        if found is None:
            stages = self.ctx.stages.get(pipeline, {})
            target = self.mapping.value("stage", word).strip()
            lost = target.casefold() == "lost" or target.casefold().startswith("lost:")
            if lost:
                target = target.partition(":")[2].strip()
                stage = stages.get(target.casefold()) if target else next(iter(stages.values()), None)
            else:
                stage = stages.get(target.casefold())
            if stage is None:
                names = ", ".join(s.name for s in stages.values())
                found = f"no stage {target or word!r} in this pipeline (stages: {names}); map it in the wizard " \
                        f"or the mapping's \"values\""
            elif lost and stage.is_won:
                found = f"a deal cannot be lost in the won stage {stage.name!r}"
            else:
                found = (stage, lost)
            self.stages[key] = found
        return found

    def _product(self, word: str) -> tuple | str:
        found = self.product_words.get(word)
        if found is None:
            index = self.ctx.products
            hit = index["name"].get(word.casefold()) or index["code"].get(word.casefold())
            if hit is None:
                near = index["squeezed"].get(squeeze(word))
                if near is not None:
                    hit = near[:2]
            found = hit if hit is not None else f"no product {word!r} in the catalogue (by name or code)"
            self.product_words[word] = found
        return found

    def row(self, row, values, columns):
        ext = values.get("external_id")
        if ext:
            if self.duplicate_in_file(row, ("external_id", ext), columns, "external_id"):
                return
            existing = self.ctx.deals_by_external_id.get(ext)
            if existing is not None:
                policy = self.mapping.duplicates
                if policy == "skip":
                    self.plan.skipped[self.kind] += 1
                elif policy == "create":
                    self.plan.problem(row, self.column(columns, "external_id"),
                                      f"{ext} is already a deal's external id; choose skip or update for duplicates")
                else:
                    self._update(row, existing, values, columns)
                return
        self._new(row, values, columns, ext)

    def _update(self, row, deal_id: int, values, columns) -> None:
        """The file's values over an existing deal: its fields, not its stage or status
        (a move has its own history, made on the board)."""
        plan, col = self.plan, self.column
        changes = {k: values[k] for k in ("title", "amount", "probability", "expected_close", "notes") if k in values}
        for field, find in (("owner", self._owner), ("account", self._account)):
            if field in values:
                found = find(values[field])
                if field == "owner" and isinstance(found, int) and self._gone(found) \
                        and self._gives_open_deal(deal_id, found):
                    found = self._gone(found)
                if isinstance(found, str):
                    plan.problem(row, col(columns, field), found)
                    return
                changes[f"{field}_id"] = found
        if "currency" in values:  # an ISO code already (values.currency)
            changes["currency"] = values["currency"]
            plan.deal_currencies[values["currency"]] += 1
        changes["updated_at"] = self.ctx.now
        plan.updated[self.kind] += 1
        plan.update("deals", deal_id, changes, row, columns)
        for name in UPDATE_KEEPS.intersection(values):
            self.kept[columns.get(name, name)] += 1

    def _new(self, row, values, columns, ext: str | None) -> None:
        ctx, plan = self.ctx, self.plan
        col = self.column
        ok = True
        if "title" not in values:
            plan.problem(row, col(columns, "title"), "a deal needs a title")
            ok = False
        owner = None
        if "owner" not in values:
            plan.problem(row, col(columns, "owner"), "a deal needs an owner")
            ok = False
        else:
            owner = self._owner(values["owner"])
            if isinstance(owner, str):
                plan.problem(row, col(columns, "owner"), owner)
                ok = False
        account = None
        if "account" in values:
            self.with_account += 1
            account = self._account(values["account"])
            if isinstance(account, str):
                plan.problem(row, col(columns, "account"), account)
                ok = False
        else:
            self.no_account += 1
        pipeline = ctx.first_pipeline
        if "pipeline" in values:
            pipeline = ctx.pipelines.get(values["pipeline"].casefold())
            if pipeline is None:
                plan.problem(row, col(columns, "pipeline"), f"no pipeline {values['pipeline']!r}")
                return
        if "stage" not in values:
            plan.problem(row, col(columns, "stage"), "a deal needs a stage")
            return
        found = self._stage(pipeline, values["stage"])
        if isinstance(found, str):
            plan.problem(row, col(columns, "stage"), found)
            return
        stage, lost = found
        status = "won" if stage.is_won else "lost" if lost else "open"
        given = values.get("status", "").strip().casefold()
        if given:
            if given not in ("open", "won", "lost"):
                plan.problem(row, col(columns, "status"), f"{values['status']!r} is not open, won or lost")
                return
            if given == "won" and not stage.is_won:
                plan.problem(row, col(columns, "status"), f"a won deal belongs in a won stage, not {stage.name!r}")
                return
            if given != "won" and stage.is_won:
                plan.problem(row, col(columns, "status"), f"a deal in {stage.name!r} is won, not {given}")
                return
            status = given
        if isinstance(owner, int) and status == "open" and self._gone(owner):
            plan.problem(row, col(columns, "owner"), self._gone(owner))
            ok = False
        product = None
        if "product" in values:
            product = self._product(values["product"])
            if isinstance(product, str):
                plan.problem(row, col(columns, "product"), product)
                ok = False
            elif values["product"].casefold() not in ctx.products["name"] and \
                    values["product"].casefold() not in ctx.products["code"]:
                self.respelled[(values["product"], self.ctx.products["squeezed"][squeeze(values["product"])][2])] += 1
        contact = None
        if "contact" in values:
            word = values["contact"].strip().casefold()
            index = ctx.contacts
            hit = index["email"].get(word)
            contact = hit[0] if hit and (account is None or hit[1] == account) else \
                index["name"].get((account, word)) if isinstance(account, int) else None
            if contact is None:
                plan.problem(row, col(columns, "contact"), f"no contact {values['contact']!r}"
                                                           + (" at this deal's account" if account else ""))
                ok = False
        amount = values.get("amount")
        if amount is None:
            amount = product[1] if self.price_when_no_amount and product and not isinstance(product, str) else 0
            if self.price_when_no_amount and amount:
                self.priced += 1
        currency = values.get("currency") or self.home_currency  # an ISO code already (values.currency)
        plan.deal_currencies[currency] += 1
        won_on = values.get("won_on")
        lost_on = values.get("lost_on")
        created = values.get("created_at")
        if status == "won" and won_on is None:
            won_on = values.get("expected_close") or (created.date() if created else None)
            if won_on is None:
                plan.problem(row, col(columns, "won_on"), "a won deal needs the day it was won")
                return
        if status == "lost" and lost_on is None:
            lost_on = values.get("expected_close") or (created.date() if created else None)
            if lost_on is None:
                plan.problem(row, col(columns, "lost_on"), "a lost deal needs the day it was lost")
                return
        if status != "won":
            won_on = None
        if status != "lost":
            lost_on = None
        closed = won_on or lost_on
        if created is None:
            created = dt.datetime.combine(closed, dt.time(9)) if closed else ctx.now
        if closed and closed < created.date():
            field = "won_on" if won_on else "lost_on"
            plan.problem(row, col(columns, field), f"{closed.isoformat()} is before the deal was created "
                                                   f"({created.date().isoformat()})")
            return
        reason_id = note = None
        if status == "lost":
            note = values.get("lost_note")
            word = values.get("lost_reason")
            if word:
                word = self.mapping.value("lost_reason", word)
                reason_id = ctx.lost_reasons.get(word.casefold())
                if reason_id is None:  # a reason of another tool: kept in its words
                    note = f"{word}: {note}" if note else word
            if reason_id is None and note is None:
                reason_id = ctx.lost_reasons.get("other")
        if not ok:
            return
        self._create(values, owner, account, contact, pipeline, stage, status, amount, currency, created, won_on,
                     lost_on, reason_id, note, product, ext)

    def _create(self, values, owner, account, contact, pipeline, stage: StageInfo, status, amount, currency,
                created, won_on, lost_on, reason_id, note, product, ext):
        ctx, plan = self.ctx, self.plan
        deal_id = ctx.new_id("deals")
        entered = created
        history = []
        if status == "won" and self.via_stage and won_on > created.date():
            via = ctx.stages[pipeline].get(self.via_stage.casefold())
            if via is not None and not via.is_won:
                entered = dt.datetime.combine(won_on, dt.time(17))
                history = [(None, via.id, created), (via.id, stage.id, entered)]
        if not history:
            history = [(None, stage.id, created)]
        position = self.positions.get(stage.id, 0.0) + 1.0
        self.positions[stage.id] = position
        plan.created[self.kind] += 1
        if not plan.keep:
            return
        # Appended to directly, dates already as the database stores them: this runs once
        # per deal of a 100k-deal file.
        inserts, store = plan.inserts, plan.store
        created_at = store(created)
        entered_at = created_at if entered is created else store(entered)
        inserts["deals"].append((
            deal_id, values["title"], account, contact, owner, pipeline, stage.id, amount, currency,
            values.get("probability"), store(values.get("expected_close")), status, reason_id, note,
            won_on and store(won_on), lost_on and store(lost_on), position, entered_at, values.get("notes"), ext,
            created_at, self.now, 1))
        changes = inserts["stage_changes"]
        for from_id, to_id, at in history:
            changes.append((ctx.new_id("stage_changes"), deal_id, from_id, to_id,
                            created_at if at is created else store(at), None))
        if product is not None:
            inserts["deal_lines"].append((ctx.new_id("deal_lines"), deal_id, product[0], 1, amount, 0))

    def finish(self):
        for column, count in sorted(self.kept.items()):  # said, not silently dropped
            self.plan.warn(f"column {column!r} is not changed by an update ({count:,} deals): stages, status and "
                           "history change on the board; the deal's other columns were updated")
        for (word, name), count in sorted(self.respelled.items()):
            if count:
                self.plan.warn(f"product {word!r} read as the catalogue's {name!r} ({count:,} deals)")
        if self.no_account and self.with_account:  # some have one: say how many do not
            self.plan.warn(f"{self.no_account:,} deals have no account")
        if self.priced:
            self.plan.warn(f"{self.priced:,} deals without a value got their product's list price as amount")


# --- targets ----------------------------------------------------------------------------------

_METRICS = ("won_revenue", "won_deals", "new_deals", "activities")


class PeriodProblem(ValueError):
    """A period that is not one, and the field to blame: its kind or its start."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


def parse_period(start_text: str, kind_text: str | None, order: str = "") -> Period:
    """``2026-W48``, ``2026-03``, ``2026-Q1``, ``2026``, or a date with a period kind;
    ``PeriodProblem`` in our words (``2025 has no week 53; its last week is 2025-W52``)."""
    raw = start_text.strip().upper()
    kind = (kind_text or "").strip().lower() or None
    if kind is not None and kind not in {k.value for k in PeriodKind}:
        raise PeriodProblem("period", f"{kind_text!r} is not week, month, quarter or year")
    try:
        found = _period_named(raw)
        if found is None:
            if kind is None:
                raise PeriodProblem("period", f"{start_text!r} needs a period (week, month, quarter or year) to go "
                                              "with it")
            day = parse.date(start_text, order)
            found = Period.containing(kind, day)
            if found.start != day:
                raise ValueError(f"{day.isoformat()} does not start a {kind}; the {kind} starts on "
                                 f"{found.start.isoformat()}")
    except PeriodProblem:
        raise
    except ValueError as exc:
        raise PeriodProblem("period_start", str(exc)) from None
    if kind is not None and found.kind.value != kind:
        raise PeriodProblem("period_start", f"{start_text!r} is a {found.kind.value}, not a {kind}")
    return found


def _period_named(raw: str) -> Period | None:
    """The period ``2026-W48``, ``2026-Q1``, ``2026-03`` or ``2026`` names; None for other words."""
    week = re.fullmatch(r"([0-9]{4})-?W([0-9]{1,2})", raw)
    if week:  # 2026W8 as ISO writes it, 2026-W08, for the periods' own words
        return parse_iso_week(f"{week[1]}-W{int(week[2]):02d}")
    match = re.fullmatch(r"([0-9]{4})-?Q([0-9])|([0-9]{4})-([0-9]{1,2})|([0-9]{4})", raw)
    if match is None:
        return None
    year = int(match[1] or match[3] or match[5])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{raw}: SalesDesk reports on the years {FIRST_YEAR} to {LAST_YEAR}")
    if match[2]:
        if not 1 <= int(match[2]) <= 4:
            raise ValueError(f"{raw} is not a quarter: quarters run from Q1 to Q4")
        return Period(PeriodKind.QUARTER, dt.date(year, 3 * int(match[2]) - 2, 1))
    if match[4]:
        if not 1 <= int(match[4]) <= 12:
            raise ValueError(f"{raw} is not a month: months run from 01 to 12")
        return Period(PeriodKind.MONTH, dt.date(year, int(match[4]), 1))
    return Period(PeriodKind.YEAR, dt.date(year, 1, 1))


class TargetsPlanner(Planner):
    kind = "targets"

    def __init__(self, ctx, plan, mapping):
        super().__init__(ctx, plan, mapping)
        self.amounts = mapping.amounts()  # a target's value is read as an amount (counts too: 4 is 4.00)

    def row(self, row, values, columns):
        ctx, plan, policy = self.ctx, self.plan, self.mapping.duplicates
        col = self.column
        for name in ("person", "period_start", "value"):
            if name not in values:
                plan.problem(row, col(columns, name), f"a target needs its {name.replace('_', ' ')}")
                return
        try:
            person = ctx.find_person(values["person"])
        except ValueError as exc:
            plan.problem(row, col(columns, "person"), str(exc))
            return
        try:
            period = parse_period(values["period_start"], values.get("period"), self.mapping.date_order)
        except PeriodProblem as exc:
            plan.problem(row, col(columns, exc.field), str(exc))
            return
        metric = values.get("metric", "won_revenue").strip().lower().replace(" ", "_")
        if metric not in _METRICS:
            plan.problem(row, col(columns, "metric"), f"{values['metric']!r} is not one of {', '.join(_METRICS)}")
            return
        try:
            value = self.amounts(values["value"])
        except ValueError as exc:
            plan.problem(row, col(columns, "value"), str(exc))
            return
        finally:
            if self.amounts.pending:  # targets are in the home currency
                plan.rounded("", self.amounts.take())
        if metric != "won_revenue" and value % 100:
            plan.problem(row, col(columns, "value"), f"a target of {metric.replace('_', ' ')} is a whole number")
            return
        key = (person, period.kind.value, period.start.isoformat(), metric)
        if self.duplicate_in_file(row, ("target", *key), columns, "period_start", values["period_start"]):
            return
        existing = ctx.targets.get(key)
        if existing is not None:
            if policy == "skip":
                plan.skipped[self.kind] += 1
            elif policy == "update":
                plan.updated[self.kind] += 1
                plan.update("targets", existing, {"value": value}, row, columns)
            else:
                plan.problem(row, col(columns, "period_start"),
                             f"{ctx.people[person].name} already has this target; choose skip or update for "
                             "duplicates")
            return
        plan.created[self.kind] += 1
        plan.insert("targets", (ctx.new_id("targets"), person, period.kind.value, period.start, metric, value, 1))


PLANNERS = {"people": PeoplePlanner, "accounts": AccountsPlanner, "contacts": ContactsPlanner,
            "products": ProductsPlanner, "deals": DealsPlanner, "targets": TargetsPlanner}
