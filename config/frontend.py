from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie  # the PWA reads csrftoken for allauth's browser client
def spa_index(request: HttpRequest) -> FileResponse:
    index = settings.FRONTEND_DIST / "index.html"
    if not index.exists():
        raise Http404("The PWA has not been built: run `make frontend`.")
    response = FileResponse(index.open("rb"), content_type="text/html")
    response["Cache-Control"] = "no-cache"
    return response
