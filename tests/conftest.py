"""Shared people and clients.

Everyone the access rules talk about is defined once here:

- ``patient``: alice, owns the diary;
- ``clinician``: bob, linked to alice, two-factor on;
- ``other_clinician``: carol, two-factor on, never linked;
- ``revoked_clinician``: erin, was linked to alice, the link is revoked;
- ``stranger``: dave, another patient.

Under CI=true a service the suite needs (PostgreSQL, Redis) that is missing fails the run
instead of skipping tests.
"""

from __future__ import annotations

import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "a-long-test-password-42"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not IN_CI:
        return
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL under CI")
    if not os.environ.get("REDIS_URL"):
        problems.append("REDIS_URL must be set under CI")
    else:
        import redis

        try:
            redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis at REDIS_URL does not answer: {exc}")
    if problems:
        pytest.exit("CI is missing services: " + "; ".join(problems), returncode=3)


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("This test needs PostgreSQL and CI must provide it")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def require_redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        if IN_CI:
            pytest.fail("This test needs Redis and CI must provide it")
        pytest.skip("needs Redis (set REDIS_URL)")
    return url


def make_user(email: str, role: str = User.Role.PATIENT, *, mfa: bool = False, verified: bool = True, **extra) -> User:
    """A user with a verified email; a clinician is also verified by an operator unless
    `verified=False` (as a fresh clinician signup is)."""
    if role == User.Role.CLINICIAN and verified:
        extra.setdefault("clinician_verified_at", timezone.now())
    user = User.objects.create_user(email=email, password=PASSWORD, role=role, **extra)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def link(patient: User, clinician: User):
    invite = account_services.invite_create(patient=patient)
    return account_services.invite_redeem(clinician=clinician, code=invite.code)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts from zero.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def patient(db) -> User:
    return make_user("alice@example.com", name="Alice", time_zone="Europe/London")


@pytest.fixture
def clinician(db, patient) -> User:
    bob = make_user("bob@example.com", User.Role.CLINICIAN, mfa=True, name="Dr Bob")
    link(patient, bob)
    return bob


@pytest.fixture
def other_clinician(db) -> User:
    return make_user("carol@example.com", User.Role.CLINICIAN, mfa=True, name="Dr Carol")


@pytest.fixture
def revoked_clinician(db, patient) -> User:
    erin = make_user("erin@example.com", User.Role.CLINICIAN, mfa=True, name="Dr Erin")
    care_link = link(patient, erin)
    account_services.care_link_revoke(patient=patient, link_id=care_link.id)
    return erin


@pytest.fixture
def stranger(db) -> User:
    return make_user("dave@example.com", name="Dave", time_zone="America/New_York")


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def patient_client(patient) -> APIClient:
    return client_for(patient)


@pytest.fixture
def clinician_client(clinician) -> APIClient:
    return client_for(clinician)


@pytest.fixture
def other_clinician_client(other_clinician) -> APIClient:
    return client_for(other_clinician)


@pytest.fixture
def revoked_clinician_client(revoked_clinician) -> APIClient:
    return client_for(revoked_clinician)


@pytest.fixture
def stranger_client(stranger) -> APIClient:
    return client_for(stranger)


def assert_error(response, status: int, code: str | None = None, fields: list[str] | None = None) -> dict:
    """Every API error uses one envelope; check all of it."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code, error
    if fields is not None:
        assert sorted(error["fields"]) == sorted(fields), error
    return error
