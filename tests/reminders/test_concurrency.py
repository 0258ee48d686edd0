"""Races against PostgreSQL with real threads and real transactions: ticks, sends and
"Taken" presses running at the same time still make one delivery, one send, one dose."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from diary.models import SupplementDose
from diary.reminders import send, services, transports
from diary.reminders import tick as tick_module
from diary.reminders.models import Delivery, Reminder
from tests.conftest import require_postgres
from tests.reminders_support import FakePushService, hm, make_regimen, make_reminder, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


class Recorder:
    def __init__(self) -> None:
        self.ids: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, delivery_ids, countdown=None) -> None:
        with self.lock:
            self.ids.extend(delivery_ids)


def _in_threads(*targets) -> list:
    """Run each target in its own thread (own connection); answer their results in order."""
    results: list = [None] * len(targets)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def run(index, target):
        barrier.wait()
        try:
            results[index] = target()
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t), name=f"t{i}") for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(tick_module, "enqueue_sends", recorder)
    return recorder


def test_two_concurrent_ticks_make_one_delivery_per_slot(patient, recorder):
    require_postgres()
    now = timezone.now().replace(second=0, microsecond=0)
    for minute in range(240):
        make_reminder(patient, now=now - timedelta(days=1), local_time=hm(f"{minute // 60:02d}:{minute % 60:02d}"))
    Reminder.objects.update(next_fire_at=now)

    reports = _in_threads(
        lambda: tick_module.reminders_tick(now=now, batch_size=20),
        lambda: tick_module.reminders_tick(now=now, batch_size=20),
    )

    assert sum(report.claimed for report in reports) == 240  # every reminder claimed by exactly one tick
    assert Delivery.objects.count() == 240
    assert sorted(recorder.ids) == sorted(Delivery.objects.values_list("id", flat=True))


def test_a_tick_skips_the_reminders_another_tick_holds(patient, recorder, monkeypatch):
    """The interleaving that matters, forced: tick A has claimed (row locks held, nothing
    committed) when tick B runs. B must skip the row, and once A commits, nothing is due."""
    require_postgres()
    now = timezone.now().replace(second=0, microsecond=0)
    reminder = make_reminder(patient, now=now - timedelta(days=1), local_time=hm("07:00"))
    Reminder.objects.filter(id=reminder.id).update(next_fire_at=now)
    claimed, proceed = threading.Event(), threading.Event()
    plan = tick_module._plan

    def plan_slowly(rows, at):
        if threading.current_thread().name == "A":
            claimed.set()
            proceed.wait(10)
        return plan(rows, at)

    monkeypatch.setattr(tick_module, "_plan", plan_slowly)
    reports = {}

    def run(name):
        try:
            reports[name] = tick_module.reminders_tick(now=now)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("A",), name="A")
    first.start()
    assert claimed.wait(10)
    second = threading.Thread(target=run, args=("B",), name="B")
    second.start()
    second.join(10)
    # B came back while A still held the row: it skipped the row instead of waiting for it
    # (without SKIP LOCKED it would block here until A commits, then find nothing due).
    blocked = second.is_alive()
    proceed.set()
    first.join(10)
    third = tick_module.reminders_tick(now=now)

    second.join(10)
    assert not blocked, "the second tick waited for the first one's row lock"
    assert (reports["A"].claimed, reports["B"].claimed, third.claimed) == (1, 0, 0)
    assert Delivery.objects.count() == 1
    assert len(recorder.ids) == 1


def test_two_workers_sending_the_same_batch_send_each_delivery_once(patient, recorder, monkeypatch, vapid):
    require_postgres()
    service = FakePushService()
    monkeypatch.setattr(transports, "new_session", lambda: service)
    subscribe(patient)
    now = timezone.now().replace(second=0, microsecond=0)
    for minute in range(30):
        make_reminder(patient, now=now - timedelta(days=1), local_time=hm(f"06:{minute:02d}"))
    Reminder.objects.update(next_fire_at=now)
    tick_module.reminders_tick(now=now)
    ids = list(recorder.ids)

    reports = _in_threads(lambda: send.deliver(ids), lambda: send.deliver(ids))

    assert sum(report.sent for report in reports) == 30
    assert len(service.requests) == 30
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_taken_pressed_eight_times_at_once_makes_one_dose(patient, recorder):
    require_postgres()
    now = timezone.now().replace(second=0, microsecond=0)
    reminder = make_reminder(patient, now=now - timedelta(days=1), regimen=make_regimen(patient))
    delivery = Delivery.objects.create(reminder=reminder, scheduled_for=now, fire_at=now, status="sent")

    results = _in_threads(*[lambda: services.delivery_taken(delivery=delivery) for _ in range(8)])

    assert SupplementDose.objects.filter(patient=patient).count() == 1
    assert sum(result.created for result in results) == 1
    assert {result.dose.id for result in results} == {SupplementDose.objects.get().id}
