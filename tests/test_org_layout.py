"""The org chart's tidy-tree layout: the aesthetics it promises, on random forests and by hand."""

from __future__ import annotations

import ast
import random
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from salesdesk.ui.orgchart import layout
from salesdesk.ui.orgchart.layout import LayoutParams, tidy_layout

EPS = 1e-6
P = LayoutParams()
STEP = P.node_height + P.level_gap


# --- forests as parent arrays -------------------------------------------------------------

def forest_from_parents(parents: list[int | None], ids: list[int]) -> tuple[list[int], dict[int, list[int]]]:
    """Node i has parent ``parents[i]`` (an index below i) or None (a root); ids name the nodes."""
    roots: list[int] = []
    children: dict[int, list[int]] = defaultdict(list)
    for i, parent in enumerate(parents):
        if parent is None:
            roots.append(ids[i])
        else:
            children[ids[parent]].append(ids[i])
    return roots, dict(children)


SHAPES = {
    # a random recursive tree (shallow, bushy), now and then a new root
    "random": lambda i, r: None if r % (i + 1) == i or r % 29 == 0 else r % i,
    # long chains with side branches: a parent among the last three nodes
    "deep": lambda i, r: max(0, i - 1 - r % 3),
    # the first few nodes take everyone: very wide levels
    "wide": lambda i, r: r % min(i, 4),
    # an org: a parent among the last ~20 nodes, so levels fill and fan out
    "org": lambda i, r: max(0, i - 1 - r % 20),
}


@st.composite
def forests(draw, max_nodes: int = 300):
    """A forest of up to ``max_nodes`` nodes in one of the SHAPES. Sizes are drawn evenly
    (hypothesis's own lists stay short) and the shape from a seed; both shrink."""
    shape = draw(st.sampled_from(sorted(SHAPES)))
    size = draw(st.integers(1, max_nodes))
    rng = random.Random(draw(st.integers(0, 2**32)))
    parents = [None] + [SHAPES[shape](i, rng.randrange(2**20)) for i in range(1, size)]
    ids = list(range(size))
    rng.shuffle(ids)  # ids unrelated to the order
    return forest_from_parents(parents, ids)


params_strategy = st.builds(
    LayoutParams,
    node_width=st.floats(1, 300),
    node_height=st.floats(1, 200),
    sibling_gap=st.floats(0, 80),
    subtree_gap=st.floats(0, 120),
    level_gap=st.floats(0, 100),
)


# --- the properties -------------------------------------------------------------------------

def depths_and_parents(roots, children):
    depth, parent, tree = {}, {}, {}
    for t, root in enumerate(roots):
        depth[root], parent[root], tree[root] = 0, None, t
        stack = [root]
        while stack:
            node = stack.pop()
            for child in children.get(node, ()):
                depth[child], parent[child], tree[child] = depth[node] + 1, node, t
                stack.append(child)
    return depth, parent, tree


def check_layout(roots, children, pos, params: LayoutParams = P):
    depth, parent, tree = depths_and_parents(roots, children)
    assert pos.keys() == depth.keys(), "every reachable node, and only those, has a position"
    eps = EPS
    step = params.node_height + params.level_gap
    by_depth = defaultdict(list)
    for node, (x, y) in pos.items():
        assert y == pytest.approx(depth[node] * step, abs=eps), "same depth, same y"
        by_depth[depth[node]].append((x, node))

    sibling = params.node_width + params.sibling_gap
    cousin = params.node_width + max(params.sibling_gap, params.subtree_gap)
    for row in by_depth.values():
        row.sort()
        for (x1, a), (x2, b) in zip(row, row[1:]):
            wanted = sibling if parent[a] is not None and parent[a] == parent[b] else cousin
            assert x2 - x1 >= wanted - eps, f"{a} and {b} closer than {wanted}"

    for node, kids in children.items():
        if node not in pos or not kids:
            continue
        xs = [pos[k][0] for k in kids]
        assert xs == sorted(xs), "siblings keep their order"
        assert pos[node][0] == pytest.approx((xs[0] + xs[-1]) / 2, abs=eps), "parent centred over its children"

    check_compact(roots, children, pos, depth, sibling, cousin)

    half = params.node_width / 2
    assert min(x for x, _ in pos.values()) - half == pytest.approx(0, abs=eps), "leftmost edge at 0"

    # Trees side by side, in the order of the roots, bounding boxes subtree_gap apart.
    spans = defaultdict(list)
    for node, (x, _) in pos.items():
        spans[tree[node]].append(x)
    boxes = [(min(spans[t]) - half, max(spans[t]) + half) for t in range(len(roots))]
    for (_, right), (left, _) in zip(boxes, boxes[1:]):
        assert left - right == pytest.approx(max(params.subtree_gap, params.sibling_gap), abs=eps)


