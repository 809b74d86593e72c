"""Planning a products file: products by code or name, with their list price."""

from __future__ import annotations


from salesdesk.transfer.planners.base import Planner


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
