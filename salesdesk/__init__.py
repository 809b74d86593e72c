"""SalesDesk: run a sales team from the desktop."""

__version__ = "0.1.0"
APP_NAME = "SalesDesk"
ORG_NAME = "SalesDesk"
