"""Every operation of the API's schema, tried by every kind of caller.

The operations are read from /api/v1/schema/, so an endpoint added later is in the matrix
without anyone remembering to add it. Each is called, with alice's own ids in its path, by:
anonymous, alice (the owner), bob (linked, two-factor on), frank (linked, no two-factor),
carol (clinician, never linked), erin (clinician, link revoked) and dave (another patient).

For each call: the status the access rules promise, alice's data never in the answer of
someone who may not see it, alice's rows unchanged by anyone but her, and an access-log
event for exactly the linked clinician's reads.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AccessEvent, CareLink, InviteCode, User
from accounts.services import invite_create
from diary.exports.services import export_request
from diary.imports.models import ImportJob
from diary.kinds import KINDS
from diary.models import ReportedDay
from diary.reminders import links
from diary.reminders.models import Delivery, PushSubscription, Reminder
from tests.conftest import client_for, link, make_user
from tests.diary_payloads import KIND_PLURALS, payload
from tests.reminders_support import browser_keys, make_regimen, make_reminder

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "other_patient", "unlinked", "revoked", "linked_no_mfa", "linked", "owner"]
SECRET_NOTE = "alice-private-note-7f3a"
PUBLIC = {"/api/v1/push/vapid-public-key", "/api/v1/reminders/actions/{token}"}
MULTIPART = {"/api/v1/imports"}  # a file upload
# The import template is blank rows: a clinician may hand it to a patient. Anyone may
# delete their own account (an empty body: 400, the password is asked for).
ANY_SIGNED_IN = {
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("post", "/api/v1/me/deletion"),
    ("get", "/api/v1/diary/regimen-templates"),
    ("get", "/api/v1/imports/template.csv"),
}


def category(method: str, path: str) -> str:
    if path in PUBLIC:
        return "public"
    if path == "/api/v1/clinician/patients":
        return "dashboard"
    if path.startswith("/api/v1/clinician/patients/{patient_id}"):
        return "clinician_read" if method == "get" else "clinician_export"
    if path == "/api/v1/care/invites/redeem":
        return "redeem"
    if (method, path) in ANY_SIGNED_IN:
        return "any_signed_in" if method == "get" else "any_signed_in_write"
    return "patient_own"


# What each caller gets, by category. The owner's writes carry an empty body, so a 400
# (validation) or 409 means the access rules let her through.
OWNER_OK = {200, 201, 204, 400, 409}
EXPECTED: dict[str, dict[str, set[int]]] = {
    "clinician_read": {
        "anonymous": {401},
        "owner": {404},
        "linked": {200},
        "linked_no_mfa": {403},
        "unlinked": {404},
        "revoked": {404},
        "other_patient": {404},
    },
    # A linked clinician asking for an export of alice's diary: the empty body is a 400, after
    # the access check (everyone else gets what a read gets).
    "clinician_export": {
        "anonymous": {401},
        "owner": {404},
        "linked": {400},
        "linked_no_mfa": {403},
        "unlinked": {404},
        "revoked": {404},
        "other_patient": {404},
    },
    "dashboard": {
        "anonymous": {401},
        "owner": {403},
        "linked": {200},
        "linked_no_mfa": {403},
        "unlinked": {200},
        "revoked": {200},
        "other_patient": {403},
    },
    "redeem": {
        "anonymous": {401},
        "owner": {403},
        "linked": {400},
        "linked_no_mfa": {403},
        "unlinked": {400},
        "revoked": {400},
        "other_patient": {403},
    },
    "any_signed_in": {caller: {200} for caller in CALLERS if caller != "anonymous"} | {"anonymous": {401}},
    # An empty body: 200 where every field is optional (PATCH /me), else 400.
    "any_signed_in_write": {caller: {200, 400} for caller in CALLERS if caller != "anonymous"} | {"anonymous": {401}},
    "patient_own": {
        "anonymous": {401},
        "owner": OWNER_OK,
        "linked": {403},
        "linked_no_mfa": {403},
        "unlinked": {403},
        "revoked": {403},
        # Their own diary: lists answer their own (empty) rows, alice's ids are a 404, a
        # create with an empty body is a 400; what matters is that nothing of alice's shows.
        "other_patient": {200, 201, 204, 400, 404},
    },
}
# Who may see alice's data in an answer, by category.
MAY_SEE = {
    "clinician_read": {"linked"},
    "clinician_export": {"linked"},
    "dashboard": {"linked"},
    "patient_own": {"owner"},
    "any_signed_in": {"owner"},
    "any_signed_in_write": {"owner"},
    "redeem": set(),
    "public": set(),
}


@pytest.fixture
def world(patient, clinician, other_clinician, revoked_clinician, stranger) -> dict:
    """Alice with one row of each kind, a reminder, a delivery, a device, an open invite,
    and her care links; the callers."""
    frank = make_user("frank@example.com", User.Role.CLINICIAN, name="Dr Frank")  # no two-factor
    link(patient, frank)
    entries = {}
    for kind in KINDS:  # regimens first: a skip names one
        extra = {"regimen_id": entries["regimens"]} if kind == "skip" else {}
        response = client_for(patient).post(
            f"/api/v1/diary/{KIND_PLURALS[kind]}", payload(kind, notes=SECRET_NOTE, **extra), format="json"
        )
        assert response.status_code == 201, response.content
        entries[KIND_PLURALS[kind]] = response.json()["id"]
    now = timezone.now()
    regimen = make_regimen(patient, start_date=timezone.localdate() - timedelta(days=5))
    reminder = make_reminder(patient, now=now, regimen=regimen)
    delivery = Delivery.objects.create(
        reminder=reminder, scheduled_for=now - timedelta(minutes=5), fire_at=now - timedelta(minutes=5), status="sent"
    )
    _, p256dh, auth = browser_keys()
    device = PushSubscription.objects.create(
        user=patient, endpoint="https://fcm.googleapis.com/fcm/send/alice", p256dh=p256dh, auth=auth
    )
    invite = invite_create(patient=patient)
    own_export = export_request(requested_by=patient, patient=patient, format="json")
    clinician_export = export_request(requested_by=clinician, patient=patient, format="json")
    past_import = ImportJob.objects.create(patient=patient, format="csv", filename="old.csv")
    care_link = CareLink.objects.get(patient=patient, clinician=clinician)
    clients = {
        "anonymous": Client(),
        "owner": client_for(patient),
        "linked": client_for(clinician),
        "linked_no_mfa": client_for(frank),
        "unlinked": client_for(other_clinician),
        "revoked": client_for(revoked_clinician),
        "other_patient": client_for(stranger),
    }
    return {
        "patient": patient,
        "clinicians": {"linked": clinician},
        "entries": entries,
        "params": {
            "patient_id": str(patient.id),
            "reminder_id": str(reminder.id),
            "delivery_id": str(delivery.id),
            "subscription_id": str(device.id),
            "invite_id": str(invite.id),
            "link_id": str(care_link.id),
            "token": links.action_token(delivery.id, "snooze"),
            "day": (timezone.localdate() - timedelta(days=2)).isoformat(),
            "export_id": str(own_export.id),
            "import_id": str(past_import.id),
        },
        # An export belongs to whoever asked for it: bob's own of alice's diary.
        "clinician_params": {"export_id": str(clinician_export.id)},
        "clients": clients,
        "markers": [patient.email, SECRET_NOTE, *entries.values()],
    }


def concrete(path: str, world: dict) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == "entry_id":
            kind = path.split("/diary/")[1].split("/")[0]
            return world["entries"][kind]
        if path.startswith("/api/v1/clinician/") and name in world["clinician_params"]:
            return world["clinician_params"][name]
        return world["params"][name]

    return re.sub(r"\{(\w+)\}", fill, path)


def alice_rows(patient: User) -> dict:
    """Alice's rows and their last change: what no one but her may move."""
    state = {
        kind.plural: sorted((str(row.id), row.updated_at) for row in kind.model.objects.filter(patient=patient))
        for kind in KINDS.values()
    }
    state["reminders"] = sorted(Reminder.objects.filter(patient=patient).values_list("id", "updated_at"))
    state["deliveries"] = sorted(
        Delivery.objects.filter(reminder__patient=patient).values_list("id", "status", "dose_id")
    )
    state["devices"] = sorted(PushSubscription.objects.filter(user=patient).values_list("id", "user_id"))
    state["invites"] = sorted(InviteCode.objects.filter(patient=patient).values_list("id", "cancelled_at"))
    state["links"] = sorted(CareLink.objects.filter(patient=patient).values_list("id", "revoked_at"))
    state["reported"] = ReportedDay.objects.filter(patient=patient).count()
    state["profile"] = User.objects.filter(id=patient.id).values().get()
    return state


