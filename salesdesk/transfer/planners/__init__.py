"""One planner per kind: turns parsed rows into rows to insert or update, under the
same rules the screens keep (the hierarchy's, the pipeline's), and says what is wrong.

A planner gets ``row(number, values, columns)`` for every row of the file, where
``values`` holds the parsed, non-empty fields and ``columns`` the header each came from
(for problems), then ``finish()`` once: checks that need the whole file (the org chart
of a people file) happen there.

Duplicates (a row naming a record that exists, by the kind's keys): ``skip`` leaves it,
``update`` writes the row's values over it, ``create`` adds another one where the key
allows it (and says why not where it does not: emails and external ids are unique).

One module a kind of record (``people``, ``accounts``, ``contacts``, ``products``,
``deals``, ``targets``); ``base`` holds what they share.
"""

from __future__ import annotations

from salesdesk.transfer.planners.accounts import AccountsPlanner
from salesdesk.transfer.planners.contacts import ContactsPlanner
from salesdesk.transfer.planners.deals import DealsPlanner
from salesdesk.transfer.planners.people import PeoplePlanner
from salesdesk.transfer.planners.products import ProductsPlanner
from salesdesk.transfer.planners.targets import TargetsPlanner

PLANNERS = {"people": PeoplePlanner, "accounts": AccountsPlanner, "contacts": ContactsPlanner,
            "products": ProductsPlanner, "deals": DealsPlanner, "targets": TargetsPlanner}
