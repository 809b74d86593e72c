"""The default sales process, role ladder and lost reasons of a new database.

They are data once written: users rename, reorder and extend them.
"""

from typing import NamedTuple


class StageDefault(NamedTuple):
    name: str
    probability: int  # percent
    stale_days: int | None
    is_won: bool


DEFAULT_PIPELINE = "New business"

# The nine steps of the sales process (README).  Reaching "Deal" wins the deal;
# "After Sales" follows a won deal, so it counts as won too.
DEFAULT_STAGES: tuple[StageDefault, ...] = (
    StageDefault("Contact", 5, 14, False),
    StageDefault("Information Exchange", 10, 14, False),
    StageDefault("Lead Generation", 15, 21, False),
    StageDefault("Identification", 25, 21, False),
    StageDefault("Qualification", 40, 21, False),
    StageDefault("Proposal", 60, 14, False),
    StageDefault("Negotiation", 80, 10, False),
    StageDefault("Deal", 100, None, True),
    StageDefault("After Sales", 100, None, True),
)

RENEWALS_PIPELINE = "Renewals"
RENEWAL_STAGES: tuple[StageDefault, ...] = (
    StageDefault("Renewal Due", 50, 30, False),
    StageDefault("Review", 70, 21, False),
    StageDefault("Negotiation", 85, 14, False),
    StageDefault("Renewed", 100, None, True),
)

# Senior first; rank 1 is the most senior.
DEFAULT_ROLES: tuple[str, ...] = (
    "VP Sales",
    "Director of Sales",
    "Sales Manager",
    "Branch Manager",
    "Team Leader",
    "Salesperson",
)

DEFAULT_LOST_REASONS: tuple[str, ...] = (
    "Price too high",
    "Chose a competitor",
    "No budget",
    "No decision / went silent",
    "Timing: not now",
    "Product does not fit",
    "Other",
)

ACTIVITY_KINDS: tuple[str, ...] = ("call", "meeting", "email", "task")

DEFAULT_CURRENCY = "EUR"
