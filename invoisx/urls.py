"""Top-level routes: the API under /api/v1/, the staff dashboard, and the Django admin."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from dashboard.urls import auth_urlpatterns
from invoisx.api.views import AuthVersionApi, PingApi
from invoisx.csp import csp_extend
from invoisx.throttles import throttle_login
from signing.views import jwks_view

api_v1: list[URLPattern | URLResolver] = [
    path("ping", PingApi.as_view(), name="ping"),
    path("auth/version", AuthVersionApi.as_view(), name="auth-version"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's stylesheet draws its icons from data: URLs.
    path("docs", csp_extend(img_src=["data:"])(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("", include("companies.urls")),
    path("", include("buyers.urls")),
    path("", include("invoices.urls")),
    path("", include("bank.urls")),
    path("", include("webhooks.urls")),
    path("", include("usage.urls")),
    path("", include("integrations.urls")),
    path("", include("signing.urls")),
    path("", include("collecting.urls")),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"))),
    path(".well-known/jwks.json", jwks_view, name="jwks"),
    # Ahead of the admin's own route to its login page, which it does not throttle.
    path("admin/login/", throttle_login(admin.site.login)),
    path("admin/", admin.site.urls),
    *auth_urlpatterns,
    path("", include("dashboard.urls")),
]

handler400 = "invoisx.api.views.bad_request"
handler403 = "invoisx.api.views.permission_denied"
handler404 = "invoisx.api.views.not_found"
handler500 = "invoisx.api.views.server_error"
