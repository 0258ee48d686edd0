from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth refuses a rate-limited login with a 400 form error; clients (and
        # proxies, and our own PWA) treat 429 as "slow down, try later", so answer that.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from exc
            raise

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        """The whole account in one INSERT, validated first: the signup form's role, name and
        time zone are set before the row is written, so a value the database refuses can
        never leave a half-made account behind (accounts.forms.SignupForm.signup is then a no-op)."""
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        user.role = data.get("role") or User.Role.PATIENT
        user.name = data.get("name") or ""
        user.time_zone = data.get("time_zone") or "UTC"
        user.full_clean(exclude=["password"], validate_unique=False)
        if commit:
            user.save()
        return user

