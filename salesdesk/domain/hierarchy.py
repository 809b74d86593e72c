"""Rules of the sales hierarchy, on plain data.

- a person's manager holds a more senior role (a smaller rank); skipping levels is fine;
- no cycles: nobody manages, directly or not, their own manager;
- one top: exactly one active person has no manager.
"""

from __future__ import annotations

from collections.abc import Mapping

from salesdesk.errors import RuleError


def check_seniority(person: str, person_rank: int, manager: str, manager_rank: int, manager_role: str) -> None:
    if manager_rank >= person_rank:
        raise RuleError(
            f"{manager} ({manager_role}) cannot manage {person}: a manager must hold a more senior role"
        )


def check_no_cycle(person_id: int, new_manager_id: int, managers: Mapping[int, int | None], names: Mapping[int, str]) -> None:
    """Refuse when ``new_manager_id`` is ``person_id`` or sits below them."""
    if new_manager_id == person_id:
        raise RuleError(f"{names.get(person_id, 'A person')} cannot be their own manager")
    seen: set[int] = set()
    current: int | None = new_manager_id
    while current is not None and current not in seen:
        if current == person_id:
            raise RuleError(
                f"{names.get(new_manager_id, 'That person')} reports to {names.get(person_id, 'this person')}, "
                f"so cannot become their manager (that would make a cycle)"
            )
        seen.add(current)
        current = managers.get(current)


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
