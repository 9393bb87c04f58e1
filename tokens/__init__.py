"""API tokens: issued to a company with scopes and an optional expiry, stored only as a hash."""