def _order(operation: tuple[str, str]) -> tuple:
    method, path = operation
    # Reads, then writes, then deletes (a regimen's last: deleting it deletes its skips);
    # revoking the link (which ends bob's access) last.
    method_order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}[method]
    return ("revoke" in path, method_order, "/regimens/" in path, path)


def test_every_operation_for_every_caller(world):
    schema = Client().get("/api/v1/schema/?format=json").json()
    operations = sorted(
        (
            (method, path)
            for path, item in schema["paths"].items()
            for method in item
            if method in ("get", "post", "put", "patch", "delete")
        ),
        key=_order,
    )
    assert len(operations) >= 80
    patient, clients = world["patient"], world["clients"]
    checked = 0
    with mock.patch("diary.dashboard.tasks.refresh_patient_summaries.delay"):
        for method, path in operations:
            kind = category(method, path)
            url = concrete(path, world)
            before = alice_rows(patient)
            for caller in CALLERS:
                if kind == "public" and caller != "anonymous":
                    continue  # the signed link is its own credential: one caller is enough
                events_before = AccessEvent.objects.filter(patient=patient).count()
                call = getattr(clients[caller], method)
                if method == "get":
                    response = call(url)
                elif path in MULTIPART:
                    response = call(url, {}, format="multipart")  # no file in it
                else:
                    response = call(url, {}, content_type="application/json")
                content = b"".join(response.streaming_content) if response.streaming else response.content
                label = f"{caller}: {method.upper()} {path} -> {response.status_code} {content[:200]!r}"
                assert response.status_code < 500, label
                if kind == "public":
                    assert response.status_code not in (401, 403), label
                else:
                    assert response.status_code in EXPECTED[kind][caller], label
                if caller not in MAY_SEE[kind]:
                    body = content.decode("utf-8", "replace")
                    leaked = [marker for marker in world["markers"] if marker in body]
                    assert not leaked, f"{label}: shows {leaked}"
                logged = AccessEvent.objects.filter(patient=patient).count() - events_before
                reads_alice = caller == "linked" and kind in ("clinician_read", "clinician_export", "dashboard")
                assert logged == (1 if reads_alice else 0), f"{label}: {logged} access events"
                if caller == "owner" or kind == "public":
                    continue  # hers to change; the signed link acts for whoever holds it, by design
                assert alice_rows(patient) == before, f"{label}: changed alice's rows"
                checked += 1
    assert checked > 400


def test_an_unknown_patient_id_is_the_same_404_as_an_unlinked_one(world, other_clinician):
    client = client_for(world["clinicians"]["linked"])
    missing = client.get(f"/api/v1/clinician/patients/{uuid.uuid4()}/diary/episodes")
    unlinked = client_for(other_clinician).get(f"/api/v1/clinician/patients/{world['patient'].id}/diary/episodes")
    assert missing.status_code == unlinked.status_code == 404
    assert missing.json() == unlinked.json()
