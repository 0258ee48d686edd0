"""No 500 from any input: the inputs that answered 500 (issue 14) each get a 400 in the
client's error shape and write nothing, and the same shapes are refused on every operation
that takes a body, in both schemas (the API's and allauth's)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from config.api.jsonguard import MAX_DEPTH, BadJSON, parse_json_body
from tests.conftest import PASSWORD, assert_error, client_for
from tests.diary_payloads import payload

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
SURROGATE = '"\\ud800"'  # the JSON text of a lone UTF-16 surrogate
CLIENTS = ("app", "browser")


def rows() -> dict[str, int]:
    """Row counts of every table: "nothing written" means these do not move."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def assert_allauth_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert body["errors"] and all(error["message"] for error in body["errors"])
    return body


def post_raw(client, path: str, text: str, method: str = "post"):
    return getattr(client, method)(path, text.encode("utf-8"), content_type="application/json")


@pytest.fixture
def signed_in(patient):
    return client_for(patient)


# --- the inputs of issue 14, one by one ----------------------------------------------------


@pytest.mark.parametrize("client_kind", CLIENTS)
@pytest.mark.parametrize("endpoint", ["auth/login", "auth/signup", "auth/password/request"])
def test_deep_json_on_allauth_without_logging_in(client_kind, endpoint, patient):
    before = rows()
    response = post_raw(Client(), f"/_allauth/{client_kind}/v1/{endpoint}", DEEP)
    error = assert_allauth_error(response)["errors"][0]
    assert error["code"] == "too_deep"
    assert rows() == before
    assert mail.outbox == []


@pytest.mark.parametrize("path", ["/api/v1/diary/episodes", "/api/v1/diary/sync"])
def test_deep_json_on_the_api(signed_in, path):
    before = rows()
    assert_error(post_raw(signed_in, path, DEEP), 400, "too_deep")
    assert rows() == before


@pytest.mark.parametrize("client_kind", CLIENTS)
def test_a_lone_surrogate_as_the_login_password(client_kind, patient):
    body = f'{{"email": "{patient.email}", "password": {SURROGATE}}}'
    before = rows()
    error = assert_allauth_error(post_raw(Client(), f"/_allauth/{client_kind}/v1/auth/login", body))["errors"][0]
    assert (error["code"], error["param"]) == ("invalid_text", "password")
    assert rows() == before


@pytest.mark.parametrize("client_kind", CLIENTS)
def test_a_lone_surrogate_in_the_signup_name_leaves_no_account_behind(client_kind, db):
    body = f'{{"email": "new@example.com", "password": "{PASSWORD}", "name": {SURROGATE}}}'
    before = rows()
    assert_allauth_error(post_raw(Client(), f"/_allauth/{client_kind}/v1/auth/signup", body))
    assert rows() == before
    # Signing up properly afterwards works: no half-made account says "exists".
    good = post_raw(
        Client(),
        f"/_allauth/{client_kind}/v1/auth/signup",
        json.dumps({"email": "new@example.com", "password": PASSWORD, "name": "New"}),
    )
    assert good.status_code == 401, good.content  # pending email verification
    assert User.objects.get(email="new@example.com").name == "New"


def test_signup_validates_the_name_before_writing_even_behind_no_guard(db, settings):
    # The form refuses what the database cannot store, so without the middleware too the
    # account is validated whole before its one INSERT.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "config.middleware.JSONGuardMiddleware"]
    body = f'{{"email": "new@example.com", "password": "{PASSWORD}", "name": {SURROGATE}}}'
    error = assert_allauth_error(post_raw(Client(), "/_allauth/app/v1/auth/signup", body))["errors"][0]
    assert (error["code"], error["param"]) == ("invalid_text", "name")
    assert not User.objects.filter(email="new@example.com").exists()


def test_signup_writes_the_profile_with_the_user_row(db):
    response = post_raw(
        Client(),
        "/_allauth/app/v1/auth/signup",
        json.dumps(
            {
                "email": "doc@example.com",
                "password": PASSWORD,
                "name": "Dr Doe",
                "role": "clinician",
                "time_zone": "Asia/Tokyo",
            }
        ),
    )
    assert response.status_code == 401, response.content
    user = User.objects.get(email="doc@example.com")
    assert (user.name, user.role, user.time_zone, user.clinician_verified_at) == (
        "Dr Doe",
        "clinician",
        "Asia/Tokyo",
        None,
    )


