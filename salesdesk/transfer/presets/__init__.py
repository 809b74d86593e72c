"""Named imports of known data sets: ``salesdesk import NAME FOLDER``."""

from __future__ import annotations

from salesdesk.transfer.presets import crm_sales_opportunities

PRESETS = {crm_sales_opportunities.NAME: crm_sales_opportunities.import_crm_sales_opportunities}
TITLES = {crm_sales_opportunities.NAME: crm_sales_opportunities.TITLE}
