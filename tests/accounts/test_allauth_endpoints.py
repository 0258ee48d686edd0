"""allauth headless answers in JSON everywhere: its sessions endpoint (usersessions), a path
it does not serve, a method it does not serve, a refused CSRF check."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _app_login(email: str) -> tuple[Client, str]:
    client = Client()
    response = client.post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return client, response.json()["meta"]["session_token"]


def test_the_sessions_endpoint_lists_and_ends_sessions_as_allauths_spec_says(patient):
    client, token = _app_login(patient.email)
    _, other_token = _app_login(patient.email)
    listed = client.get("/_allauth/app/v1/auth/sessions", HTTP_X_SESSION_TOKEN=token)
    assert listed.status_code == 200
    sessions = listed.json()["data"]
    assert len(sessions) == 2
    assert sum(s["is_current"] for s in sessions) == 1
    other = next(s["id"] for s in sessions if not s["is_current"])
    ended = client.delete(
        "/_allauth/app/v1/auth/sessions",
        {"sessions": [other]},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert ended.status_code == 200
    assert client.get("/api/v1/me", HTTP_X_SESSION_TOKEN=other_token).status_code == 401
    assert "/_allauth/{client}/v1/auth/sessions" in Client().get("/_allauth/openapi.json").json()["paths"]


@pytest.mark.parametrize("path", ["/_allauth/app/v1/nowhere", "/_allauth/browser/v1/account/phone", "/_allauth/x"])
def test_a_path_allauth_does_not_serve_is_a_json_404(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_method_allauth_does_not_serve_is_a_405_not_a_form_error():
    response = Client().put("/_allauth/app/v1/auth/login", {"email": "x"}, content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "OPTIONS, POST"
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
    assert Client().generic("TRACE", "/_allauth/app/v1/auth/session").status_code == 405


def test_a_refused_csrf_check_is_json_in_allauths_shape(patient):
    response = Client(enforce_csrf_checks=True).post(
        "/_allauth/browser/v1/auth/login",
        {"email": patient.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "csrf_failed"
