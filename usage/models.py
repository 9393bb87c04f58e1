"""Usage counters: API calls per company and UTC day, the database row being the one truth.

A row is created on a company's first counted call of a day and incremented in place with
`UPDATE ... SET api_calls = api_calls + 1`, so any number of web processes on any number of
machines count into the same row without losing or doubling a call (see `usage.services`).
Invoices processed are not counted here: the invoices themselves are the record (`usage.selectors`).
"""

from django.db import models

from companies.models import Company


class UsageDay(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="usage_days")
    date = models.DateField(help_text="UTC day")
    api_calls = models.PositiveBigIntegerField(default=0, help_text="Calls with sk_live_ tokens: billed")
    test_api_calls = models.PositiveBigIntegerField(default=0, help_text="Calls with sk_test_ tokens: not billed")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "date"], name="unique_usage_day")]
        ordering = ["company", "date"]

    def __str__(self) -> str:
        return f"{self.company} on {self.date}"
