"""How a refusal quotes what was typed or read: whole when short, its start when long."""

from __future__ import annotations


def quoted(value: str, limit: int = 40) -> str:
    """``'12,5x'`` in quotes; a long value's first ``limit`` characters and "…"."""
    value = value.strip()
    return repr(value if len(value) <= limit else value[:limit] + "…")


def bare(value: str, limit: int = 40) -> str:
    """A number or date as written, without quotes: its start only when it is long."""
    return value if len(value) <= limit else value[:limit] + "…"