def test_a_lone_surrogate_in_patch_me(signed_in, patient):
    before = User.objects.filter(pk=patient.pk).values().get()
    response = post_raw(signed_in, "/api/v1/me", f'{{"dose_unit": {SURROGATE}}}', method="patch")
    assert_error(response, 400, "invalid_text", ["dose_unit"])
    assert User.objects.filter(pk=patient.pk).values().get() == before


def test_a_lone_surrogate_as_a_sync_item_id(signed_in):
    item = payload("episode")
    body = json.dumps({"items": [{"kind": "episode", "id": "ID", "payload": item}]}).replace('"ID"', SURROGATE)
    before = rows()
    assert_error(post_raw(signed_in, "/api/v1/diary/sync", body), 400, "invalid_text", ["items.0.id"])
    assert rows() == before


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/trends/spasms?to=0001-01-01", "to"),
        ("/api/v1/trends/spasms?from=9999-12-31", "from"),
        ("/api/v1/adherence?until=9999-12-31", "until"),
        ("/api/v1/adherence?since=0001-01-01", "since"),
        ("/api/v1/trends/treatment-response?start=0001-01-01", "start"),
        ("/api/v1/trends/treatment-response?after_end=9999-12-31", "after_end"),
    ],
)
def test_dates_at_the_edges_of_the_calendar_in_queries(signed_in, path, field):
    error = assert_error(signed_in.get(path), 400, "invalid", [field])
    assert "1900-01-01" in error["fields"][field][0]


