"""API conventions shared by every endpoint: envelope, errors, ids, pagination, scopes, rate limits."""
