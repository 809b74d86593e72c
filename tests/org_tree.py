"""The tree the people of ``org_people`` make, for tests that check its order and
that damaged data (a cycle, a manager left out) still puts everyone on it once.

The chart builds its own tree from the same list (``ui/orgchart/scene.py``); this is
the tests' independent reading of what that tree is.
"""

from __future__ import annotations

from salesdesk.services.org import OrgPerson


def org_children(people: list[OrgPerson]) -> tuple[list[int], dict[int, list[int]]]:
    """The roots and, per manager, their reports, both in the order of ``people``.
    Someone whose manager is not in ``people`` (an inactive manager left out) is a
    root; so is one person of any cycle in damaged data, so that everyone is on the
    tree exactly once.
    """
    present = {p.id for p in people}
    roots: list[int] = []
    children: dict[int, list[int]] = {}
    for person in people:
        if person.manager_id is not None and person.manager_id in present and person.manager_id != person.id:
            children.setdefault(person.manager_id, []).append(person.id)
        else:
            roots.append(person.id)
    seen = _reachable(roots, children)
    if len(seen) < len(present):  # cycles: cut each where the list first meets it
        for person in people:
            manager_id = person.manager_id
            if person.id not in seen and manager_id is not None:  # unreached: a report in a cycle
                children[manager_id].remove(person.id)
                if not children[manager_id]:
                    del children[manager_id]
                roots.append(person.id)
                seen |= _reachable([person.id], children)
    return roots, children


def _reachable(roots: list[int], children: dict[int, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(children.get(node, ()))
    return seen