@pytest.mark.parametrize("start_date", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_edges_of_the_calendar_in_a_regimen_template(signed_in, start_date):
    before = rows()
    response = signed_in.post(
        "/api/v1/diary/regimens/from-template",
        {"template": "loading_50000_weekly", "start_date": start_date},
        format="json",
    )
    assert_error(response, 400, "invalid", ["start_date"])
    assert rows() == before


@pytest.mark.parametrize("client_kind", CLIENTS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_unconfigured_phone_endpoints_are_a_json_404(client_kind, method, patient):
    # Phone numbers are not used here (email login only): not routed, and left out of
    # allauth's served spec, instead of a 500 from the adapter.
    client = Client()
    client.force_login(patient)
    path = f"/_allauth/{client_kind}/v1/account/phone"
    response = client.get(path) if method == "get" else post_raw(client, path, '{"phone": "+441234567890"}')
    assert_allauth_error(response, 404)
    spec = Client().get("/_allauth/openapi.json").json()
    assert not [p for p in spec["paths"] if "phone" in p]


# --- the same shapes on every write operation ------------------------------------


def _operations(schema: dict) -> list[tuple[str, str, list[str]]]:
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"post", "put", "patch", "delete"}:
                continue  # every write, whether its schema documents a body or not
            content = operation.get("requestBody", {}).get("content", {})
            body_schema = next(iter(content.values()), {}).get("schema", {})
            found.append((path, method, _property_names(schema, body_schema)))
    return found


def _property_names(schema: dict, body: dict) -> list[str]:
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return list(body.get("properties", {})) or ["value"]


def _concrete(path: str, client_kind: str) -> str:
    return (
        path.replace("{client}", client_kind)
        .replace("{entry_id}", str(uuid.uuid4()))
        .replace("{patient_id}", str(uuid.uuid4()))
        .replace("{reminder_id}", "1")
        .replace("{delivery_id}", "1")
        .replace("{invite_id}", "1")
        .replace("{link_id}", "1")
        .replace("{token}", "taken.1:x:y")
    )


def every_write_operation() -> list[tuple[str, str, list[str]]]:
    client = Client()
    ours = _operations(client.get("/api/v1/schema/?format=json").json())
    allauth = _operations(client.get("/_allauth/openapi.json").json())
    concrete = [(_concrete(path, "app"), method, names) for path, method, names in ours]
    for path, method, names in allauth:
        kinds = CLIENTS if "{client}" in path else ("",)
        concrete += [(_concrete(path, kind), method, names) for kind in kinds]
    return concrete


SHAPES = {
    "deep nesting": lambda names: DEEP,
    "a lone surrogate": lambda names: "{" + ", ".join(f'"{name}": {SURROGATE}' for name in names) + "}",
    "a NUL character": lambda names: json.dumps(dict.fromkeys(names, "a\u0000b")),
    "not UTF-8": lambda names: None,
}
EXPECTED_CODE = {
    "deep nesting": "too_deep",
    "a lone surrogate": "invalid_text",
    "a NUL character": "invalid_text",
    "not UTF-8": "invalid_text",
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_write_operation_refuses_the_shape_and_writes_nothing(patient, shape):
    operations = every_write_operation()
    # Both schemas were read (each allauth path for both clients).
    assert {("/api/v1/diary/sync", "post"), ("/_allauth/browser/v1/auth/signup", "post")} <= {
        (path, method) for path, method, _ in operations
    }
    client = Client()
    client.force_login(patient)
    before = rows()
    for path, method, names in operations:
        text = SHAPES[shape](names)
        raw = b'{"name": "caf\xe9"}' if text is None else text.encode("utf-8")
        response = getattr(client, method)(path, raw, content_type="application/json")
        assert response.status_code == 400, (method, path, response.status_code, response.content[:300])
        body = response.json()
        code = body["error"]["code"] if path.startswith("/api/") else body["errors"][0]["code"]
        assert code == EXPECTED_CODE[shape], (method, path, body)
    assert rows() == before
    assert mail.outbox == []


# --- size limits ------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_in_the_envelope(signed_in):
    text = json.dumps({"notes": "x" * settings.API_BODY_MAX_BYTES})
    error = assert_error(post_raw(signed_in, "/api/v1/diary/episodes", text), 413, "too_large")
    assert f"{settings.API_BODY_MAX_BYTES:,}" in error["message"]
    response = post_raw(Client(), "/_allauth/app/v1/auth/login", text)
    assert_allauth_error(response, 413)


def test_the_sync_limit_fits_500_entries_with_long_notes(signed_in):
    """500 episodes with 2,000-character notes, in the encodings a client may use: the PWA's
    JSON.stringify of all-emoji notes (4 bytes a character) and an ASCII-only encoder's
    escapes of a non-Latin script (6 bytes a character) both fit under the sync limit, and
    the heavier one is stored whole."""
    now = timezone.now()

    def batch(notes: str) -> dict:
        items = []
        for i in range(500):
            body = payload("episode", occurred_at=(now - timedelta(minutes=i + 1)).isoformat(), notes=notes)
            items.append({"kind": "episode", "id": body.pop("id"), "recorded_at": now.isoformat(), "payload": body})
        return {"items": items}

    emoji = json.dumps(batch("\U0001f616" * 2000), ensure_ascii=False).encode()
    escaped = json.dumps(batch("\u75db" * 2000), ensure_ascii=True).encode()
    assert 3.9 * 2**20 < len(emoji) < settings.API_SYNC_BODY_MAX_BYTES
    assert 5.8 * 2**20 < len(escaped) < settings.API_SYNC_BODY_MAX_BYTES
    response = signed_in.post("/api/v1/diary/sync", escaped, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["summary"]["created"] == 500


# --- the guard itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "too_deep"),
        (b'{"a": NaN}', "parse_error"),
        (b'{"a": Infinity}', "parse_error"),
        (b'{"a": 1' + b"0" * 5000 + b"}", "parse_error"),
        (b'{"\\u0000": 1}', "invalid_text"),
        (b'{"a": "\\udfff"}', "invalid_text"),
        (b"\xff\xfe{}", "invalid_text"),
        (b"{", "parse_error"),
    ],
)
def test_parse_json_body_refuses(raw, code):
    with pytest.raises(BadJSON) as refused:
        parse_json_body(raw)
    assert refused.value.code == code


def test_parse_json_body_takes_the_deepest_allowed_and_real_emoji():
    assert parse_json_body(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    assert parse_json_body('{"a": "\\ud83d\\ude16 \U0001f616"}'.encode()) == {"a": "\U0001f616 \U0001f616"}
