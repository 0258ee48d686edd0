from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import views
from config.frontend import spa_index

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("diary.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger"),
]

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
