"""Planning a people file: people with their managers and branches, under the
hierarchy's rules; a manager may come later in the file, so the org chart is checked
in ``finish``."""

from __future__ import annotations

from dataclasses import dataclass

from salesdesk.domain import hierarchy
from salesdesk.transfer.context import Context, PersonInfo
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.plan import Plan
from salesdesk.transfer.planners.base import Columns, Planner, Values


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

    def __init__(self, ctx: Context, plan: Plan, mapping: Mapping) -> None:
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
            juniors = []
            for report in team:
                report_rank, report_role = ctx.role_rank.get(report.role_id, (99, "?"))
                juniors.append((report.name, report_role, report_rank))
            reason = hierarchy.why_not_role(info.name, role, rank, juniors)
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
            chain: list[_PersonRow] = []
            current: _PersonRow | None = p
            while current is not None and current.id not in done and current not in chain:
                chain.append(current)
                manager = self.ctx.people[current.id].manager_id
                current = by_id.get(manager) if manager is not None else None
            for item in reversed(chain):
                if item.id not in done:
                    done.add(item.id)
                    order.append(item)
        return order
