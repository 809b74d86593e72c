"""Scripts the benchmarks run in fresh processes (each prints one measurement)."""
