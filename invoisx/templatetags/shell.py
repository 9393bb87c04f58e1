"""Template tags of the dashboard's shell (templates/base.html): the navigation section of a page, and
the locale amounts are written in (for the scripts that write amounts in the browser)."""

from django import template

from invoisx.locale import viewer_locale

register = template.Library()


@register.simple_tag(name="viewer_locale")
def viewer_locale_tag() -> str:
    return viewer_locale()


# The sections of the top navigation, each with the route names (or name prefixes, ending in "*")
# whose pages belong to it, so the current section is marked on every page of it.
_SECTIONS = {
    "home": ("home",),
    "review": ("review-queue", "review*"),
    "invoices": ("invoices", "invoice-*"),
    "bank": ("bank-*", "reconciliation*", "match-*"),
    "buyers": ("buyers", "buyer-*"),
    "suppliers": ("suppliers", "supplier-*"),
    "usage": ("usage",),
    "settings": (
        "settings",
        "company-*",
        "signing",
        "series*",
        "collecting-*",
        "collector-*",
        "token*",
        "webhook*",
        "integration*",
        "team*",
        "member*",
        "invitation*",
    ),
}


@register.simple_tag(takes_context=True)
def nav_section(context: template.Context) -> str:
    """The navigation section of the page being shown ("" when none)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", None) or ""
    for section, names in _SECTIONS.items():
        for pattern in names:
            if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
                return section
    return ""
