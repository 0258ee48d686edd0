from allauth.headless import urls as allauth_headless_urls
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import views
from config.frontend import spa_index

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("diary.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger"),
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
    path("_allauth/", include("allauth.headless.urls")),
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
