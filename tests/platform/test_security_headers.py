"""Security headers on a sample of responses, under production settings: the middleware
stack and every header setting are taken from config.settings.production as loaded with a
complete production environment (tests/platform/test_settings.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.platform.test_settings import import_production, production_env

pytestmark = pytest.mark.django_db

HEADER_SETTINGS = [
    "MIDDLEWARE",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY_DENY",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_REDIRECT_EXEMPT",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "ADMIN_ENABLED",
    "TRUSTED_PROXIES",
    "DEBUG",
]


@pytest.fixture
def production(settings):
    module = import_production(production_env())
    for name in HEADER_SETTINGS:
        setattr(settings, name, getattr(module, name))
    assert settings.ADMIN_ENABLED is False and settings.SECURE_SSL_REDIRECT is True
    return settings


HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def sample(patient) -> dict[str, object]:
    anonymous, signed_in = Client(), client_for(patient)
    return {
        "GET /api/v1/me (signed in)": signed_in.get("/api/v1/me", **HTTPS),
        "GET /api/v1/me (anonymous: 401)": anonymous.get("/api/v1/me", **HTTPS),
        "POST /api/v1/diary/episodes (400)": signed_in.post(
            "/api/v1/diary/episodes", {}, content_type="application/json", **HTTPS
        ),
        "GET /api/v1/nowhere (404)": anonymous.get("/api/v1/nowhere", **HTTPS),
        "GET /api/v1/push/vapid-public-key": anonymous.get("/api/v1/push/vapid-public-key", **HTTPS),
        "GET /_allauth/browser/v1/auth/session": anonymous.get("/_allauth/browser/v1/auth/session", **HTTPS),
        "GET /_allauth/app/v1/config": anonymous.get("/_allauth/app/v1/config", **HTTPS),
        "GET / (the app shell)": anonymous.get("/", **HTTPS),
        "GET /admin/ (off: 404)": anonymous.get("/admin/", **HTTPS),
        "GET /healthz": anonymous.get("/healthz", **HTTPS),
    }


def test_every_sampled_response_carries_the_security_headers(production, patient, monkeypatch):
    monkeypatch.setattr("config.views._broker_ok", lambda: True)
    for label, response in sample(patient).items():
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'", label
        assert directives["script-src"] == "'self'", label  # no inline script, no eval
        assert directives["connect-src"] == "'self'", label
        assert directives["object-src"] == "'none'", label
        assert directives["frame-ancestors"] == "'none'", label
        assert "unsafe" not in policy, label
        assert "camera=()" in response["Permissions-Policy"], label
        assert "geolocation=()" in response["Permissions-Policy"], label
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", label
        assert response["X-Content-Type-Options"] == "nosniff", label
        assert response["Referrer-Policy"] == "same-origin", label
        assert response["X-Frame-Options"] == "DENY", label
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", label


def test_api_and_allauth_responses_are_never_stored(production, patient):
    for label, response in sample(patient).items():
        path = label.split(" ")[1]
        if path.startswith(("/api/", "/_allauth/")):
            assert response["Cache-Control"] == "no-store", label


def test_plain_http_is_redirected_to_https(production, patient):
    response = Client().get("/api/v1/me")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/me"


def test_the_api_explorers_get_only_what_they_load(production):
    # Swagger UI and Redoc come from jsDelivr; their pages may load it, and nothing else may.
    for path in ("/api/v1/schema/swagger/", "/_allauth/openapi.html"):
        policy = Client().get(path, **HTTPS)["Content-Security-Policy"]
        assert "https://cdn.jsdelivr.net" in policy
        assert "script-src 'self' https://cdn.jsdelivr.net;" in policy + ";"
    assert "jsdelivr" not in Client().get("/api/v1/me", **HTTPS)["Content-Security-Policy"]
