"""The Django admin: off unless enabled, behind a session that passed two-factor, no password
form of its own, and unable to forge care links or touch the access log. Operators verify
clinicians there or with `manage.py verify_clinician`."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.adapter import get_adapter as mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory

from accounts.models import AccessEvent, CareLink, InviteCode, User
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return make_user("ops@example.com", User.Role.CLINICIAN, mfa=True, is_staff=True, is_superuser=True)


def totp_code(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = mfa_adapter().decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def signed_in_with_two_factor(user: User) -> Client:
    """The way staff get in: the app's own login (allauth's browser client), code included."""
    client = Client()
    response = client.post(
        "/_allauth/browser/v1/auth/login", {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 401  # two-factor pending
    response = client.post(
        "/_allauth/browser/v1/auth/2fa/authenticate", {"code": totp_code(user)}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return client


def test_the_admin_is_a_404_when_not_enabled(settings, operator):
    settings.ADMIN_ENABLED = False
    client = signed_in_with_two_factor(operator)
    for path in ("/admin/", "/admin/login/", "/admin/accounts/user/", "/admin/anything"):
        assert client.get(path).status_code == 404, path


def test_it_has_no_password_form(operator):
    page = Client().get("/admin/login/")
    assert page.status_code == 200
    assert b'type="password"' not in page.content
    assert b"Log in to the diary" in page.content
    # Nothing to guess at: the password goes through allauth's rate-limited login only.
    response = Client().post("/admin/login/", {"username": operator.email, "password": PASSWORD})
    assert response.status_code == 405
    assert Client().get("/admin/").status_code == 302


def test_a_password_only_staff_session_is_not_let_in(operator):
    client = Client()
    client.force_login(operator)  # a session with no two-factor record
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert b"did not pass two-factor" in client.get("/admin/login/").content


def test_staff_whose_session_passed_two_factor_get_in(operator):
    client = signed_in_with_two_factor(operator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/").status_code == 302  # already in


def test_a_non_staff_user_with_two_factor_is_not_let_in(clinician):
    client = signed_in_with_two_factor(clinician)
    assert client.get("/admin/").status_code == 302


def test_access_events_are_read_only_and_care_links_cannot_be_made(operator, patient, clinician):
    client = signed_in_with_two_factor(operator)
    event = AccessEvent.objects.create(patient=patient, clinician=clinician, resource="episodes")
    link = CareLink.objects.get()
    assert client.get(f"/admin/accounts/accessevent/{event.id}/change/").status_code == 200  # view only
    assert client.post(f"/admin/accounts/accessevent/{event.id}/change/", {"resource": "x"}).status_code == 403
    assert client.get(f"/admin/accounts/accessevent/{event.id}/delete/").status_code == 403
    assert client.get("/admin/accounts/accessevent/add/").status_code == 403
    assert client.get("/admin/accounts/carelink/add/").status_code == 403
    assert client.post(f"/admin/accounts/carelink/{link.id}/change/", {"revoked_at": ""}).status_code == 403
    assert client.get("/admin/accounts/invitecode/add/").status_code == 403
    AccessEvent.objects.get(id=event.id)  # still there, unchanged
    assert AccessEvent.objects.get(id=event.id).resource == "episodes"
    request = RequestFactory().get("/admin/")
    request.user = operator
    for model in (AccessEvent, CareLink, InviteCode):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_staff_revoke_a_care_link_from_the_admin(operator, patient, clinician):
    client = signed_in_with_two_factor(operator)
    link = CareLink.objects.get()
    response = client.post(
        "/admin/accounts/carelink/", {"action": "revoke_links", "_selected_action": [link.id]}, follow=True
    )
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_operators_verify_clinicians_in_the_admin(operator):
    newcomer = make_user("new-doc@example.com", User.Role.CLINICIAN, verified=False)
    patient = make_user("pat@example.com")
    client = signed_in_with_two_factor(operator)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "verify_clinicians", "_selected_action": [newcomer.id, patient.id]},
        follow=True,
    )
    assert response.status_code == 200
    newcomer.refresh_from_db()
    patient.refresh_from_db()
    assert newcomer.is_verified_clinician
    assert patient.clinician_verified_at is None


def test_operators_verify_clinicians_with_a_command():
    newcomer = make_user("new-doc@example.com", User.Role.CLINICIAN, verified=False)
    out = io.StringIO()
    call_command("verify_clinician", "NEW-DOC@example.com", stdout=out)
    newcomer.refresh_from_db()
    first = newcomer.clinician_verified_at
    assert first is not None
    assert "new-doc@example.com is a verified clinician since" in out.getvalue()
    call_command("verify_clinician", "new-doc@example.com", stdout=io.StringIO())
    newcomer.refresh_from_db()
    assert newcomer.clinician_verified_at == first  # verifying again keeps the date
    make_user("pat@example.com")
    with pytest.raises(CommandError, match="not a clinician"):
        call_command("verify_clinician", "pat@example.com")
    with pytest.raises(CommandError, match="No account"):
        call_command("verify_clinician", "nobody@example.com")
