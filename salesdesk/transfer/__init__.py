"""Import and export of people, accounts, contacts, products, deals and targets (no Qt).

- ``reading``: CSV (any common delimiter and encoding) and XLSX, streamed row by row;
- ``values``: cells to values, with a reason when they don't fit; formula neutralising;
- ``kinds`` and ``mapping``: the fields of each kind, guessed column mappings, saved as JSON;
- ``context``, ``planners``, ``plan``: every row checked before anything is written;
- ``writing``: the plan in bulk, in the caller's transaction, with an audit row;
- ``importer``: ``import_file`` -- all or nothing, a dry run, a backup first;
- ``export``: a kind to CSV (UTF-8 with BOM) or XLSX, cells neutralised;
- ``presets``: named imports of known data sets (``crm-sales-opportunities``).
"""
