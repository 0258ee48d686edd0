"""The offline sync batch: per-item answers, partial success, bounded queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diary.models import DailyCheckin, SpasmEpisode, SupplementDose, SupplementRegimen
from tests.conftest import assert_error, require_postgres
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db


def item(kind: str, **overrides) -> dict:
    body = payload(kind, **overrides)
    return {"kind": kind, "id": body.pop("id"), "recorded_at": timezone.now().isoformat(), "payload": body}


def episodes(count: int, start: int = 0) -> list[dict]:
    now = timezone.now()
    return [
        item("episode", occurred_at=(now - timedelta(minutes=10 * (i + start) + 1)).isoformat()) for i in range(count)
    ]


def mixed_batch(size: int) -> list[dict]:
    """Every kind, as a phone might queue them over a week offline."""
    today = timezone.localdate()
    regimen = item("regimen")
    batch = [regimen]
    batch += [item("checkin", local_date=(today - timedelta(days=d + 1)).isoformat()) for d in range(3)]
    batch += [item("sun"), item("lab"), item("dose", regimen_id=regimen["id"])]
    batch += episodes(size - len(batch))
    return batch


def sync(client, items):
    response = client.post("/api/v1/diary/sync", {"items": items}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_500_item_batch_with_10_invalid_stores_490_and_reports_the_10(patient_client):
    batch = mixed_batch(500)
    bad_positions = list(range(10, 500, 49))[:10]
    for position in bad_positions:
        batch[position]["payload"]["severity"] = 42
    body = sync(patient_client, batch)
    assert body["summary"] == {"created": 490, "unchanged": 0, "conflict": 0, "invalid": 10}
    invalid = [r for r in body["results"] if r["status"] == "invalid"]
    assert [r["index"] for r in invalid] == bad_positions
    assert all(r["errors"] == {"severity": ["Ensure this value is less than or equal to 10."]} for r in invalid)
    assert SpasmEpisode.objects.count() == 500 - 7 - 10
    assert SupplementDose.objects.get().regimen_id == uuid.UUID(batch[0]["id"])
    assert [r["index"] for r in body["results"]] == list(range(500))


def test_the_query_count_does_not_grow_with_the_batch(patient_client):
    # SQLite caps bound parameters, so Django splits a bulk insert there; PostgreSQL
    # takes each kind's rows in one statement, and that is what production runs.
    require_postgres()
    counts = []
    for size in (20, 500):
        DailyCheckin.objects.all().delete()  # the same days again would be conflicts, not inserts
        with CaptureQueriesContext(connection) as queries:
            body = sync(patient_client, mixed_batch(size))
        assert body["summary"]["created"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # session and user, per kind: existing ids and one insert (with savepoints), then the
    # reported days and the dashboard summary's stale mark.
    assert counts[1] <= 36


def test_resending_a_batch_is_unchanged_and_changed_content_is_a_conflict(patient_client):
    batch = episodes(3)
    assert sync(patient_client, batch)["summary"]["created"] == 3
    batch[1]["payload"]["severity"] = 1
    body = sync(patient_client, batch)
    assert [r["status"] for r in body["results"]] == ["unchanged", "conflict", "unchanged"]
    assert body["results"][1]["entry"]["severity"] == 6
    assert SpasmEpisode.objects.count() == 3


def test_the_same_id_twice_in_one_batch_is_stored_once(patient_client):
    first = episodes(1)[0]
    body = sync(patient_client, [first, first])
    assert [r["status"] for r in body["results"]] == ["created", "unchanged"]
    assert SpasmEpisode.objects.count() == 1


def test_a_second_checkin_for_a_day_is_a_conflict(patient_client):
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    body = sync(patient_client, [item("checkin", local_date=day), item("checkin", local_date=day, no_cramps=True)])
    assert [(r["status"], r["code"]) for r in body["results"]] == [("created", None), ("conflict", "checkin_exists")]
    assert DailyCheckin.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_item", "field"),
    [
        ({"kind": "nap", "id": str(uuid.uuid4()), "payload": {}}, "kind"),
        ({"kind": "episode", "id": str(uuid.uuid4()), "payload": "calf"}, "payload"),
        ({"kind": "episode", "payload": payload("episode") | {"id": None}}, "id"),
        ({"kind": "episode", "id": "123", "payload": {}}, "id"),
        ("just a string", "kind"),
        (
            {"kind": "dose", "id": str(uuid.uuid4()), "payload": payload("dose", regimen_id=str(uuid.uuid4()))},
            "regimen_id",
        ),
    ],
)
def test_malformed_items_are_reported_one_by_one(patient_client, bad_item, field):
    good = episodes(1)
    body = sync(patient_client, [bad_item, *good])
    assert body["results"][0]["status"] == "invalid"
    assert field in body["results"][0]["errors"]
    assert body["results"][1]["status"] == "created"


def test_the_batch_itself_must_be_a_list_of_1_to_500(patient_client):
    assert_error(patient_client.post("/api/v1/diary/sync", {"items": []}, format="json"), 400, "invalid", ["items"])
    assert_error(
        patient_client.post("/api/v1/diary/sync", {"items": episodes(501)}, format="json"), 400, "invalid", ["items"]
    )
    assert_error(patient_client.post("/api/v1/diary/sync", {"items": "x"}, format="json"), 400, "invalid", ["items"])
    assert_error(patient_client.post("/api/v1/diary/sync", {}, format="json"), 400, "invalid", ["items"])
    assert SpasmEpisode.objects.count() == 0


def test_a_regimen_and_its_doses_in_one_batch(patient_client):
    regimen = item("regimen", supplement="magnesium", amount="300", unit="mg")
    dose = item("dose", supplement="magnesium", amount="300", unit="mg", regimen_id=regimen["id"])
    body = sync(patient_client, [dose, regimen])
    assert [r["status"] for r in body["results"]] == ["created", "created"]
    assert SupplementRegimen.objects.get().doses.count() == 1
