"""Fixtures for the reminders tests: tick, enqueued, push_service, vapid."""

from __future__ import annotations

from datetime import datetime

import pytest

from diary.reminders import tick as tick_module
from diary.reminders import transports
from tests.reminders_support import FakePushService, vapid_pair


class Enqueued(list):
    """Delivery ids put on the broker, in order; `countdowns` maps each to its delay."""

    def __init__(self) -> None:
        super().__init__()
        self.countdowns: dict[int, float | None] = {}

    def clear(self) -> None:
        super().clear()
        self.countdowns.clear()

    def __call__(self, delivery_ids, countdown=None) -> None:
        self.extend(delivery_ids)
        self.countdowns.update(dict.fromkeys(delivery_ids, countdown))


@pytest.fixture
def enqueued(monkeypatch) -> Enqueued:
    """What the code under test put on the broker (the broker itself is not used)."""
    recorder = Enqueued()
    monkeypatch.setattr(tick_module, "enqueue_sends", recorder)
    return recorder


@pytest.fixture
def tick(enqueued, django_capture_on_commit_callbacks):
    def run(now: datetime, **kwargs) -> tick_module.TickReport:
        with django_capture_on_commit_callbacks(execute=True):
            return tick_module.reminders_tick(now=now, **kwargs)

    return run


@pytest.fixture
def vapid(settings) -> tuple[str, str]:
    private, public = vapid_pair()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = private
    settings.WEBPUSH_VAPID_PUBLIC_KEY = public
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:ops@example.com"
    return private, public


@pytest.fixture
def push_service(monkeypatch, vapid) -> FakePushService:
    service = FakePushService()
    monkeypatch.setattr(transports, "new_session", lambda: service)
    return service
