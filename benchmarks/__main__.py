"""``python -m benchmarks [NAME ...]``: run the suite, print a table, write bench.json."""

import sys

from benchmarks.harness import main

if __name__ == "__main__":
    sys.exit(main())
