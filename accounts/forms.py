from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User, validate_time_zone
from config.api.jsonguard import bad_text


def validate_storable_text(value: str) -> None:
    # config.middleware.JSONGuardMiddleware refuses such text for every allauth body; this
    # keeps the form safe on its own (a lone surrogate cannot be stored, so the INSERT failed).
    if bad_text(value):
        raise ValidationError("Use plain text (no NUL characters or lone surrogates).", code="invalid_text")


class SignupForm(forms.Form):
    """Extra signup fields. allauth headless folds these into its signup input,
    so `POST /_allauth/{client}/v1/auth/signup` accepts `role`, `name` and `time_zone`.

    They are validated with the rest of the signup input and written with the user row
    itself (accounts.adapters.AccountAdapter.save_user), never by a second save after it."""

    role = forms.ChoiceField(choices=User.Role.choices, required=False)
    name = forms.CharField(max_length=150, required=False, validators=[validate_storable_text])
    time_zone = forms.CharField(max_length=64, required=False, validators=[validate_time_zone])

    def signup(self, request, user: User) -> None:
        """allauth's hook after the user is saved: nothing left to do (see save_user)."""
