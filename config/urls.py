from allauth.headless import urls as allauth_headless_urls
from allauth.headless.spec.views import OpenAPIHTMLView
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views
from config.frontend import spa_index

# The two API explorers load Swagger UI / Redoc from jsDelivr and style themselves inline:
# only these pages get those sources (scripts still never run inline: the split view serves
# Swagger's init script as a file).
_DOCS_CSP = {
    "script-src": ["https://cdn.jsdelivr.net"],
    "style-src": ["https://cdn.jsdelivr.net", "'unsafe-inline'"],
    "img-src": ["https://cdn.jsdelivr.net"],
    "worker-src": ["blob:"],
}

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("diary.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "schema/swagger/", csp_update(_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger"
    ),
]


def _without_phone(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """allauth headless routes its phone endpoints whether or not phone numbers are
    configured; here they are not (email login only), and answering them ran into the
    adapter's NotImplementedError: a 500 for every signed-in user. Unrouted, they are a JSON
    404 (config.views.api_not_found), and allauth's served spec leaves them out as well."""
    kept: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            pattern.url_patterns[:] = _without_phone(list(pattern.url_patterns))
        elif "phone" in (pattern.name or ""):
            continue
        kept.append(pattern)
    return kept


allauth_headless_urls.urlpatterns[:] = _without_phone(allauth_headless_urls.urlpatterns)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("_allauth/openapi.html", csp_update(_DOCS_CSP)(OpenAPIHTMLView.as_view()), name="allauth-openapi-html"),
    path("_allauth/", include("allauth.headless.urls")),
    # Answers 404 unless settings.ADMIN_ENABLED; behind two factors (accounts.admin_site).
    path("admin/", admin.site.urls),
]

# Client-side routes (/history, /verify-email?key=...) all load the app shell; without a
# build, spa_index answers 404 saying so.
urlpatterns += [
    path("", spa_index),
    re_path(r"^(?!api/|_allauth/|admin/|static/|healthz).*$", spa_index),
]

handler404 = "config.views.api_not_found"
handler500 = "config.views.api_server_error"
