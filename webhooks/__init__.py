"""Webhook endpoints per company and the signed, retried delivery of events to them."""
