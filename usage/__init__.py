"""Usage per company and billing period: invoices processed and API calls, against the plan's limits."""
