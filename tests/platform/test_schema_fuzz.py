"""Property-based requests from the OpenAPI schema: no 500s, no response that breaks it.

schemathesis reads /api/v1/schema/ from the app itself and sends generated requests
(valid and invalid) to every operation as an authenticated patient.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import PASSWORD, make_user

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture
def session_token(db):
    from django.test import Client

    make_user("fuzz@example.com", name="Fuzz", time_zone="Europe/Berlin")
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": "fuzz@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    token = response.json()["meta"]["session_token"]
    # schemathesis calls the WSGI app directly, so Django's request_started/finished
    # handlers would close the test's database connection mid-transaction. Django's test
    # client disconnects them around each request (and reconnects after, which is why
    # this comes after the login above).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield token
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_answers_every_generated_request_without_a_server_error(case, session_token):
    case.call_and_validate(
        headers={"X-Session-Token": session_token},
        checks=[not_a_server_error, response_schema_conformance],
    )
