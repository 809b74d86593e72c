"""Planning a contacts file: contacts of an account, by email or by name within it."""

from __future__ import annotations


from salesdesk.transfer.planners.base import Planner


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