def check_compact(roots, children, pos, depth, sibling, cousin):
    """Compact: each last child's subtree is as close to its left siblings' as the gaps allow
    (it touches them at some depth). Smaller subtrees in between may float, spread evenly."""
    extent = {}  # node -> {depth: (leftmost x, rightmost x)} of its subtree
    for root in roots:
        stack, post = [root], []
        while stack:
            node = stack.pop()
            post.append(node)
            stack.extend(children.get(node, ()))
        for node in reversed(post):
            merged = {depth[node]: (pos[node][0], pos[node][0])}
            for child in children.get(node, ()):
                for d, (lo, hi) in extent[child].items():
                    old = merged.get(d)
                    merged[d] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
            extent[node] = merged
    for node, kids in children.items():
        if node not in pos or len(kids) < 2:
            continue
        left: dict[int, float] = {}
        for kid in kids[:-1]:
            for d, (_, hi) in extent[kid].items():
                left[d] = max(left.get(d, hi), hi)
        right = extent[kids[-1]]
        top = depth[kids[-1]]
        slack = min(lo - left[d] - (sibling if d == top else cousin) for d, (lo, _) in right.items() if d in left)
        assert slack == pytest.approx(0, abs=EPS), f"the last child of {node} could move {slack} left"


@settings(max_examples=150, deadline=None)
@given(forests())
def test_random_forests_are_tidy(forest):
    roots, children = forest
    check_layout(roots, children, tidy_layout(roots, children))


@settings(max_examples=60, deadline=None)
@given(forests(max_nodes=120), params_strategy)
def test_any_sizes_and_gaps(forest, params):
    roots, children = forest
    check_layout(roots, children, tidy_layout(roots, children, params), params)


@settings(max_examples=80, deadline=None)
@given(forests(), st.sets(st.integers(0, 299), max_size=30))
def test_collapsing_subtrees_gives_a_valid_smaller_layout(forest, collapsed):
    roots, children = forest
    full = tidy_layout(roots, children)
    shown = {node: kids for node, kids in children.items() if node not in collapsed}
    smaller = tidy_layout(roots, shown)
    check_layout(roots, shown, smaller)
    assert smaller.keys() <= full.keys()
    # Collapsing a node also leaves it as a node with no children (an empty list does the same).
    assert tidy_layout(roots, {**shown, **{node: [] for node in collapsed}}) == smaller


@settings(max_examples=80, deadline=None)
@given(forests())
def test_a_mirrored_forest_is_drawn_mirrored(forest):
    """Reverse every list of children and the roots: the drawing is the reflection (this is
    what the even spreading of small subtrees between big ones buys)."""
    roots, children = forest
    pos = tidy_layout(roots, children)
    mirrored = tidy_layout(roots[::-1], {node: kids[::-1] for node, kids in children.items()})
    span = min(x for x, _ in pos.values()) + max(x for x, _ in pos.values())
    for node, (x, y) in pos.items():
        assert mirrored[node] == (pytest.approx(span - x, abs=EPS), y)


def relabel(roots, children, offset):
    return [r + offset for r in roots], {p + offset: [c + offset for c in kids] for p, kids in children.items()}


