"""Collecting's pages: the user's credential page (`GET /api/v1/user?token=`) and the dashboard's (being built)."""
