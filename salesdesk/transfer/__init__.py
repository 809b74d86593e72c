"""Import and export of people, accounts, contacts, products, deals and targets (no Qt).

- ``reading``: CSV (any common delimiter and encoding) and XLSX, streamed row by row;
- ``values``: cells to values, with a reason when they don't fit; formula neutralising;
- ``kinds`` and ``mapping``: the fields of each kind, guessed column mappings, saved as JSON;
- ``context``, ``planners``, ``plan``: every row checked before anything is written;
- ``writing``: the plan in bulk, in the caller's transaction, with an audit row;
- ``importer``: ``import_file`` -- all or nothing, a dry run, a backup first;
- ``preview``: the first rows, a column's words and their possible targets (the wizard);
- ``export``: a kind to CSV (UTF-8 with BOM) or XLSX, cells neutralised;
- ``presets``: named imports of known data sets (``crm-sales-opportunities``).

No schema change was needed: people, accounts and deals already carry a unique
``external_id``, products a unique ``code``, contacts are found by email (or by name
within their account) and targets by their own unique key (person, period, metric), so
duplicates are found and re-imports skip what is there without a migration.
"""
