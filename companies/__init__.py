"""Tenancy: companies, their plans, and the staff users who belong to them."""
