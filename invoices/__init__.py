"""Invoices in both directions: sales invoices to buyers and purchase invoices from suppliers."""
