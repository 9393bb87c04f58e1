"""Connections to QuickBooks Online and Xero, and publishing invoices to them."""
