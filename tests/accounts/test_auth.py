"""Signup, verification, login and /me through both allauth headless clients."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD, assert_error, make_user


class BrowserClient:
    """allauth's `browser` client: session cookie plus CSRF header."""

    kind = "browser"

    def __init__(self) -> None:
        self.http = Client(enforce_csrf_checks=True)
        self.http.get("/_allauth/browser/v1/auth/session")

    def _headers(self) -> dict:
        return {"HTTP_X_CSRFTOKEN": self.http.cookies["csrftoken"].value}

    def post(self, path: str, data: dict):
        return self.http.post(
            path.replace("{client}", "browser"), data, content_type="application/json", **self._headers()
        )

    def patch(self, path: str, data: dict):
        return self.http.patch(path, data, content_type="application/json", **self._headers())

    def get(self, path: str):
        return self.http.get(path.replace("{client}", "browser"))

    def remember(self, response) -> None:
        pass


class AppClient:
    """allauth's `app` client: X-Session-Token, no cookies, no CSRF."""

    kind = "app"

    def __init__(self) -> None:
        self.http = Client()
        self.token: str | None = None

    def _headers(self) -> dict:
        return {"HTTP_X_SESSION_TOKEN": self.token} if self.token else {}

    def post(self, path: str, data: dict):
        response = self.http.post(
            path.replace("{client}", "app"), data, content_type="application/json", **self._headers()
        )
        self.remember(response)
        return response

    def patch(self, path: str, data: dict):
        return self.http.patch(path, data, content_type="application/json", **self._headers())

    def get(self, path: str):
        return self.http.get(path.replace("{client}", "app"), **self._headers())

    def remember(self, response) -> None:
        if response.headers.get("Content-Type", "").startswith("application/json"):
            token = response.json().get("meta", {}).get("session_token")
            if token:
                self.token = token
        # The app client must never depend on cookies.
        self.http.cookies.clear()


# allauth mails codes like "JGGN-NVLL" on a line of their own.
CODE_RE = re.compile(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})?)\s*$", re.MULTILINE)


@pytest.fixture(params=["browser", "app"])
def auth_client(request, db):
    return BrowserClient() if request.param == "browser" else AppClient()


def _verification_code() -> str:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    match = CODE_RE.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_it_signs_up_verifies_and_reads_me(auth_client):
    response = auth_client.post(
        "/_allauth/{client}/v1/auth/signup",
        {"email": "new@example.com", "password": PASSWORD, "role": "patient", "time_zone": "Pacific/Auckland"},
    )
    assert response.status_code == 401, response.content
    pending = [flow for flow in response.json()["data"]["flows"] if flow.get("is_pending")]
    assert pending[0]["id"] == "verify_email"

    # Not logged in until the email is verified.
    assert auth_client.get("/api/v1/me").status_code == 401

    response = auth_client.post("/_allauth/{client}/v1/auth/email/verify", {"key": _verification_code()})
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["is_authenticated"] is True

    response = auth_client.get("/api/v1/me")
    assert response.status_code == 200, response.content
    me = response.json()
    assert me["email"] == "new@example.com"
    assert me["role"] == "patient"
    assert me["time_zone"] == "Pacific/Auckland"
    assert me["mfa_enabled"] is False
    assert set(me) == {
        "id", "email", "name", "role", "time_zone", "date_of_birth",
        "vitamin_d_unit", "dose_unit", "mfa_enabled", "date_joined",
    }  # fmt: skip


def test_it_signs_up_a_clinician(auth_client):
    auth_client.post(
        "/_allauth/{client}/v1/auth/signup", {"email": "doc@example.com", "password": PASSWORD, "role": "clinician"}
    )
    auth_client.post("/_allauth/{client}/v1/auth/email/verify", {"key": _verification_code()})
    assert User.objects.get(email="doc@example.com").role == "clinician"


