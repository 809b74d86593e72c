"""Planning an accounts file: accounts by external id or name, with their owner."""

from __future__ import annotations


from salesdesk.transfer.planners.base import Planner


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
