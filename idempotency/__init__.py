"""Idempotency-Key: a POST that creates something, sent twice with the same key, is carried out once."""
