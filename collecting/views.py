"""Collecting's pages: the user's credential page (`GET /api/v1/user?token=`) and the dashboard's (being built)."""

from django.http import HttpRequest, HttpResponse

from collecting.models import CollectorUser


def user_page(request: HttpRequest, user: CollectorUser) -> HttpResponse:
    """The credential page of `user` (placeholder until the page itself is built)."""
    return HttpResponse(f"<!doctype html><title>Credentials</title><p>{user.locale}</p>", content_type="text/html")
