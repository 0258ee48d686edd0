"""The send path: real web push requests (against a stand-in push service), email with its
signed link, the push service's answers, and the claim that keeps a delivery to one send."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.utils import timezone
from py_vapid import Vapid02
from rest_framework.test import APIClient

from diary.models import DailyCheckin, SupplementDose
from diary.reminders import send, services, tasks, transports
from diary.reminders import tick as tick_module
from diary.reminders.models import Delivery, PushSubscription
from diary.services import no_cramps_record
from tests.reminders_support import decrypt, hm, make_regimen, make_reminder, subscribe

pytestmark = pytest.mark.django_db


def _now() -> datetime:
    # Doses are validated against the real clock, so these tests live in the present.
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture
def due(patient, tick, enqueued):
    """Make a reminder due right now and run the tick: answers the delivery ids it enqueued."""

    def make(channel: str = "push", regimen: bool = True, **data) -> list[int]:
        now = _now()
        reminder = make_reminder(
            patient,
            now=now - timedelta(days=1),
            regimen=make_regimen(patient) if regimen else None,
            local_time=hm("00:00"),
            channel=channel,
            **data,
        )
        reminder.__class__.objects.filter(id=reminder.id).update(next_fire_at=now)
        enqueued.clear()
        tick(now)
        return list(enqueued)

    return make


def test_a_push_is_a_real_web_push(patient, due, push_service, vapid):
    subscription, browser_key = subscribe(patient)
    ids = due()

    report = send.deliver(ids)

    assert (report.sent, report.failed) == (1, 0)
    [request] = push_service.requests
    headers = request["headers"]
    assert request["url"] == subscription.endpoint
    assert headers["content-encoding"] == "aes128gcm"
    assert 60 <= int(headers["ttl"]) <= 2 * 3600
    assert headers["urgency"] == "high"
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,32}", headers["topic"])
    # RFC 8292: "vapid t=<JWT signed by our key>,k=<our public key>", audience = the push service.
    authorization = headers["authorization"]
    assert authorization.startswith("vapid t=")
    assert Vapid02.verify(authorization)
    assert authorization.split("k=")[1] == vapid[1]
    claims_b64 = authorization.split("t=")[1].split(",")[0].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=" * (-len(claims_b64) % 4)))
    assert claims["aud"] == "https://fcm.googleapis.com"
    assert claims["sub"] == "mailto:ops@example.com"
    # The body decrypts with the browser's key: the dose named, two actions, under 3 KB.
    plain = decrypt(request["data"], browser_key, subscription.auth)
    assert len(plain) < 3 * 1024
    payload = json.loads(plain)
    assert payload["delivery_id"] == ids[0]
    assert payload["title"] == "Vitamin D3 1,000 IU"
    assert payload["tag"] == headers["topic"]
    # The day before says nothing about cramps: the second action asks about it.
    assert [(a["action"], a["title"], a["method"]) for a in payload["actions"]] == [
        ("taken", "Taken", "POST"),
        ("no_cramps", "No cramps yesterday", "POST"),
    ]
    delivery = Delivery.objects.get(id=ids[0])
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.sent_at is not None and delivery.claimed_at is not None
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None


def _actions(push_service, browser_key, subscription, request=0) -> dict[str, str]:
    payload = json.loads(decrypt(push_service.requests[request]["data"], browser_key, subscription.auth))
    return {a["action"]: a["url"] for a in payload["actions"]}


def test_no_cramps_yesterday_from_the_notification_is_one_idempotent_statement(patient, due, push_service):
    subscription, browser_key = subscribe(patient)
    send.deliver(due())
    url = _actions(push_service, browser_key, subscription)["no_cramps"]
    first, again = APIClient().post(url), APIClient().post(url)  # the service worker: no session
    assert (first.status_code, again.status_code) == (200, 410), first.content  # a link works once
    yesterday = _now().astimezone(patient.zone).date() - timedelta(days=1)
    assert first.json()["checkin"]["local_date"] == yesterday.isoformat()
    assert first.json()["checkin"]["no_cramps"] is True
    assert DailyCheckin.objects.filter(patient=patient, local_date=yesterday, no_cramps=True).count() == 1


def test_no_cramps_yesterday_is_not_offered_once_yesterday_is_reported(patient, due, push_service):
    subscription, browser_key = subscribe(patient)
    yesterday = _now().astimezone(patient.zone).date() - timedelta(days=1)
    no_cramps_record(patient=patient, day=yesterday)
    send.deliver(due())
    assert set(_actions(push_service, browser_key, subscription)) == {"taken", "snooze"}


def test_the_push_actions_work_without_a_session(patient, due, push_service):
    subscription, browser_key = subscribe(patient)
    no_cramps_record(patient=patient, day=_now().astimezone(patient.zone).date() - timedelta(days=1))
    ids = due()
    send.deliver(ids)
    urls = _actions(push_service, browser_key, subscription)

    snoozed = APIClient().post(urls["snooze"])  # no cookie, no CSRF token: the service worker
    assert snoozed.status_code == 200, snoozed.content
    assert snoozed.json()["snooze"]["status"] == "scheduled"
    taken = APIClient().post(urls["taken"])
    assert taken.status_code == 200
    assert taken.json()["dose"]["amount_normalised"] == 1000.0
    assert SupplementDose.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(patient, due, push_service, status):
    gone, _ = subscribe(patient, "https://fcm.googleapis.com/fcm/send/gone")
    kept, _ = subscribe(patient, "https://updates.push.services.mozilla.com/wpush/v2/kept")
    push_service.by_url = {gone.endpoint: status}
    ids = due()

    report = send.deliver(ids)

    assert (report.sent, report.gone_subscriptions) == (1, 1)
    assert list(PushSubscription.objects.values_list("id", flat=True)) == [kept.id]
    # With no device left the next reminder is failed, and says why.
    push_service.by_url = {kept.endpoint: 410}
    delivery_id = due(regimen=False, label="Magnesium")
    send.deliver(delivery_id)
    assert not PushSubscription.objects.exists()
    failed = Delivery.objects.get(id=delivery_id[0])
    assert failed.status == "failed"
    assert "410" in failed.last_error


@pytest.mark.parametrize(("status", "retry_after"), [(429, "120"), (500, None), (503, None)])
def test_throttling_and_server_errors_are_retried_with_exponential_backoff(
    patient, due, push_service, enqueued, status, retry_after
):
    subscribe(patient)
    push_service.retry_after = retry_after
    [delivery_id] = due()
    countdowns = []
    for _ in range(tick_module.MAX_ATTEMPTS):
        push_service.statuses = [status]
        enqueued.clear()
        send.deliver([delivery_id])
        countdowns.append(enqueued.countdowns.get(delivery_id))

    delivery = Delivery.objects.get(id=delivery_id)
    assert (delivery.status, delivery.attempts) == ("failed", tick_module.MAX_ATTEMPTS)
    assert countdowns[-1] is None  # the last attempt is not retried
    waits = countdowns[:-1]
    if retry_after:
        assert all(120 <= wait <= 150 for wait in waits)  # the push service's Retry-After, jittered
    else:
        for attempt, wait in enumerate(waits):  # 30 s, 60 s, 120 s... each with up to 25% jitter
            assert 30 * 2**attempt <= wait <= round(30 * 2**attempt * 1.25)
    assert len(push_service.requests) == tick_module.MAX_ATTEMPTS


def test_a_retry_that_succeeds_sends_once(patient, due, push_service):
    subscribe(patient)
    [delivery_id] = due()
    push_service.statuses = [503]
    send.deliver([delivery_id])
    assert Delivery.objects.get(id=delivery_id).status == "pending"
    push_service.statuses = [201]
    send.deliver([delivery_id])
    send.deliver([delivery_id])
    assert Delivery.objects.get(id=delivery_id).status == "sent"
    assert len(push_service.requests) == 2


def test_email_carries_a_signed_one_click_taken_link(patient, due, settings):
    settings.PUBLIC_BASE_URL = "https://diary.example.com"
    ids = due(channel="email")
    assert send.deliver(ids).sent == 1
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert "Vitamin D3 1,000 IU" in message.subject
    link = re.search(r"https://diary\.example\.com(/api/v1/reminders/actions/\S+)", message.body).group(1)

    opened = APIClient().get(link)  # the mail client (or its link scanner): no login
    assert opened.status_code == 200
    assert opened["Content-Type"].startswith("text/html")
    assert b"Log this dose?" in opened.content
    assert not SupplementDose.objects.exists()  # opening the link changed nothing

    confirmed = APIClient().post(link, {"confirm": "1"}, format="multipart")  # the page's button
    assert confirmed.status_code == 200
    assert b"Logged" in confirmed.content
    assert SupplementDose.objects.filter(patient=patient).count() == 1
    assert Delivery.objects.get(id=ids[0]).status == "taken"


def test_both_channels_count_as_sent_when_one_gets_through(patient, due, push_service):
    subscribe(patient)
    push_service.statuses = [503]
    ids = due(channel="both")
    assert send.deliver(ids).sent == 1
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(id=ids[0]).status == "sent"


def test_push_without_a_device_fails_and_says_why(patient, due, push_service):
    ids = due()
    assert send.deliver(ids).failed == 1
    assert Delivery.objects.get(id=ids[0]).last_error == "no device registered for push"


def test_push_without_vapid_keys_fails_and_says_why(patient, due, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = settings.WEBPUSH_VAPID_PUBLIC_KEY = None
    subscribe(patient)
    ids = due()
    send.deliver(ids)
    assert Delivery.objects.get(id=ids[0]).last_error == "push is not configured on the server"


def test_a_delivery_found_too_late_is_missed_not_sent(patient, due, push_service):
    subscribe(patient)
    ids = due()
    report = send.deliver(ids, now=timezone.now() + timedelta(hours=2, minutes=5))
    assert report.missed == 1
    assert push_service.requests == []
    assert Delivery.objects.get(id=ids[0]).status == "missed"


# --- the claim: one send per delivery -----------------------------------------------------
def test_two_workers_given_the_same_ids_send_once(patient, due, push_service):
    subscribe(patient)
    ids = due()
    now = timezone.now()
    assert send.claim_for_sending(ids, now) == ids
    assert send.claim_for_sending(ids, now) == []
    Delivery.objects.filter(id__in=ids).update(status="pending")
    send.deliver(ids)
    assert send.deliver(ids).skipped == 1
    assert len(push_service.requests) == 1


def test_a_worker_killed_mid_batch_neither_loses_nor_duplicates(patient, due, push_service, tick, enqueued):
    subscribe(patient)
    first = due(regimen=False, label="A")
    second = due(regimen=False, label="B")
    ids = first + second
    start = timezone.now()
    # Worker 1 claims both, sends the first, records it, and dies before the second.
    send.claim_for_sending(ids, start)
    Delivery.objects.filter(id=first[0]).update(status="sent", sent_at=start)
    # Its message comes back (acks_late) while its claim still stands: nothing is sent twice.
    assert send.deliver(ids, now=start + timedelta(minutes=1)).skipped == 2
    enqueued.clear()
    tick(start + timedelta(minutes=4))
    assert enqueued == []
    # Once the lease runs out the tick puts the unsent one back, and only that one.
    tick(start + timedelta(minutes=6))
    assert enqueued == second
    send.deliver(enqueued, now=start + timedelta(minutes=6))
    assert [r["url"] for r in push_service.requests] == ["https://fcm.googleapis.com/fcm/send/abc"]
    assert set(Delivery.objects.filter(id__in=ids).values_list("status", flat=True)) == {"sent"}


def test_a_message_lost_before_any_worker_is_sent_after_the_lease(patient, due, tick, enqueued):
    ids = due(channel="email")
    enqueued.clear()
    tick(timezone.now() + timedelta(minutes=11))
    assert enqueued == ids


def test_taken_pressed_while_sending_is_not_overwritten(patient, due, push_service):
    subscribe(patient)
    ids = due()

    def press_taken(claimed):
        services.delivery_taken(delivery=Delivery.objects.get(id=claimed[0]))

    send.deliver(ids, on_claimed=press_taken)
    assert len(push_service.requests) == 1
    assert Delivery.objects.get(id=ids[0]).status == "taken"


def test_the_task_hands_back_its_claim_at_the_time_limit(patient, due, monkeypatch, enqueued):
    ids = due(channel="email")

    def deliver_until_time_runs_out(delivery_ids, on_claimed):
        on_claimed(send.claim_for_sending(delivery_ids, timezone.now()))
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(send, "deliver", deliver_until_time_runs_out)
    enqueued.clear()
    assert tasks.send_deliveries.run(ids) == {"released": 1}
    assert enqueued == ids
    assert Delivery.objects.get(id=ids[0]).status == "pending"


def test_the_payload_stays_under_3kb_with_the_longest_label(patient, due, push_service):
    subscription, browser_key = subscribe(patient)
    ids = due(regimen=False, label="Ж" * 80)
    send.deliver(ids)
    plain = decrypt(push_service.requests[0]["data"], browser_key, subscription.auth)
    assert len(plain) < 3 * 1024
    assert json.loads(plain)["title"] == "Ж" * 80


def test_an_oversized_payload_is_refused_rather_than_truncated_by_the_service():
    with pytest.raises(ValueError, match="limit"):
        transports.encode_payload({"body": "x" * 4000})


def test_generate_vapid_keys_prints_a_working_pair(capsys):
    from django.core.management import call_command

    call_command("generate_vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    assert (
        transports.vapid_problems(
            lines["WEBPUSH_VAPID_PRIVATE_KEY"], lines["WEBPUSH_VAPID_PUBLIC_KEY"], "mailto:a@example.com"
        )
        == []
    )
    other_public = transports.generate_vapid_keys()[1]
    assert transports.vapid_problems(lines["WEBPUSH_VAPID_PRIVATE_KEY"], other_public, "mailto:a@example.com") == [
        "WEBPUSH_VAPID_PUBLIC_KEY is not the public half of WEBPUSH_VAPID_PRIVATE_KEY."
    ]


def test_retry_after_is_read_in_seconds_or_as_a_date():
    assert transports.parse_retry_after("30") == 30.0
    later = (datetime.now(UTC) + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 80 <= transports.parse_retry_after(later) <= 91
    assert transports.parse_retry_after("soon") is None


def test_the_system_check_refuses_a_vapid_pair_that_cannot_work(settings, vapid):
    from diary.reminders.checks import vapid_keys_check

    assert vapid_keys_check(None) == []
    settings.WEBPUSH_VAPID_PUBLIC_KEY = transports.generate_vapid_keys()[1]
    settings.WEBPUSH_VAPID_SUBJECT = "ops@example.com"
    assert [error.id for error in vapid_keys_check(None)] == ["reminders.E001", "reminders.E002"]
    settings.WEBPUSH_VAPID_PUBLIC_KEY = None
    assert "or neither" in vapid_keys_check(None)[0].msg
