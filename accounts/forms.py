from __future__ import annotations

from django import forms

from accounts.models import User, validate_time_zone


class SignupForm(forms.Form):
    """Extra signup fields. allauth headless folds these into its signup input,
    so `POST /_allauth/{client}/v1/auth/signup` accepts `role`, `name` and `time_zone`."""

    role = forms.ChoiceField(choices=User.Role.choices, required=False)
    name = forms.CharField(max_length=150, required=False)
    time_zone = forms.CharField(max_length=64, required=False, validators=[validate_time_zone])

    def signup(self, request, user: User) -> None:
        user.role = self.cleaned_data.get("role") or User.Role.PATIENT
        user.name = self.cleaned_data.get("name") or ""
        user.time_zone = self.cleaned_data.get("time_zone") or "UTC"
        user.save(update_fields=["role", "name", "time_zone"])
