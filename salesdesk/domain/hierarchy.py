"""Rules of the sales hierarchy, on plain data.

- a person's manager holds a more senior role (a smaller rank); skipping levels is fine;
- no cycles: nobody manages, directly or not, their own manager;
- one top: exactly one active person has no manager.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from salesdesk.domain.wording import counted, listed
from salesdesk.errors import RuleError


class ManagerOf(Protocol):
    """person id -> manager id: a mapping, or what looks a manager up the same way (the org chart's)."""

    def get(self, person_id: int, /) -> int | None: ...


# One wording for each rule, whoever asks: the services (a refusal), the importer (a
# problem on a row) and the org chart (why a drop target is red).


def why_not_manager(person_id: int | None, person_name: str, person_role: str, person_rank: int, manager_id: int,
                    manager_name: str, manager_role: str, manager_rank: int, manager_active: bool = True,
                    managers: ManagerOf | None = None) -> str | None:
    """Why the manager cannot manage the person, or None.  ``managers`` (person ->
    manager) finds a cycle; ``person_id`` None is someone new, below nobody yet."""
    if manager_id == person_id:
        return f"{person_name} cannot be their own manager"
    if not manager_active:
        return f"{manager_name} is no longer active and cannot manage anyone"
    if manager_rank >= person_rank:
        whom = f"{person_name} ({person_role})" if person_role else person_name
        return f"{manager_name} ({manager_role}) cannot manage {whom}: a manager must hold a more senior role"
    if person_id is not None and managers is not None and reports_to(manager_id, person_id, managers):
        return f"{manager_name} reports to {person_name}, so cannot become their manager (that would make a cycle)"
    return None


def why_not_role(person_name: str, role_name: str, role_rank: int,
                 reports: Iterable[tuple[str, str, int]]) -> str | None:
    """Why the person cannot take the role, given their active reports (name, role,
    rank): a manager must stay more senior than everyone reporting to them."""
    for name, role, rank in reports:
        if rank <= role_rank:
            return (f"{person_name} cannot become {role_name}: {name} ({role}) reports to them "
                    f"and a manager must hold a more senior role")
    return None


def reports_to(person_id: int, boss_id: int, managers: ManagerOf) -> bool:
    """Whether ``person_id`` is ``boss_id`` or below them (a cycle above stops the walk)."""
    seen: set[int] = set()
    current: int | None = person_id
    while current is not None and current not in seen:
        if current == boss_id:
            return True
        seen.add(current)
        current = managers.get(current)
    return False


def check_seniority(person: str, person_rank: int, manager: str, manager_rank: int, manager_role: str) -> None:
    reason = why_not_manager(None, person, "", person_rank, -1, manager, manager_role, manager_rank)
    if reason:
        raise RuleError(reason)


def check_no_cycle(person_id: int, new_manager_id: int, managers: Mapping[int, int | None], names: Mapping[int, str]) -> None:
    """Refuse when ``new_manager_id`` is ``person_id`` or sits below them."""
    if new_manager_id == person_id:
        raise RuleError(f"{names.get(person_id, 'A person')} cannot be their own manager")
    if reports_to(new_manager_id, person_id, managers):
        raise RuleError(f"{names.get(new_manager_id, 'That person')} reports to {names.get(person_id, 'this person')}, "
                        f"so cannot become their manager (that would make a cycle)")


def subtree(root_id: int, managers: Mapping[int, int | None]) -> set[int]:
    """``root_id`` and everyone below them."""
    children: dict[int, list[int]] = {}
    for pid, mid in managers.items():
        if mid is not None:
            children.setdefault(mid, []).append(pid)
    found, stack = set(), [root_id]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.add(pid)
        stack.extend(children.get(pid, ()))
    return found


def why_not_removable(name: str, closed_deals: int, done_activities: int, at_top_with_reports: bool) -> str | None:
    """Why someone cannot be removed completely (they are deactivated instead), or None:
    their history is kept, and the top of the company stays while anyone reports to them."""
    history = [counted(n, one, many) for n, one, many in
               ((closed_deals, "closed deal", None), (done_activities, "done activity", "done activities")) if n]
    if history:
        return f"{name} has {listed(history)} in the history; deactivate them instead to keep it"
    if at_top_with_reports:
        return f"{name} is the top of the organisation; make someone else the top before removing them"
    return None