@settings(max_examples=80, deadline=None)
@given(forests(max_nodes=60), forests(max_nodes=60), st.lists(st.booleans(), max_size=5))
def test_identical_subtrees_are_drawn_identically(team_forest, other_forest, middle):
    """A top manager over copies of one team (first, last, and wherever ``middle`` says True),
    with other teams in between: every copy is drawn the same, only moved."""
    (team_root, *_), team = team_forest
    children: dict[int, list[int]] = {}
    top_reports, copies = [], []
    for n, is_copy in enumerate([True, *middle, True], start=1):
        offset = 1000 * n  # ids of the forests are below 300
        roots, renamed = relabel([team_root], team, offset) if is_copy else relabel(*other_forest, offset)
        children.update(renamed)
        top_reports += roots
        if is_copy:
            copies.append(offset)
    children[-1] = top_reports
    pos = tidy_layout([-1], children)
    check_layout([-1], children, pos)

    def drawing(offset):
        x0, y0 = pos[team_root + offset]
        return {node - offset: (x - x0, y - y0) for node, (x, y) in pos.items() if offset <= node < offset + 1000}

    first = drawing(copies[0])
    for offset in copies[1:]:
        other = drawing(offset)
        assert other.keys() == first.keys()
        for node, (dx, dy) in other.items():
            assert (dx, dy) == (pytest.approx(first[node][0], abs=EPS), first[node][1])


# --- by hand ---------------------------------------------------------------------------------

def test_a_single_person():
    assert tidy_layout([7], {}) == {7: (P.node_width / 2, 0.0)}


def test_nothing_to_lay_out():
    assert tidy_layout([], {}) == {}


def test_a_manager_with_three_reports():
    pos = tidy_layout((1,), {1: (2, 3, 4)})  # any sequences
    pitch = P.node_width + P.sibling_gap
    half = P.node_width / 2
    assert pos == {
        1: (half + pitch, 0.0),
        2: (half, STEP),
        3: (half + pitch, STEP),
        4: (half + 2 * pitch, STEP),
    }


def test_cousins_are_subtree_gap_apart_and_trees_side_by_side():
    pos = tidy_layout([1, 9], {1: [2, 3], 2: [4], 3: [5]})
    assert pos[5][0] - pos[4][0] == P.node_width + P.subtree_gap  # cousins
    assert pos[3][0] - pos[2][0] == P.node_width + P.subtree_gap  # pushed apart by their children
    assert pos[9] == (pos[5][0] + P.node_width + P.subtree_gap, 0.0)  # the next tree


def test_small_subtrees_between_big_ones_are_spread_evenly():
    # Two wide managers with two leaves between them: the leaves share the gap evenly.
    wide = list(range(100, 106)), list(range(200, 206))
    pos = tidy_layout([1], {1: [2, 3, 4, 5], 2: wide[0], 5: wide[1]})
    xs = [pos[n][0] for n in (2, 3, 4, 5)]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1]) == pytest.approx(xs[3] - xs[2])


def test_a_chain_ten_thousand_deep():
    n = 10_000
    pos = tidy_layout([0], {i: [i + 1] for i in range(n - 1)})
    assert len(pos) == n
    assert all(x == P.node_width / 2 for x, _ in pos.values())
    assert pos[n - 1][1] == (n - 1) * STEP


def test_a_star_of_two_thousand():
    n = 2_000
    pos = tidy_layout([0], {0: list(range(1, n + 1))})
    pitch = P.node_width + P.sibling_gap
    assert [pos[i][0] for i in range(1, n + 1)] == [P.node_width / 2 + (i - 1) * pitch for i in range(1, n + 1)]
    assert pos[0][0] == pytest.approx(P.node_width / 2 + (n - 1) * pitch / 2)


def test_a_big_random_org():
    rng = random.Random(4)
    parents = [None] + [rng.randrange(max(0, i - 40), i) for i in range(1, 5_000)]
    roots, children = forest_from_parents(parents, list(range(len(parents))))
    check_layout(roots, children, tidy_layout(roots, children))


@pytest.mark.parametrize("roots, children", [
    ([1, 1], {}),              # a root twice
    ([1], {1: [2, 2]}),        # a child twice
    ([1], {1: [2, 3], 2: [4], 3: [4]}),  # a shared child
    ([1], {1: [2], 2: [1]}),   # a cycle through the root
    ([1], {1: [2], 2: [3], 3: [2]}),  # a cycle below
])
def test_a_node_reachable_twice_is_refused(roots, children):
    with pytest.raises(ValueError):
        tidy_layout(roots, children)


def test_the_layout_does_not_import_qt():
    tree = ast.parse(Path(layout.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "collections.abc", "dataclasses", "itertools", "operator"}
