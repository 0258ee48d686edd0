"""The Django admin behind two factors.

The admin is off unless DJANGO_ADMIN_ENABLED says otherwise (every admin URL is then a 404).
When on, its own login form is gone: it took a password with no second factor and no rate
limit. Staff sign in through the app (allauth headless: rate limited per IP and per account,
TOTP required once enabled), and the admin lets in a staff user only when this very session
passed two-factor authentication.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse


def session_passed_two_factor(request: HttpRequest) -> bool:
    # Imported here: this module is loaded while the app registry is being populated.
    from allauth.account.authentication import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class TwoFactorAdminSite(admin.AdminSite):
    site_header = "Spasm diary administration"
    site_title = "Spasm diary admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and session_passed_two_factor(request)

    def admin_view(self, view, cacheable: bool = False):
        wrapped = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            _refuse_when_off()
            return wrapped(request, *args, **kwargs)

        return guarded

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """No password form: a page saying how to get in."""
        _refuse_when_off()
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": "Sign in with two-factor",
            "signed_in": request.user.is_authenticated,
            "is_staff": getattr(request.user, "is_staff", False),
        }
        return TemplateResponse(request, "admin/two_factor_login.html", context)

    def catch_all_view(self, request: HttpRequest, url: str):
        _refuse_when_off()
        return super().catch_all_view(request, url)


def _refuse_when_off() -> None:
    if not settings.ADMIN_ENABLED:
        raise Http404("The admin is not enabled on this server.")


class TwoFactorAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.TwoFactorAdminSite"
