"""Where each box of the org chart goes: a tidy-tree layout, pure Python (no Qt).

Walker's algorithm ("A node-positioning algorithm for general trees", 1990) in the
linear-time form of Buchheim, Jünger and Leipert ("Improving Walker's algorithm to run
in linear time", 2002), for ordered trees of equal-sized boxes. What the layout promises:

- boxes at one depth never overlap: siblings are at least ``sibling_gap`` apart, boxes of
  neighbouring subtrees (cousins) at least ``subtree_gap`` (and never less than ``sibling_gap``);
- a parent is centred over its children, so a parent with one child is right above it;
- children keep their order, left to right; one depth, one y;
- identical subtrees are drawn identically, wherever they are (up to float rounding);
- smaller subtrees between two big ones are spread evenly rather than packed to one side.

The trees of a forest are placed side by side, left to right in the order of ``roots``,
their bounding boxes ``subtree_gap`` apart (``sibling_gap`` if that is larger).

How it is done, for speed in Python: nodes get dense indices in breadth-first order, tree
by tree, so the children of a node are a contiguous range of indices (a node's number
among its siblings is its index minus its first sibling's) and each level is contiguous
too. The per-node state of the paper (prelim, mod, ancestor, change, shift, and the
threads folded into ``next_left``/``next_right``) lives in parallel lists indexed by them.
The paper's recursive first walk becomes one loop over the internal nodes, deepest first
(every subtree is done before its parent is), and its second walk a few whole-level list
operations per level. Nothing recurses, so a 10,000-deep chain is fine, and no object is
made per node apart from the returned positions. About 8 ms for a 10k-person org
(``python -m benchmarks org.layout``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress, repeat
from operator import add, sub

__all__ = ["LayoutParams", "tidy_layout"]


@dataclass(frozen=True)
class LayoutParams:
    node_width: float = 184.0
    node_height: float = 64.0
    sibling_gap: float = 20.0     # between adjacent siblings' boxes
    subtree_gap: float = 36.0     # between boxes of neighbouring subtrees (cousins)
    level_gap: float = 56.0       # vertical space between a level's boxes and the next level's


def tidy_layout(
    roots: Sequence[int],
    children: Mapping[int, Sequence[int]],
    params: LayoutParams = LayoutParams(),
) -> dict[int, tuple[float, float]]:
    """Positions of every node reachable from ``roots``: id -> (x of the box centre, y of the box top).

    Children are laid out in the given order; a node absent from ``children`` (or with an
    empty list) is a leaf, which is how the caller collapses a subtree. Several roots are laid
    side by side (a forest), left to right, subtree_gap apart. The leftmost box's left edge is
    at x=0 and the top level's y is 0. Depth d has y = d*(node_height+level_gap).

    Raises ``ValueError`` if a node is reachable twice (a shared child, a repeated root or a cycle).
    """
    order, count, trees = _number(roots, children)
    n = len(order)
    prelim, mod, next_left, next_right = _first_walk(count, trees, params)

    # Second walk, level by level: a node's x is its prelim plus the mods of its proper
    # ancestors (``above``). A root's ``above`` is where its tree goes: its bounding box
    # starts subtree_gap right of the previous tree's, the first one's at x=0.
    cousin_distance = params.node_width + max(params.subtree_gap, params.sibling_gap)
    level_step = params.node_height + params.level_gap
    above = [0.0] * n
    ys: list[float] = []
    left = params.node_width / 2  # where the leftmost centre of the next tree goes
    for levels in trees:
        root = levels[0]
        leftmost = _contour_extreme(root, prelim, mod, next_left, min)
        rightmost = _contour_extreme(root, prelim, mod, next_right, max)
        above[root] = left - leftmost
        left += rightmost - leftmost + cousin_distance
        for start, middle, end in zip(levels, levels[1:], levels[2:]):
            # The children of a level's parents are the next level, in the same order.
            counts = count[start:middle]
            shifts = map(add, compress(above[start:middle], counts), compress(mod[start:middle], counts))
            above[middle:end] = chain.from_iterable(map(repeat, shifts, filter(None, counts)))
        for depth, (start, end) in enumerate(zip(levels, levels[1:])):
            ys += repeat(depth * level_step, end - start)
    positions = dict(zip(order, zip(map(add, prelim, above), ys)))
    if len(positions) != n:
        raise ValueError("a node is reachable from the roots more than once")
    return positions


def _number(roots: Sequence[int], children: Mapping[int, Sequence[int]]):
    """Breadth-first numbering, tree by tree.

    Returns ``order`` (index -> id), ``count`` (number of children) and ``trees``: for each
    root, the indices where each level of its tree starts, then where the tree ends. The
    children of the nodes of a level are the next level, in order, so each node's children
    are a contiguous range of indices.
    """
    get = children.get
    no_children = ()
    # A forest has at most this many nodes; more means a cycle (the walk would never end).
    limit = len(roots) + sum(map(len, children.values()))
    order: list[int] = []
    count: list[int] = []
    trees: list[list[int]] = []
    for root in roots:
        levels = [len(order)]
        level = [root]
        while level:
            order += level
            levels.append(len(order))
            kids = list(map(get, level, repeat(no_children)))
            count += map(len, kids)
            level = list(chain.from_iterable(kids))
            if len(order) + len(level) > limit:
                raise ValueError("a node is reachable from the roots more than once (a cycle?)")
        trees.append(levels)
    return order, count, trees


def _contour_extreme(root: int, prelim: list[float], mod: list[float], next_: list[int], extreme) -> float:
    """The leftmost (``next_left``, ``min``) or rightmost x of a laid-out tree, relative to
    its root's frame: the extreme box at each depth is on the tree's contour."""
    best = prelim[root]
    offset = 0.0
    node = root
    while True:
        offset += mod[node]
        node = next_[node]
        if node < 0:
            return best
        best = extreme(best, prelim[node] + offset)


def _first_walk(count: list[int], trees: list[list[int]], params: LayoutParams):
    """The paper's FIRSTWALK, APPORTION, MOVESUBTREE and EXECUTESHIFTS, inlined.

    Internal nodes are visited deepest first (reverse breadth-first order), so all the
    subtrees of a node's children are laid out when the node is. For each node ``p``:
    place each child right of its left sibling, push it (and, evenly, the smaller subtrees in
    between) further right until its subtree clears the subtrees to its left at every depth,
    then centre ``p`` over its children. ``prelim`` holds a node's x relative to its parent's
    frame (for a node whose siblings are not yet placed: its children's midpoint); ``mod`` is
    what its whole subtree moves by. Returns prelim, mod and the contour links.
    """
    n = len(count)
    sibling_distance = params.node_width + params.sibling_gap
    cousin_distance = params.node_width + max(params.subtree_gap, params.sibling_gap)
    prelim = [0.0] * n
    mod = [0.0] * n
    change = [0.0] * n
    shift = [0.0] * n
    ancestor = [-1] * n  # the paper starts with ancestor(v) = v: never a sibling of v either
    # The next node on a subtree's left and right contour one level down: the first and last
    # child, or for a leaf the thread (-1 when none). Set for a node when it is visited.
    next_left = [-1] * n
    next_right = [-1] * n
    steps = [0.0]  # steps[i] = i * sibling_distance, as far as needed

    # Internal nodes, deepest first, and the index of each one's last child.
    parents: list[int] = []
    lasts: list[int] = []
    for levels in trees:
        start, end = levels[0], levels[-1]
        internal = list(compress(range(start, end), count[start:end]))
        internal.reverse()
        parents += internal
        lasts += accumulate(map(count.__getitem__, internal), sub, initial=end - 1)
        lasts.pop()
    for p, last in zip(parents, lasts):
        k = count[p]
        f = last - k + 1
        next_left[p] = f
        next_right[p] = last
        if k == 1:
            prelim[p] = prelim[f]
            continue
        if not any(count[f:last + 1]):
            # Only leaves: evenly spaced, nothing to apportion (the usual bottom level).
            if k > len(steps):
                steps = [i * sibling_distance for i in range(k)]
            prelim[f:last + 1] = steps[:k]
            prelim[p] = steps[k - 1] * 0.5
            continue

        default_ancestor = f
        spread = False  # whether some shift must be spread over the siblings in between
        for v in range(f + 1, last + 1):
            # Place v next to its left sibling; mod moves v's subtree under it.
            x = prelim[v - 1] + sibling_distance
            if not count[v]:
                # A leaf: nothing below it can clash, so APPORTION reduces to its last
                # step: if the left part goes deeper, thread the right contour from v
                # into it, with the mod that gives the thread the left part's frame.
                prelim[v] = x
                below_left = next_right[v - 1]
                if below_left >= 0:
                    next_left[v] = next_right[v] = below_left
                    mod[v] = mod[v - 1]
                continue
            v_mod = x - prelim[v]

            # APPORTION: walk down the right contour of v's left siblings (in_left) and the
            # left contour of v (in_right) one level at a time, with the outer contours
            # (out_left, out_right) for the threads; sum_* are the sums of mods down each.
            # v's own moves are summed in ``moved`` and ``v_*``, and stored after the walk.
            in_left = next_right[v - 1]
            in_right = next_left[v]
            out_left = f
            out_right = v
            sum_in_left = mod[v - 1]
            sum_in_right = sum_out_right = v_mod
            sum_out_left = mod[f]
            moved = v_change = v_shift = 0.0
            while in_left >= 0 and in_right >= 0:
                out_left = next_left[out_left]
                out_right = next_right[out_right]
                ancestor[out_right] = v
                overlap = prelim[in_left] + sum_in_left - prelim[in_right] - sum_in_right + cousin_distance
                if overlap > 0:
                    # MOVESUBTREE: v moves now; the siblings between the left subtree that
                    # clashed and v get their share in EXECUTESHIFTS below.
                    w = ancestor[in_left]
                    if not f <= w < v:  # not one of v's left siblings: a stale mark
                        w = default_ancestor
                    between = v - w
                    if between > 1:
                        share = overlap / between
                        v_change -= share
                        change[w] += share
                        v_shift += overlap
                    moved += overlap
                    sum_in_right += overlap
                    sum_out_right += overlap
                sum_in_left += mod[in_left]
                sum_in_right += mod[in_right]
                sum_out_left += mod[out_left]
                sum_out_right += mod[out_right]
                in_left = next_right[in_left]
                in_right = next_left[in_right]
            prelim[v] = x + moved
            mod[v] = v_mod + moved
            if v_shift:
                change[v] = v_change
                shift[v] = v_shift
                spread = True
            if in_left >= 0 and next_right[out_right] < 0:
                # The left part is deeper: thread v's right contour into it.
                next_left[out_right] = next_right[out_right] = in_left
                mod[out_right] += sum_in_left - sum_out_right
            if in_right >= 0 and next_left[out_left] < 0:
                # v is deeper: thread the left contour into v's subtree.
                next_left[out_left] = next_right[out_left] = in_right
                mod[out_left] += sum_in_right - sum_out_left
                default_ancestor = v

        if spread:  # EXECUTESHIFTS
            moved = 0.0
            rate = 0.0
            for v in range(last, f - 1, -1):
                prelim[v] += moved
                mod[v] += moved
                rate += change[v]
                moved += shift[v] + rate
        prelim[p] = (prelim[f] + prelim[last]) * 0.5
    return prelim, mod, next_left, next_right
