"""Retries racing each other against PostgreSQL: one row, no 500."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from diary.models import SpasmEpisode
from tests.conftest import require_postgres
from tests.diary_payloads import payload


@pytest.mark.django_db(transaction=True)
def test_20_concurrent_posts_of_one_id_make_one_row(patient):
    require_postgres()
    body = payload("episode")
    login = APIClient()
    login.force_login(patient)
    cookies = login.cookies
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        client = APIClient()
        client.cookies = cookies
        barrier.wait()
        try:
            status = client.post("/api/v1/diary/episodes", body, format="json").status_code
        finally:
            connection.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 19 + [201]
    assert SpasmEpisode.objects.filter(id=body["id"]).count() == 1
