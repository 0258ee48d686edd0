"""Invite codes, care links, and who may read whose data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessEvent, CareLink, InviteCode
from accounts.services import invite_create
from tests.conftest import assert_error, client_for, make_user


def test_patient_creates_a_short_code_that_lasts_48_hours(patient_client, patient):
    response = patient_client.post("/api/v1/care/invites")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["code"]) == 8
    assert body["code"].isalnum()
    assert body["status"] == "open"
    invite = InviteCode.objects.get(patient=patient)
    assert invite.expires_at - invite.created_at == timedelta(hours=48)
    assert patient_client.get("/api/v1/care/invites").json()["results"][0]["code"] == body["code"]


def test_clinician_redeems_a_code_and_the_link_is_active(patient, other_clinician, other_clinician_client):
    invite = invite_create(patient=patient)
    # Codes are read aloud: lower case, spaces and dashes are forgiven.
    typed = f"{invite.code[:4].lower()}-{invite.code[4:]} "
    response = other_clinician_client.post("/api/v1/care/invites/redeem", {"code": typed})
    assert response.status_code == 201, response.content
    assert response.json()["patient"]["email"] == patient.email
    assert CareLink.objects.active().filter(patient=patient, clinician=other_clinician).count() == 1
    patients = other_clinician_client.get("/api/v1/clinician/patients").json()["results"]
    assert [row["patient"]["id"] for row in patients] == [str(patient.id)]


def test_a_code_is_single_use(patient, other_clinician_client, db):
    invite = invite_create(patient=patient)
    assert other_clinician_client.post("/api/v1/care/invites/redeem", {"code": invite.code}).status_code == 201
    third = make_user("frank@example.com", "clinician", mfa=True)
    assert_error(client_for(third).post("/api/v1/care/invites/redeem", {"code": invite.code}), 400, "invalid", ["code"])
    assert client_for(third).post("/api/v1/care/invites/redeem", {"code": invite.code}).json()["error"]["fields"][
        "code"
    ] == ["This code has already been used. Ask your patient for a new one."]


def test_expired_wrong_and_cancelled_codes_are_refused(patient, patient_client, other_clinician_client):
    expired = invite_create(patient=patient)
    InviteCode.objects.filter(id=expired.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    cancelled = invite_create(patient=patient)
    assert patient_client.post(f"/api/v1/care/invites/{cancelled.id}/cancel").json()["status"] == "cancelled"

    for code, message_part in [(expired.code, "expired"), ("ZZZZZZZZ", "not valid"), (cancelled.code, "cancelled")]:
        error = assert_error(
            other_clinician_client.post("/api/v1/care/invites/redeem", {"code": code}), 400, "invalid", ["code"]
        )
        assert message_part in error["fields"]["code"][0]
    assert not CareLink.objects.filter(clinician__email="carol@example.com").exists()


def test_redeem_is_rate_limited(patient, other_clinician_client):
    statuses = [
        other_clinician_client.post("/api/v1/care/invites/redeem", {"code": f"WRONG{i:03d}"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [400] * 10
    error = assert_error(
        other_clinician_client.post("/api/v1/care/invites/redeem", {"code": "WRONG999"}), 429, "throttled"
    )
    assert error["retry_after_seconds"] > 0


def test_only_clinicians_redeem_and_only_patients_invite(
    patient, patient_client, clinician_client, stranger_client, anon_client
):
    invite = invite_create(patient=patient)
    assert_error(stranger_client.post("/api/v1/care/invites/redeem", {"code": invite.code}), 403, "clinician_only")
    assert_error(clinician_client.post("/api/v1/care/invites"), 403, "patient_only")
    assert_error(anon_client.post("/api/v1/care/invites"), 401, "not_authenticated")
    assert_error(anon_client.post("/api/v1/care/invites/redeem", {"code": invite.code}), 401, "not_authenticated")


def test_a_clinician_without_two_factor_cannot_redeem(patient, db):
    doctor = make_user("nomfa@example.com", "clinician")
    invite = invite_create(patient=patient)
    assert_error(client_for(doctor).post("/api/v1/care/invites/redeem", {"code": invite.code}), 403, "mfa_required")
    assert InviteCode.objects.get(id=invite.id).redeemed_at is None


def test_redeem_rejects_bad_input(other_clinician_client):
    assert_error(other_clinician_client.post("/api/v1/care/invites/redeem", {}), 400, "invalid", ["code"])
    assert_error(
        other_clinician_client.post("/api/v1/care/invites/redeem", {"code": "x" * 40}), 400, "invalid", ["code"]
    )
    assert_error(other_clinician_client.post("/api/v1/care/invites/redeem", {"code": ["A"]}), 400, "invalid", ["code"])


def test_patient_lists_and_revokes_a_link_and_it_takes_effect_on_the_next_request(
    patient, patient_client, clinician, clinician_client
):
    links = patient_client.get("/api/v1/care/links").json()["results"]
    assert [(row["clinician"]["email"], row["is_active"]) for row in links] == [("bob@example.com", True)]
    assert clinician_client.get("/api/v1/clinician/patients").json()["results"]

    response = patient_client.post(f"/api/v1/care/links/{links[0]['id']}/revoke")
    assert response.status_code == 200
    assert response.json()["is_active"] is False

    # Same session, very next request.
    assert clinician_client.get("/api/v1/clinician/patients").json()["results"] == []
    assert_error(clinician_client.get(f"/api/v1/clinician/patients/{patient.id}"), 404, "not_found")


def test_nobody_else_can_revoke_a_link(patient, clinician, stranger_client, clinician_client, anon_client):
    link_id = CareLink.objects.get(patient=patient, clinician=clinician).id
    assert_error(stranger_client.post(f"/api/v1/care/links/{link_id}/revoke"), 404, "not_found")
    assert_error(clinician_client.post(f"/api/v1/care/links/{link_id}/revoke"), 403, "patient_only")
    assert_error(anon_client.post(f"/api/v1/care/links/{link_id}/revoke"), 401, "not_authenticated")
    assert CareLink.objects.get(id=link_id).revoked_at is None


def test_a_second_code_for_an_already_linked_clinician_is_refused(patient, clinician, clinician_client):
    invite = invite_create(patient=patient)
    error = assert_error(
        clinician_client.post("/api/v1/care/invites/redeem", {"code": invite.code}), 400, "invalid", ["code"]
    )
    assert "already linked" in error["fields"]["code"][0]
    assert InviteCode.objects.get(id=invite.id).redeemed_at is None


def test_patient_cannot_hold_more_than_five_open_codes(patient_client):
    for _ in range(5):
        assert patient_client.post("/api/v1/care/invites").status_code == 201
    assert_error(patient_client.post("/api/v1/care/invites"), 409, "too_many_open_invites")


def test_relink_after_revoke_needs_a_new_code(patient, revoked_clinician, revoked_clinician_client):
    invite = invite_create(patient=patient)
    assert revoked_clinician_client.post("/api/v1/care/invites/redeem", {"code": invite.code}).status_code == 201
    assert CareLink.objects.filter(patient=patient, clinician=revoked_clinician).count() == 2


def test_access_log_lists_one_event_per_clinician_read(
    patient, patient_client, clinician, clinician_client, stranger_client, anon_client
):
    clinician_client.get(f"/api/v1/clinician/patients/{patient.id}")
    clinician_client.get(f"/api/v1/clinician/patients/{patient.id}")
    assert AccessEvent.objects.filter(patient=patient, clinician=clinician).count() == 2

    body = patient_client.get("/api/v1/me/access-log").json()
    assert [(e["clinician"]["email"], e["resource"]) for e in body["results"]] == [("bob@example.com", "profile")] * 2
    assert body["results"][0]["ip_address"] == "127.0.0.1"
    # Another patient sees none of it; clinicians have no access log of their own here.
    assert stranger_client.get("/api/v1/me/access-log").json()["results"] == []
    assert_error(clinician_client.get("/api/v1/me/access-log"), 403, "patient_only")
    assert_error(anon_client.get("/api/v1/me/access-log"), 401, "not_authenticated")


@pytest.mark.parametrize("who", ["other_clinician_client", "revoked_clinician_client", "stranger_client"])
def test_nobody_but_a_linked_clinician_reads_patient_data(request, patient, who):
    client = request.getfixturevalue(who)
    assert_error(client.get(f"/api/v1/clinician/patients/{patient.id}"), 404, "not_found")
    assert AccessEvent.objects.count() == 0


def test_a_linked_clinician_reads_the_profile(patient, clinician_client):
    response = clinician_client.get(f"/api/v1/clinician/patients/{patient.id}")
    assert response.status_code == 200
    assert response.json() == {
        "id": str(patient.id), "email": "alice@example.com", "name": "Alice", "time_zone": "Europe/London",
        "date_of_birth": None, "vitamin_d_unit": "ng/mL", "dose_unit": "IU",
    }  # fmt: skip


def test_an_unknown_patient_id_is_404_not_500(clinician_client):
    assert_error(
        clinician_client.get("/api/v1/clinician/patients/00000000-0000-0000-0000-000000000000"), 404, "not_found"
    )
    assert_error(clinician_client.get("/api/v1/clinician/patients/not-a-uuid"), 404, "not_found")
