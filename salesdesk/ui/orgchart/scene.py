"""The org chart scene: a box per person at the place the tidy-tree layout gives it.

The scene keeps plain snapshots of the people (``services.org.OrgPerson``) and the
tree they make; a change (a move, a collapse) updates that tree in memory, runs the
layout again (linear time) and moves the boxes, without reading the database.

Signals:
    current_changed(int): the selected person (0 when nobody is selected).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QRectF, Signal, Slot
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsScene

from salesdesk.services.board import initials
from salesdesk.ui import theme
from salesdesk.ui.orgchart.items import BOX_HEIGHT, BOX_WIDTH, PALETTE, ConnectorItem, Look, PersonItem
from salesdesk.ui.orgchart.layout import LayoutParams, tidy_layout

PARAMS = LayoutParams(node_width=BOX_WIDTH, node_height=BOX_HEIGHT)
MARGIN = 60.0


def sibling_key(person) -> tuple:
    return (person.rank, person.name.lower(), person.id)


class OrgChartScene(QGraphicsScene):
    current_changed = Signal(int)

    def __init__(self, font: QFont, parent=None):
        super().__init__(parent)
        # Every relayout moves most boxes: a BSP index would be rebuilt each time.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(QColor(theme.WINDOW))
        self.look = Look(font)
        self.people: dict = {}
        self.children: dict[int, list[int]] = {}
        self.roots: list[int] = []
        self.collapsed: set[int] = set()
        self.items: dict[int, PersonItem] = {}
        self.positions: dict[int, tuple[float, float]] = {}
        self.colour_by = "branch"
        self.connectors = ConnectorItem(self.look)
        self.addItem(self.connectors)
        self.selectionChanged.connect(self._on_selection_changed)

    # -- data ------------------------------------------------------------------------------
    def set_people(self, people) -> None:
        """Show these people (``OrgPerson`` snapshots), keeping collapse state and selection."""
        self.people = {p.id: p for p in people}
        self._rebuild_tree()
        for person_id in list(self.items):
            if person_id not in self.people:
                self.removeItem(self.items.pop(person_id))
        for person in people:
            item = self.items.get(person.id)
            if item is None:
                item = self.items[person.id] = PersonItem(person.id, self.look)
                self.addItem(item)
            self._dress(item, person)
        self.collapsed &= set(self.people)
        self._count_below()
        self.relayout()

    def _rebuild_tree(self) -> None:
        children: dict[int, list[int]] = {}
        roots = []
        for person in sorted(self.people.values(), key=sibling_key):
            if person.manager_id is not None and person.manager_id in self.people:
                children.setdefault(person.manager_id, []).append(person.id)
            else:
                roots.append(person.id)
        self.children, self.roots = children, roots

    def _dress(self, item: PersonItem, person) -> None:
        item.name = person.name
        item.role = person.role
        item.branch = person.branch
        item.initials = initials(person.name)
        item.active = person.active
        key = person.branch_id if self.colour_by == "branch" else person.rank
        item.colour = QColor(PALETTE[(key or 0) % len(PALETTE)]) if key is not None else QColor(theme.MUTED)
        item.has_reports = bool(self.children.get(person.id))
        item.collapsed = person.id in self.collapsed
        item.update()

    def _count_below(self) -> None:
        """People below each person, for the boxes (one pass, children before parents)."""
        order, stack = [], list(self.roots)
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(self.children.get(node, ()))
        below = dict.fromkeys(order, 0)
        for node in reversed(order):
            person = self.people[node]
            if person.manager_id in below and person.manager_id in self.people:
                below[person.manager_id] += below[node] + 1
        for node, count in below.items():
            self.items[node].below = count

    def set_colour_by(self, what: str) -> None:
        self.colour_by = what
        for person_id, item in self.items.items():
            self._dress(item, self.people[person_id])

    # -- layout ----------------------------------------------------------------------------
    def visible_children(self) -> dict[int, list[int]]:
        if not self.collapsed:
            return self.children
        return {k: v for k, v in self.children.items() if k not in self.collapsed}

    def relayout(self) -> None:
        children = self.visible_children()
        self.positions = positions = tidy_layout(self.roots, children, PARAMS)
        for person_id, item in self.items.items():
            place = positions.get(person_id)
            if place is None:
                item.setVisible(False)
            else:
                item.setPos(place[0], place[1])
                item.setVisible(True)
        edges = [(manager, report) for manager, reports in children.items() if manager in positions
                 for report in reports]
        self.connectors.rebuild(edges, positions)
        if positions:
            xs = [x for x, _ in positions.values()]
            ys = [y for _, y in positions.values()]
            rect = QRectF(min(xs) - BOX_WIDTH / 2, min(ys), max(xs) - min(xs) + BOX_WIDTH, max(ys) - min(ys) + BOX_HEIGHT + 10)
            self.setSceneRect(rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        else:
            self.setSceneRect(QRectF(0, 0, 400, 300))

    def toggle_collapsed(self, person_id: int) -> None:
        if not self.children.get(person_id):
            return
        self.collapsed ^= {person_id}
        self.items[person_id].collapsed = person_id in self.collapsed
        self.items[person_id].update()
        self.relayout()

    def set_all_collapsed(self, collapsed: bool, below_depth: int = 1) -> None:
        """Expand everything, or collapse everyone deeper than ``below_depth`` levels."""
        if not collapsed:
            self.collapsed.clear()
        else:
            self.collapsed = set()
            level = list(self.roots)
            for _ in range(below_depth):
                level = [c for node in level for c in self.children.get(node, ())]
            self.collapsed = {node for node in level if self.children.get(node)}
        for person_id, item in self.items.items():
            item.collapsed = person_id in self.collapsed
            item.update()
        self.relayout()

    def reveal(self, person_id: int) -> None:
        """Expand the managers above a person so their box shows."""
        changed = False
        manager = self.people[person_id].manager_id if person_id in self.people else None
        while manager is not None and manager in self.people:
            if manager in self.collapsed:
                self.collapsed.discard(manager)
                self.items[manager].collapsed = False
                changed = True
            manager = self.people[manager].manager_id
        if changed:
            self.relayout()

    # -- edits mirrored in memory (the database already has them) -----------------------------
    def apply_manager(self, person_id: int, manager_id: int | None) -> None:
        """A person now reports to ``manager_id``: move their box and their subtree."""
        person = self.people[person_id]
        old = person.manager_id
        if old in self.children and person_id in self.children[old]:
            self.children[old].remove(person_id)
            if not self.children[old]:
                del self.children[old]
        elif person_id in self.roots:
            self.roots.remove(person_id)
        self.people[person_id] = person = replace(person, manager_id=manager_id)
        if manager_id is not None and manager_id in self.people:
            siblings = self.children.setdefault(manager_id, [])
            key = sibling_key(person)
            index = next((i for i, s in enumerate(siblings) if sibling_key(self.people[s]) > key), len(siblings))
            siblings.insert(index, person_id)
        else:
            self.roots.append(person_id)
        for changed in {old, manager_id} - {None}:
            if changed in self.items:
                self.items[changed].has_reports = bool(self.children.get(changed))
                self.items[changed].update()
        self._count_below()
        self.relayout()

    # -- selection -------------------------------------------------------------------------
    def current(self) -> int:
        selected = self.selectedItems()
        return selected[0].person_id if selected and isinstance(selected[0], PersonItem) else 0

    def select(self, person_id: int) -> None:
        self.clearSelection()
        item = self.items.get(person_id)
        if item is not None:
            item.setSelected(True)

    @Slot()
    def _on_selection_changed(self) -> None:
        self.current_changed.emit(self.current())

    def subtree(self, person_id: int) -> set[int]:
        found, stack = set(), [person_id]
        while stack:
            node = stack.pop()
            found.add(node)
            stack.extend(self.children.get(node, ()))
        return found

    def may_manage(self, manager_id: int, person_id: int) -> str | None:
        """Why ``manager_id`` cannot manage ``person_id`` (the rule, for the user), or None.

        The service checks again when the move is saved; this only colours the drop target.
        """
        manager, person = self.people[manager_id], self.people[person_id]
        if manager_id == person_id or manager_id in self.subtree(person_id):
            return f"{manager.name} reports to {person.name}: that would make a cycle"
        if manager.rank >= person.rank:
            return f"{manager.name} ({manager.role}) is not more senior than {person.name} ({person.role})"
        if not manager.active:
            return f"{manager.name} is no longer active"
        return None
