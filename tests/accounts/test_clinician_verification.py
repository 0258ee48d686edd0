"""Anyone can sign up as a clinician: such an account is unverified until an operator checks
it, and the patient sees that beside the name."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import clinician_verify
from tests.conftest import PASSWORD, assert_error, client_for, link, make_user

pytestmark = pytest.mark.django_db


def test_signing_up_as_a_clinician_makes_an_unverified_clinician():
    response = Client().post(
        "/_allauth/app/v1/auth/signup",
        {"email": "doc@example.com", "password": PASSWORD, "role": "clinician", "name": "Dr Doe"},
        content_type="application/json",
    )
    assert response.status_code == 401, response.content  # email verification pending
    doc = User.objects.get(email="doc@example.com")
    assert (doc.role, doc.clinician_verified_at, doc.is_verified_clinician) == ("clinician", None, False)


def test_the_patient_sees_whether_each_clinician_is_verified(patient, clinician):
    newcomer = make_user("new-doc@example.com", User.Role.CLINICIAN, mfa=True, verified=False, name="Dr New")
    link(patient, newcomer)
    links = client_for(patient).get("/api/v1/care/links").json()["results"]
    assert {row["clinician"]["name"]: row["clinician"]["verified"] for row in links} == {
        "Dr Bob": True,
        "Dr New": False,
    }
    clinician_verify(clinician=newcomer)
    links = client_for(patient).get("/api/v1/care/links").json()["results"]
    assert all(row["clinician"]["verified"] for row in links)


def _redeem(client, code: str):
    return client.post("/api/v1/care/invites/redeem", {"code": code}, format="json")


def test_an_unverified_clinician_has_a_tighter_redeem_budget(patient):
    newcomer = make_user("new-doc@example.com", User.Role.CLINICIAN, mfa=True, verified=False)
    client = client_for(newcomer)
    assert [_redeem(client, f"WRONG{i:03d}").status_code for i in range(3)] == [400] * 3
    response = _redeem(client, "WRONG999")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # Once verified, the ordinary budget applies (its own count starts afresh).
    clinician_verify(clinician=newcomer)
    newcomer.refresh_from_db()
    assert _redeem(client_for(newcomer), "WRONG998").status_code == 400
    link(patient, newcomer)  # and linking still works
