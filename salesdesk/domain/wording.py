"""How a refusal words things: what was typed or read, quoted whole when short and by
its start when long; how many of what (``3 open deals``), and lists (``a, b and c``)."""

from __future__ import annotations


def quoted(value: str, limit: int = 40) -> str:
    """``'12,5x'`` in quotes; a long value's first ``limit`` characters and "…"."""
    value = value.strip()
    return repr(value if len(value) <= limit else value[:limit] + "…")


def bare(value: str, limit: int = 40) -> str:
    """A number or date as written, without quotes: its start only when it is long."""
    return value if len(value) <= limit else value[:limit] + "…"


def counted(count: int, one: str, many: str | None = None) -> str:
    """``1 open deal``, ``3 open deals``; ``many`` for irregular plurals."""
    return f"{count} {one}" if count == 1 else f"{count} {many or one + 's'}"


def listed(parts: list[str]) -> str:
    """``a and b``, ``a, b and c``."""
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]
