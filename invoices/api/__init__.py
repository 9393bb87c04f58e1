"""Invoices API: `/api/v1/invoices` with seed 001's fields and filters, for both directions.

`serializers` holds what goes in and out; `views` the endpoints.
"""
