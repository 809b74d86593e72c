"""Registry and runner: medians, baselines from the same run, a table and bench.json."""

from __future__ import annotations

import importlib
import json
import pkgutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_JSON = REPO / "bench.json"


@dataclass(frozen=True)
class Benchmark:
    name: str
    function: Callable[[], list[float]]
    unit: str
    baseline: str | None
    description: str


@dataclass(frozen=True)
class Result:
    name: str
    samples: tuple[float, ...]
    unit: str
    baseline: str | None
    baseline_median: float | None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def ratio(self) -> float | None:
        return self.median / self.baseline_median if self.baseline_median else None

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "median": round(self.median, 3),
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_median": None if self.baseline_median is None else round(self.baseline_median, 3),
        }


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, *, unit: str = "ms", baseline: str | None = None):
    """Register a function returning samples (a list of numbers in ``unit``)."""

    def register(function: Callable[[], list[float]]) -> Callable[[], list[float]]:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice")
        doc = (function.__doc__ or "").strip().splitlines()
        REGISTRY[name] = Benchmark(name, function, unit, baseline, doc[0] if doc else "")
        return function

    return register


BROKEN: dict[str, str] = {}  # module -> why it could not be imported


def discover() -> dict[str, Benchmark]:
    """Import every ``benchmarks/bench_*.py`` module, which registers its benchmarks.

    A module that fails to import is recorded in ``BROKEN`` (and makes the run fail)
    rather than hiding the benchmarks of every other module.
    """
    package = Path(__file__).resolve().parent
    for module in pkgutil.iter_modules([str(package)]):
        if module.name.startswith("bench_") and module.name not in BROKEN:
            try:
                importlib.import_module(f"benchmarks.{module.name}")
            except Exception as exc:  # noqa: BLE001 - reported, and the exit code says so
                BROKEN[module.name] = f"{type(exc).__name__}: {exc}"
    return REGISTRY


def run(selected: list[str] | None = None, *, echo=print) -> list[Result]:
    """Run the benchmarks whose names contain any of ``selected`` (all by default)."""
    registry = discover()
    wanted = [b for b in registry.values() if not selected or any(s in b.name for s in selected)]
    # Baselines first, so a row never waits on a baseline measured later.
    order = sorted(wanted, key=lambda b: b.baseline is not None)
    samples: dict[str, list[float]] = {}

    def measure(bench: Benchmark) -> list[float]:
        if bench.name not in samples:
            echo(f"running {bench.name} …")
            started = time.perf_counter()
            values = [float(v) for v in bench.function()]
            if not values:
                raise RuntimeError(f"benchmark {bench.name} returned no samples")
            samples[bench.name] = values
            echo(f"  {bench.name}: median {statistics.median(values):.1f} {bench.unit} "
                 f"({len(values)} samples, {time.perf_counter() - started:.1f} s)")
        return samples[bench.name]

    results = []
    for bench in order:
        values = measure(bench)
        baseline_median = None
        if bench.baseline is not None:
            if bench.baseline not in registry:
                raise KeyError(f"{bench.name}: unknown baseline {bench.baseline!r}")
            baseline_median = statistics.median(measure(registry[bench.baseline]))
        results.append(Result(bench.name, tuple(values), bench.unit, bench.baseline, baseline_median))
    return results


def table(results: list[Result]) -> str:
    header = ("benchmark", "median", "unit", "baseline", "baseline median", "ratio")
    rows = [header] + [
        (
            r.name,
            f"{r.median:.1f}",
            r.unit,
            r.baseline or "",
            "" if r.baseline_median is None else f"{r.baseline_median:.1f}",
            "" if r.ratio is None else f"{r.ratio:.2f}x",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {1, 4, 5}
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(results: list[Result], path: Path = BENCH_JSON) -> Path:
    path.write_text(json.dumps([r.as_json() for r in results], indent=2) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run SalesDesk's benchmarks.")
    parser.add_argument("names", nargs="*", help="run only benchmarks whose name contains one of these")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--json", type=Path, default=BENCH_JSON, help=f"where to write the results (default {BENCH_JSON.name})")
    args = parser.parse_args(argv)
    if args.list:
        for bench in discover().values():
            print(f"{bench.name:28} {bench.unit:4} baseline={bench.baseline or '-':20} {bench.description}")
        return 0
    results = run(args.names or None, echo=lambda line: print(line, file=sys.stderr, flush=True))
    for module, why in BROKEN.items():
        print(f"benchmarks: error: benchmarks/{module}.py could not be imported ({why})", file=sys.stderr)
    if not results:
        print("no benchmark matches", ", ".join(args.names), file=sys.stderr)
        return 2
    print(table(results))
    written = write_json(results, args.json)
    print(f"\nwrote {written}")
    return 1 if BROKEN else 0
