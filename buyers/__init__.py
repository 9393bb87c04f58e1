"""Buyers: the customers a company issues sales invoices to."""
