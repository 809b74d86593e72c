"""The org chart scene: a box per person at the place the tidy-tree layout gives it.

The scene keeps plain snapshots of the people (``services.org.OrgPerson``) and the
tree they make; the boxes read them when they paint.  A change (a move, a collapse)
updates that tree in memory, runs the layout again (linear time) and moves the
boxes, without reading the database.

Signals:
    current_changed(int): the selected person (0 when nobody is selected).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsScene

from salesdesk.domain.hierarchy import why_not_manager
from salesdesk.ui import theme
from salesdesk.ui.orgchart.items import BOX_HEIGHT, BOX_WIDTH, LEVEL_GAP, PALETTE, LayerItem, Look, OverviewItem, PersonItem
from salesdesk.ui.orgchart.layout import LayoutParams, tidy_layout

PARAMS = LayoutParams(node_width=BOX_WIDTH, node_height=BOX_HEIGHT, level_gap=LEVEL_GAP)
MARGIN = 60.0
NO_COLOUR = len(PALETTE) - 1  # grey: no branch


def sibling_key(person) -> tuple:
    return (person.rank, person.name.lower(), person.id)


class OrgChartScene(QGraphicsScene):
    current_changed = Signal(int)
    # The chart's own maps hide QObject.children() and QGraphicsScene.items(), which
    # nothing calls on this scene; the names are used all over the chart and its tests.
    children: dict[int, list[int]]  # type: ignore[assignment]
    items: dict[int, PersonItem]  # type: ignore[assignment]

    def __init__(self, font: QFont, parent=None):
        super().__init__(parent)
        # Every relayout moves most boxes: a BSP index would be rebuilt each time.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(QColor(theme.WINDOW))
        self.look = Look(font)
        self.people: dict = {}
        self.children = {}
        self.roots: list[int] = []
        self.collapsed: set[int] = set()
        self.below: dict[int, int] = {}
        self.positions: dict[int, tuple[float, float]] = {}
        self.items = {}
        self.highlight: dict[int, str] = {}
        self._children_shown: dict[int, list[int]] = {}
        self.current_id = 0
        self._hidden: set[int] = set()  # boxes hidden inside a collapsed team
        self._pending: list[int] = []  # people whose box is not made yet
        self._dirty: set[int] = set()  # boxes to redo at the next layout, moved or not
        self.colour_by = "branch"
        self.layer = LayerItem()
        self.addItem(self.layer)
        self.overview = OverviewItem(self)
        self.overview.setVisible(False)
        self.addItem(self.overview)

    # -- data ------------------------------------------------------------------------------
    def set_people(self, people) -> None:
        """Show these people (``OrgPerson`` snapshots), keeping collapse state and selection."""
        self.people = {p.id: p for p in people}
        self._rebuild_tree()
        for person_id in [i for i in self.items if i not in self.people]:
            self.removeItem(self.items.pop(person_id))
            self._hidden.discard(person_id)
            self.positions.pop(person_id, None)
        # Boxes are made when they can be seen: from far out (10,000 people fitted in a
        # window) the overview shows blocks, and the boxes follow in idle time.
        self._pending = [p.id for p in people if p.id not in self.items]
        self.collapsed &= set(self.people)
        self.highlight.clear()
        if self.current_id not in self.people:
            self.current_id = 0
        self._count_below()
        self.relayout()

    def _rebuild_tree(self) -> None:
        """Roots and reports in sibling order (``org_people`` already reads them in it)."""
        children: dict[int, list[int]] = {}
        roots = []
        people = self.people
        for person in people.values():
            if person.manager_id is not None and person.manager_id in people:
                children.setdefault(person.manager_id, []).append(person.id)
            else:
                roots.append(person.id)
        self.children, self.roots = children, roots

    def _count_below(self) -> None:
        """People below each person (one pass, children before parents)."""
        order, stack = [], list(self.roots)
        children = self.children
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(children.get(node, ()))
        below = dict.fromkeys(order, 0)
        people = self.people
        for node in reversed(order):
            manager = people[node].manager_id
            if manager in below:
                below[manager] += below[node] + 1
        self.below = below

    def colour_index(self, person) -> int:
        key = person.branch_id if self.colour_by == "branch" else person.rank
        return NO_COLOUR if key is None else key % (len(PALETTE) - 1)

    def set_colour_by(self, what: str) -> None:
        self.colour_by = what
        self.overview.forget()
        self.update()

    # -- layout ----------------------------------------------------------------------------
    def visible_children(self) -> dict[int, list[int]]:
        if not self.collapsed:
            return self.children
        return {k: v for k, v in self.children.items() if k not in self.collapsed}

    def relayout(self) -> None:
        children = self.visible_children()
        before = self.positions
        self.positions = positions = tidy_layout(self.roots, children, PARAMS)
        self._children_shown = children
        items, people = self.items, self.people
        # Only what changed: boxes whose place changed, boxes shown or hidden by a
        # collapse, and the lines of managers whose box or reports moved.
        moved = [pid for pid, place in positions.items() if before.get(pid) != place]
        touched = set(moved)
        touched.update(people[pid].manager_id for pid in moved if pid in people)
        touched.update(pid for pid in before if pid not in positions)
        touched |= self._dirty  # managers whose reports changed (a move, a collapse)
        self._dirty = set()
        for person_id in touched:
            item = items.get(person_id)
            if item is not None:
                self._place(person_id, item, before.get(person_id))
        if positions:
            xs = [x for x, _ in positions.values()]
            ys = [y for _, y in positions.values()]
            rect = QRectF(min(xs) - BOX_WIDTH / 2, min(ys), max(xs) - min(xs) + BOX_WIDTH, max(ys) - min(ys) + BOX_HEIGHT + 10)
        else:
            rect = QRectF(0, 0, 400, 300)
        self.overview.set_rect(rect)
        self.setSceneRect(rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        self.overview.forget()

    def _place(self, person_id: int, item: PersonItem, before) -> None:
        place = self.positions.get(person_id)
        hidden = self._hidden
        if place is None:
            if person_id not in hidden:
                item.setVisible(False)
                hidden.add(person_id)
            return
        if person_id in hidden:
            item.setVisible(True)
            hidden.discard(person_id)
        x, y = place
        if before != place:  # a move changes a part of the chart only
            item.setPos(x, y)
        reports = self._children_shown.get(person_id)
        positions = self.positions
        item.set_span((positions[reports[0]][0] - x, positions[reports[-1]][0] - x) if reports else None)

    def make_boxes(self, limit: int | None = None) -> bool:
        """Make the boxes not made yet (at most ``limit``); True when none is left."""
        pending = self._pending
        count = len(pending) if limit is None else min(limit, len(pending))
        items, layer = self.items, self.layer
        for person_id in pending[:count]:
            if person_id in self.people and person_id not in items:
                item = items[person_id] = PersonItem(person_id, self, layer)
                self._place(person_id, item, None)
        del pending[:count]
        return not pending

    def set_overview(self, on: bool) -> None:
        """Far out, show blocks from one item instead of thousands of boxes."""
        if not on:
            self.make_boxes()
        if self.overview.isVisible() != on:
            self.overview.setVisible(on)
            self.layer.setVisible(not on)

    def toggle_collapsed(self, person_id: int) -> None:
        if not self.children.get(person_id):
            return
        self.collapsed ^= {person_id}
        self._dirty.add(person_id)
        self.relayout()

    def set_all_collapsed(self, collapsed: bool, below_depth: int = 1) -> None:
        """Expand everything, or collapse everyone deeper than ``below_depth`` levels."""
        if not collapsed:
            self.collapsed = set()
        else:
            level = list(self.roots)
            for _ in range(below_depth):
                level = [c for node in level for c in self.children.get(node, ())]
            self.collapsed = {node for node in level if self.children.get(node)}
        self._dirty.update(self.children)
        self.relayout()

    def reveal(self, person_id: int) -> None:
        """Expand the managers above a person so their box shows."""
        changed = False
        manager = self.people[person_id].manager_id if person_id in self.people else None
        while manager is not None and manager in self.people:
            if manager in self.collapsed:
                self.collapsed.discard(manager)
                self._dirty.add(manager)
                changed = True
            manager = self.people[manager].manager_id
        if changed:
            self.relayout()

    # -- edits mirrored in memory (the database already has them) -----------------------------
    def _ancestors(self, person_id: int | None):
        while person_id is not None and person_id in self.people:
            yield person_id
            person_id = self.people[person_id].manager_id

    def apply_manager(self, person_id: int, manager_id: int | None) -> None:
        """A person now reports to ``manager_id``: move their box and their subtree."""
        person = self.people[person_id]
        old = person.manager_id
        size = self.below.get(person_id, 0) + 1
        for ancestor in self._ancestors(old):
            self.below[ancestor] -= size
        if old in self.children and person_id in self.children[old]:
            self.children[old].remove(person_id)
            if not self.children[old]:
                del self.children[old]
        elif person_id in self.roots:
            self.roots.remove(person_id)
        self.people[person_id] = person = person._replace(manager_id=manager_id)
        if manager_id is not None and manager_id in self.people:
            siblings = self.children.setdefault(manager_id, [])
            key = sibling_key(person)
            index = next((i for i, s in enumerate(siblings) if sibling_key(self.people[s]) > key), len(siblings))
            siblings.insert(index, person_id)
        else:
            self.roots.append(person_id)
        for ancestor in self._ancestors(manager_id):
            self.below[ancestor] += size
        self._dirty.update(x for x in (old, manager_id, person_id) if x is not None)
        for changed in (old, manager_id):
            if changed in self.items:
                self.items[changed].update()
        self.relayout()

    # -- selection and hit testing -----------------------------------------------------------
    def current(self) -> int:
        return self.current_id

    def select(self, person_id: int) -> None:
        if person_id == self.current_id:
            return
        for changed in (self.current_id, person_id):
            if changed in self.items:
                self.items[changed].update()
        self.current_id = person_id if person_id in self.people else 0
        self.overview.update()
        self.current_changed.emit(self.current_id)

    def clearSelection(self) -> None:  # noqa: N802  (Qt's name, our selection)
        self.select(0)

    def set_highlight(self, person_id: int, how: str | None) -> None:
        if how is None:
            self.highlight.pop(person_id, None)
        else:
            self.highlight[person_id] = how
        if person_id in self.items:
            self.items[person_id].update()

    def box_rect(self, person_id: int) -> QRectF:
        x, y = self.positions[person_id]
        return QRectF(x - BOX_WIDTH / 2, y, BOX_WIDTH, BOX_HEIGHT)

    def person_at(self, point: QPointF, exclude=()) -> int:
        """The person whose box is at a scene point (0 for none)."""
        half = BOX_WIDTH / 2
        px, py = point.x(), point.y()
        for pid, (x, y) in self.positions.items():
            if x - half <= px <= x + half and y <= py <= y + BOX_HEIGHT and pid not in exclude:
                return pid
        return 0

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
        return why_not_manager(person_id, person.name, person.role, person.rank, manager_id, manager.name, manager.role,
                               manager.rank, manager.active, _Managers(self.people))


class _Managers:
    """person id -> manager id over the chart's people, for the hierarchy's rules
    (no mapping of 10,000 entries built at every hover)."""

    def __init__(self, people: dict):
        self._people = people

    def get(self, person_id: int, default=None):
        person = self._people.get(person_id)
        return person.manager_id if person is not None else default
