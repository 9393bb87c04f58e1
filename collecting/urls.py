"""API routes of seed 003 (collecting), under /api/v1/."""

from collecting.api import callbacks, customer, user

urlpatterns = [*customer.urlpatterns, *user.urlpatterns, *callbacks.urlpatterns]
