"""User actions as plain functions over a ``Session``: no Qt here.

Each function does one user action inside the caller's transaction
(``with db.transaction() as session: ...``) and writes its audit row there too, so
the change and its record commit together or not at all.
"""
