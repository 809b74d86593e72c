"""SalesDesk's benchmark suite: ``python -m benchmarks`` from the repository root.

Add a benchmark by writing a function in a ``bench_*.py`` module of this folder::

    from benchmarks.harness import benchmark

    @benchmark("board.open_100k", unit="ms", baseline="sqlite.fetch_100k")
    def board_open_100k() -> list[float]:
        return [measure_once() for _ in range(7)]

It returns its samples; the harness takes the median, runs the baseline (another
registered benchmark, measured in the same run) once, prints a table and writes
``bench.json``.  Timings live here, never in the tests.
"""
