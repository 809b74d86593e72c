"""Planning a deals file: deals with their account, contact, owner and stage, a stage
history from nothing, and a line for their product."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from salesdesk.transfer.context import StageInfo, squeeze
from salesdesk.transfer.planners.base import Planner


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

    def _stage(self, pipeline: int | None, word: str) -> tuple | str:
        """(stage, lost) for a file's stage word, or the reason it fits no stage."""
        key = (pipeline, word)
        found = self.stages.get(key)
        if found is None:
            # No pipeline at all (a database without one): no stage fits, and the reason says so.
            stages = self.ctx.stages.get(pipeline, {}) if pipeline is not None else {}
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
                if field == "owner" and isinstance(found, int):
                    gone = self._gone(found)
                    if gone and self._gives_open_deal(deal_id, found):
                        found = gone
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
        gone = self._gone(owner) if isinstance(owner, int) and status == "open" else None
        if gone:
            plan.problem(row, col(columns, "owner"), gone)
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
