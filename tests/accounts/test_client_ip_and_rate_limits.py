"""The client's address behind a configured number of proxies, and every rate limit
answering 429 with Retry-After: allauth's login and TOTP lockouts, the invite-redeem
throttle."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from accounts.models import AccessEvent, User
from config.client_ip import clean_ip, client_ip
from tests.conftest import PASSWORD, assert_error, client_for, make_user

PROXY = "10.0.0.2"  # the TLS proxy: REMOTE_ADDR of every request behind it


def _ip(settings, proxies: int, forwarded: str | None, remote: str = PROXY) -> str | None:
    settings.TRUSTED_PROXIES = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.9", PROXY),  # no proxy configured: the header is anyone's to write
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged first hop is not believed
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (1, None, PROXY),  # a request that skipped the proxy: its peer
        (2, "203.0.113.9", "203.0.113.9"),  # fewer hops than proxies: the leftmost a proxy wrote
        (1, "unknown", None),
        (1, "6.6.6.6, unknown", None),
        (1, "203.0.113.9:4711", "203.0.113.9"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "", PROXY),
    ],
)
def test_the_client_is_the_hop_the_outermost_trusted_proxy_saw(settings, proxies, forwarded, expected):
    assert _ip(settings, proxies, forwarded) == expected


@pytest.mark.parametrize("garbage", ["unknown", "", "1.2.3", "::g", "300.1.1.1", "a" * 500, None])
def test_clean_ip_gives_none_for_garbage(garbage):
    assert clean_ip(garbage) is None


@pytest.mark.django_db
def test_the_access_log_records_the_real_client_not_a_forged_hop(settings, patient, clinician):
    settings.TRUSTED_PROXIES = 1
    client = client_for(clinician)
    path = f"/api/v1/clinician/patients/{patient.id}/diary/episodes"
    assert client.get(path, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR=PROXY).status_code == 200
    # A malformed header is an unknown address, never a 500.
    assert client.get(path, HTTP_X_FORWARDED_FOR="unknown", REMOTE_ADDR=PROXY).status_code == 200
    assert (
        client.get("/api/v1/clinician/patients", HTTP_X_FORWARDED_FOR="unknown", REMOTE_ADDR=PROXY).status_code == 200
    )
    assert list(AccessEvent.objects.order_by("id").values_list("ip_address", flat=True)) == ["203.0.113.9", None, None]


# --- allauth's login limits key on that address and on the account ------------------------------


def _login(email: str, password: str, client_address: str):
    return Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_address,
    )


@pytest.mark.django_db
def test_failures_from_one_client_do_not_lock_out_another_behind_the_same_proxy(settings):
    settings.TRUSTED_PROXIES = 1
    victims = [make_user(f"user{i}@example.com") for i in range(10)]
    third = make_user("third@example.com")
    for victim in victims:  # 10 failures, each on another account, from one address
        assert _login(victim.email, "wrong-password-x", "198.51.100.7").status_code == 400
    locked = _login(third.email, PASSWORD, "198.51.100.7")
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= 60
    # Another patient behind the same proxy logs in: the budget is per client, not per proxy.
    assert _login(third.email, PASSWORD, "192.0.2.44").status_code == 200


@pytest.mark.django_db
def test_failures_on_one_account_from_many_addresses_lock_that_account(settings):
    settings.TRUSTED_PROXIES = 1
    alice = make_user("alice@example.com")
    for i in range(5):
        assert _login(alice.email, "wrong-password-x", f"192.0.2.{i + 1}").status_code == 400
    locked = _login(alice.email, PASSWORD, "192.0.2.200")
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= 300
    assert locked.json()["status"] == 429
    # Someone else's account is not affected.
    make_user("bob@example.com")
    assert _login("bob@example.com", PASSWORD, "192.0.2.201").status_code == 200


@pytest.mark.django_db
def test_the_totp_lockout_answers_429_with_retry_after():
    make_user("doc@example.com", User.Role.CLINICIAN, mfa=True)
    client = Client()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": "doc@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401  # mfa_authenticate is pending
    token = response.json()["meta"]["session_token"]
    statuses = [
        client.post(
            "/_allauth/app/v1/auth/2fa/authenticate",
            {"code": "000000"},
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=token,
        )
        for _ in range(6)
    ]
    assert [r.status_code for r in statuses] == [400] * 5 + [429]
    assert 1 <= int(statuses[-1]["Retry-After"]) <= 300


# --- the API's own throttle, and the tighter budget of unverified clinicians --------------------


def _redeem(client, code: str):
    return client.post("/api/v1/care/invites/redeem", {"code": code}, format="json")


@pytest.mark.django_db
def test_the_redeem_throttle_answers_429_with_retry_after(other_clinician):
    client = client_for(other_clinician)
    statuses = [_redeem(client, f"WRONG{i:03d}").status_code for i in range(10)]
    assert statuses == [400] * 10
    response = _redeem(client, "WRONG999")
    error = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) == error["retry_after_seconds"] > 0


@pytest.mark.django_db
def test_allauths_other_limits_answer_429_with_retry_after_too():
    # signup: 20 a minute per client address (allauth's own 429, given a Retry-After here).
    statuses = []
    for i in range(21):
        response = Client().post(
            "/_allauth/app/v1/auth/signup",
            {"email": f"new{i}@example.com", "password": PASSWORD},
            content_type="application/json",
        )
        statuses.append(response.status_code)
    assert statuses[:20] == [401] * 20  # each account created, email verification pending
    assert statuses[20] == 429
    assert int(response["Retry-After"]) == 60
    assert response.json()["status"] == 429
