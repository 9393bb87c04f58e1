"""Usage counters: API calls per company and UTC day.

A row is created on a company's first counted call of a day and added to in place with
`UPDATE ... SET api_calls = api_calls + n`, so any number of processes on any number of machines add
into the same row without losing or doubling a call (see `usage.services`). Calls reach the row in
bulk: from the Redis counters when there is a shared cache (the `cache_*` columns say how much of
them is in the row already), else from each web process's buffer (`usage.recording`).
Invoices processed are not counted here: the invoices themselves are the record (`usage.selectors`).
"""

from django.db import models

from companies.models import Company


class UsageDay(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="usage_days")
    date = models.DateField(help_text="UTC day")
    api_calls = models.PositiveBigIntegerField(default=0, help_text="Calls with sk_live_ tokens: billed")
    test_api_calls = models.PositiveBigIntegerField(default=0, help_text="Calls with sk_test_ tokens: not billed")
    # What the day's Redis counters (usage.counters) had reached when last added to this row, and which
    # life of those counters that was (they start again, with a later epoch, if Redis loses them).
    cache_epoch = models.BigIntegerField(default=0, help_text="Epoch of the Redis counters last added; 0: none")
    cache_api_calls = models.PositiveBigIntegerField(default=0, help_text="Redis live counter when last added")
    cache_test_api_calls = models.PositiveBigIntegerField(default=0, help_text="Redis test counter when last added")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "date"], name="unique_usage_day")]
        ordering = ["company", "date"]

    def __str__(self) -> str:
        return f"{self.company} on {self.date}"
