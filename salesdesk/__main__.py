"""``python -m salesdesk`` and the ``salesdesk`` entry point."""

import sys

from salesdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
