"""The authenticated path: sessions read from the cache, two-factor state on the user row;
and nothing about sessions less safe than before."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
APP = "/_allauth/app/v1"


def log_in(email: str, password: str = PASSWORD) -> str:
    response = Client().post(
        f"{APP}/auth/login", {"email": email, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def me(token: str):
    return Client().get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)


def test_an_authenticated_get_of_me_runs_one_query(patient):
    token = log_in(patient.email)
    assert me(token).status_code == 200  # the first read puts the session in the cache
    with CaptureQueriesContext(connection) as queries:
        assert me(token).status_code == 200
    # The only query: the user row. The session comes from the cache (cached_db), and
    # two-factor state is a column of that row (User.mfa_enabled), not a query of its own.
    assert [q["sql"].split(" FROM ")[1].split()[0] for q in queries] == ['"accounts_user"']


def test_a_cookie_session_is_read_from_the_cache_too(patient):
    client = Client()
    client.force_login(patient)
    client.get("/api/v1/me")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me").status_code == 200
    assert len(queries) <= 2


def test_logout_ends_the_session_on_the_next_request(patient):
    token = log_in(patient.email)
    assert me(token).status_code == 200
    assert Client().delete(f"{APP}/auth/session", HTTP_X_SESSION_TOKEN=token).status_code == 401
    assert me(token).status_code == 401


def test_a_password_change_ends_the_other_sessions(patient):
    other = log_in(patient.email)
    assert me(other).status_code == 200
    current = log_in(patient.email)
    response = Client().post(
        f"{APP}/account/password/change",
        {"current_password": PASSWORD, "new_password": "another-long-password-43"},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=current,
    )
    assert response.status_code == 200, response.content
    assert me(other).status_code == 401


def test_a_deactivated_account_is_refused_on_the_next_request(patient):
    token = log_in(patient.email)
    assert me(token).status_code == 200
    type(patient).objects.filter(id=patient.id).update(is_active=False)
    assert me(token).status_code == 401


def test_two_factor_state_follows_the_authenticators():
    bob = make_user("bob2@example.com", "clinician", mfa=True)
    bob.refresh_from_db()
    assert bob.mfa_enabled is True
    Authenticator.objects.filter(user=bob).delete()
    bob.refresh_from_db()
    assert bob.mfa_enabled is False
    carol = make_user("carol2@example.com", "clinician")
    assert carol.mfa_enabled is False
