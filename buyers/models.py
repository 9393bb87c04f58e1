"""Buyers a company invoices, with the identifiers e-invoicing needs (tax id, registration)."""

from django.db import models

from companies.models import Company
from invoisx.ids import PublicIdField


class Buyer(models.Model):
    public_id = PublicIdField(prefix="byr")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="buyers")
    name = models.CharField(max_length=200)
    tax_id = models.CharField(max_length=50, blank=True)
    registration_number = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    notes = models.TextField(blank=True)
    wants_ubl = models.BooleanField(default=False, help_text="Email the UBL e-invoice with the PDF")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["company", "name"]),
            models.Index(fields=["company", "tax_id"]),
        ]

    def __str__(self) -> str:
        return self.name
