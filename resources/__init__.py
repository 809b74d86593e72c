"""SalesDesk's shipped files, installed as the package ``salesdesk.resources``.

Nothing to import here: ``salesdesk.resource_files`` finds this folder, in a checkout
or an installation, and reads from it.
"""
