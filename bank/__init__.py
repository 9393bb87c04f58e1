"""Bank statements and reconciliation (statements, transactions, matches to invoices)."""
