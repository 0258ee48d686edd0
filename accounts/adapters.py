from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request: HttpRequest, user) -> None:
        # Logging in during the deletion grace period restores the account. Before Django's
        # login: the session then stores the auth hash of the restored account.
        from accounts.services import account_deletion_cancel

        account_deletion_cancel(user=user)
        super().login(request, user)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth refuses a rate-limited login with a 400 form error; clients (and
        # proxies, and our own PWA) treat 429 as "slow down, try later", so answer that.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from exc
            raise