def test_it_rejects_unknown_role_and_time_zone_at_signup(auth_client):
    response = auth_client.post(
        "/_allauth/{client}/v1/auth/signup",
        {"email": "x@example.com", "password": PASSWORD, "role": "admin", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 400
    params = {error.get("param") for error in response.json()["errors"]}
    assert params == {"role", "time_zone"}
    assert not User.objects.filter(email="x@example.com").exists()


def test_it_logs_in_and_patches_me(auth_client):
    make_user("alice@example.com")
    response = auth_client.post(
        "/_allauth/{client}/v1/auth/login", {"email": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.content

    response = auth_client.patch(
        "/api/v1/me",
        {
            "name": "Alice A.",
            "time_zone": "America/Los_Angeles",
            "date_of_birth": "1961-04-02",
            "vitamin_d_unit": "nmol/L",
            "dose_unit": "ug",
        },
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(email="alice@example.com")
    assert (user.name, user.time_zone, str(user.date_of_birth), user.vitamin_d_unit, user.dose_unit) == (
        "Alice A.", "America/Los_Angeles", "1961-04-02", "nmol/L", "ug",
    )  # fmt: skip


def test_it_answers_429_after_repeated_wrong_passwords(auth_client):
    make_user("alice@example.com")
    statuses = [
        auth_client.post(
            "/_allauth/{client}/v1/auth/login", {"email": "alice@example.com", "password": "wrong-password-x"}
        ).status_code
        for _ in range(7)
    ]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    # Even the right password is refused while the limit holds.
    response = auth_client.post(
        "/_allauth/{client}/v1/auth/login", {"email": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_it_resets_a_forgotten_password(auth_client):
    make_user("alice@example.com")
    response = auth_client.post("/_allauth/{client}/v1/auth/password/request", {"email": "alice@example.com"})
    assert response.status_code == 401, response.content  # a pending password_reset_by_code flow
    code = CODE_RE.search(mail.outbox[-1].body).group(1)
    response = auth_client.post(
        "/_allauth/{client}/v1/auth/password/reset", {"key": code, "password": "another-long-password-7"}
    )
    assert response.status_code in (200, 401), response.content
    assert User.objects.get(email="alice@example.com").check_password("another-long-password-7")


def _current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_a_clinician_without_two_factor_gets_403_then_200_after_totp_setup(auth_client):
    from tests.conftest import link

    patient = make_user("alice@example.com")
    doctor = make_user("doc@example.com", role="clinician")
    auth_client.post("/_allauth/{client}/v1/auth/login", {"email": "doc@example.com", "password": PASSWORD})

    assert_error(auth_client.get("/api/v1/clinician/patients"), 403, "mfa_required")

    # The TOTP setup flow, as the PWA runs it: confirm the password (allauth asks for a
    # fresh reauthentication before changing authenticators), fetch a secret, confirm a code.
    assert auth_client.post("/_allauth/{client}/v1/auth/reauthenticate", {"password": PASSWORD}).status_code == 200
    response = auth_client.get("/_allauth/{client}/v1/account/authenticators/totp")
    assert response.status_code == 404
    secret = response.json()["meta"]["secret"]
    response = auth_client.post("/_allauth/{client}/v1/account/authenticators/totp", {"code": _current_totp(secret)})
    assert response.status_code == 200, response.content

    link(patient, doctor)
    response = auth_client.get("/api/v1/clinician/patients")
    assert response.status_code == 200, response.content
    assert [row["patient"]["email"] for row in response.json()["results"]] == ["alice@example.com"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"time_zone": "Europe/Atlantis"}, ["time_zone"]),
        ({"name": "x" * 151}, ["name"]),
        ({"date_of_birth": "yesterday"}, ["date_of_birth"]),
        ({"date_of_birth": "2999-01-01"}, ["date_of_birth"]),
        ({"vitamin_d_unit": "mg"}, ["vitamin_d_unit"]),
        ({"name": ["not", "a", "string"], "dose_unit": 5}, ["name", "dose_unit"]),
    ],
)
def test_me_rejects_bad_input_with_field_errors(patient_client, patient, payload, fields):
    before = User.objects.filter(pk=patient.pk).values().get()
    response = patient_client.patch("/api/v1/me", payload, format="json")
    assert_error(response, 400, "invalid", fields)
    assert User.objects.filter(pk=patient.pk).values().get() == before


def test_me_rejects_malformed_json(patient_client):
    response = patient_client.generic("PATCH", "/api/v1/me", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_me_needs_authentication(anon_client, db):
    assert_error(anon_client.get("/api/v1/me"), 401, "not_authenticated")
