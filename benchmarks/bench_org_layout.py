"""The org chart's tidy-tree layout at 10k people (goal: under 15 ms).

The baseline is a plain iterative pre-order walk over the same 10k tree, measured in the
same run: the layout does a few walks' worth of work, so it should cost a few of those.
Two trees: a realistic org (fan-out 3-12, at most 8 levels) and a random recursive tree
(about 20 levels, half the nodes managers, many with a single report).
"""

from __future__ import annotations

import gc
import random
import time
from functools import cache

from benchmarks.harness import benchmark

PEOPLE = 10_000
RUNS = 15


@cache
def realistic_org(people: int = PEOPLE) -> tuple[list[int], dict[int, list[int]]]:
    """One company: managers with 3 to 12 reports, at most 7 levels below the top,
    managers picked at random among the people not yet managing anyone."""
    rng = random.Random(2002)
    children: dict[int, list[int]] = {}
    depth = {0: 0}
    unassigned = [0]  # people who could still get reports
    count = 1
    while count < people and unassigned:
        manager = unassigned.pop(rng.randrange(len(unassigned)))
        if depth[manager] >= 7:
            continue
        reports = list(range(count, min(people, count + rng.randint(3, 12))))
        children[manager] = reports
        for person in reports:
            depth[person] = depth[manager] + 1
        unassigned += reports
        count += len(reports)
    return [0], children


@cache
def random_tree(people: int = PEOPLE) -> tuple[list[int], dict[int, list[int]]]:
    """A random recursive tree: each person reports to someone earlier, at random."""
    rng = random.Random(1990)
    children: dict[int, list[int]] = {}
    for person in range(1, people):
        children.setdefault(rng.randrange(person), []).append(person)
    return [0], children


def _timed(function, *args) -> list[float]:
    function(*args)  # warm
    samples = []
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        function(*args)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _walk(roots, children) -> int:
    """Visit every node once, pre-order, with an explicit stack."""
    get = children.get
    visited = 0
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        visited += 1
        kids = get(node)
        if kids:
            stack.extend(reversed(kids))
    return visited


@benchmark("py.tree_walk_10k", unit="ms")
def tree_walk_10k() -> list[float]:
    """A plain iterative pre-order walk over the 10k org (the layout's baseline)."""
    return _timed(_walk, *realistic_org())


@benchmark("py.tree_walk_10k_random", unit="ms")
def tree_walk_10k_random() -> list[float]:
    """The same walk over the 10k random tree (the random layout's baseline)."""
    return _timed(_walk, *random_tree())


@benchmark("org.layout_10k", unit="ms", baseline="py.tree_walk_10k")
def layout_10k() -> list[float]:
    """tidy_layout of a 10k-person org (fan-out 3-12, up to 8 levels), positions of everyone."""
    from salesdesk.ui.orgchart.layout import tidy_layout

    roots, children = realistic_org()
    assert len(tidy_layout(roots, children)) == PEOPLE
    return _timed(tidy_layout, roots, children)


@benchmark("org.layout_10k_random", unit="ms", baseline="py.tree_walk_10k_random")
def layout_10k_random() -> list[float]:
    """tidy_layout of a 10k-node random recursive tree (deeper, uneven fan-out)."""
    from salesdesk.ui.orgchart.layout import tidy_layout

    roots, children = random_tree()
    assert len(tidy_layout(roots, children)) == PEOPLE
    return _timed(tidy_layout, roots, children)
