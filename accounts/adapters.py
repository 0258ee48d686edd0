from __future__ import annotations

import math
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
from allauth.core.ratelimit import respond_429
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import User
from config.client_ip import client_ip

# allauth's lockouts raise a form error (400) with one of these codes: the password's and
# the TOTP code's `login_failed` limit, and the same limit on confirming a new TOTP
# authenticator ("rate_limited").
LOCKED_OUT = {"too_many_login_attempts", "rate_limited"}


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits key on this. Behind the proxy, REMOTE_ADDR is the proxy's
        # address for everyone (one shared budget); config.client_ip reads the hop the
        # trusted proxy vouches for. allauth's own version raises PermissionDenied (a 403
        # page) when the address is garbage: the peer address is the fallback here.
        return client_ip(request) or request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104

    def login(self, request: HttpRequest, user) -> None:
        # Logging in during the deletion grace period restores the account. Before Django's
        # login: the session then stores the auth hash of the restored account.
        from accounts.services import account_deletion_cancel

        account_deletion_cancel(user=user)
        super().login(request, user)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        request._login_failed_key = self._get_login_attempts_cache_key(request, **credentials)
        super().pre_authenticate(request, **credentials)

    def validation_error(self, code, *args) -> ValidationError:
        # allauth refuses a locked-out login, and a locked-out TOTP code, with a 400 form
        # error. Clients (and proxies, and our own PWA) treat 429 as "slow down, try later":
        # answer that, with Retry-After saying when.
        if code in LOCKED_OUT:
            request = _current_request()
            if request is not None:
                response = respond_429(request)
                response["Retry-After"] = str(login_failed_retry_after(request))
                raise ImmediateHttpResponse(response)
        return super().validation_error(code, *args)

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        """The whole account in one INSERT, validated first: the signup form's role, name and
        time zone are set before the row is written, so a value the database refuses can
        never leave a half-made account behind (accounts.forms.SignupForm.signup is then a no-op)."""
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        user.role = data.get("role") or User.Role.PATIENT
        user.name = data.get("name") or ""
        user.time_zone = data.get("time_zone") or "UTC"
        # A clinician is unverified until an operator says otherwise (manage.py verify_clinician).
        user.clinician_verified_at = None
        user.full_clean(exclude=["password"], validate_unique=False)
        if commit:
            user.save()
        return user


def _current_request() -> HttpRequest | None:
    from allauth.core import context

    return getattr(context, "request", None)


def login_failed_retry_after(request: HttpRequest, now: float | None = None) -> int:
    """Seconds until allauth's `login_failed` limits let this client try again: the oldest
    counted failure of each exhausted limit (per IP, per account) must age out first. The
    account's key is known for a password login (stashed by pre_authenticate); for a TOTP
    lockout it is not, and that limit's whole window is the honest upper bound."""
    now = time.time() if now is None else now
    key = getattr(request, "_login_failed_key", None)
    waits = []
    for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
        if rate.per == "key" and key is None:
            waits.append(math.ceil(rate.duration))
            continue
        cache_key = ratelimit.get_cache_key(request, app="allauth.account", action="login_failed", rate=rate, key=key)
        history = cache.get(cache_key) or []
        if len(history) >= rate.amount:
            waits.append(math.ceil(history[-1] + rate.duration - now))
    return max([1, *waits])
