"""Transports: web push (RFC 8030 + RFC 8291 aes128gcm + RFC 8292 VAPID) and email.

Each send answers an Outcome the dispatcher acts on: OK, GONE (404/410: the browser
dropped the subscription, delete it), RETRY (429, 5xx, network: try again later with
backoff) or FAILED (anything else: retrying will not help).
"""

from __future__ import annotations

import base64
import enum
import json
import smtplib
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import cache
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.mail import EmailMessage
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

# Web push allows 4 KB after encryption; staying under 3 KB leaves room for the
# aes128gcm header and padding.
MAX_PAYLOAD_BYTES = 3 * 1024
# Reminders are time-sensitive alerts (RFC 8030 section 5.3).
URGENCY = "high"
REQUEST_TIMEOUT_SECONDS = 10
# A VAPID JWT may live up to 24 h; sign once per push service per half day.
_VAPID_LIFETIME_SECONDS = 12 * 3600


class Outcome(enum.Enum):
    OK = "ok"
    GONE = "gone"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str = ""
    retry_after: float | None = None


class PushNotConfigured(Exception):
    pass


# --- keys ---------------------------------------------------------------------------------
def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_vapid_keys() -> tuple[str, str]:
    """(private, public): the raw 32-byte private scalar and the 65-byte uncompressed public
    point, both base64url without padding, the forms pywebpush and PushManager.subscribe take."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(private), _b64url(public)


def vapid_problems(private: str | None, public: str | None, subject: str | None) -> list[str]:
    """Why this VAPID configuration cannot work; empty when it can (or when push is off)."""
    if not private and not public:
        return []
    if not private or not public:
        return ["Set both WEBPUSH_VAPID_PRIVATE_KEY and WEBPUSH_VAPID_PUBLIC_KEY, or neither."]
    try:
        public_raw = _unb64url(public)
        private_raw = _unb64url(private)
    except (ValueError, TypeError):
        return ["The VAPID keys must be base64url (run `manage.py generate_vapid_keys`)."]
    problems = []
    if len(public_raw) != 65 or public_raw[0] != 4:
        problems.append("WEBPUSH_VAPID_PUBLIC_KEY must be a 65-byte uncompressed P-256 point, base64url.")
    if len(private_raw) != 32:
        problems.append("WEBPUSH_VAPID_PRIVATE_KEY must be a 32-byte P-256 private key, base64url.")
    if not problems:
        derived = Vapid.from_raw(private.encode()).public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        if derived != public_raw:
            problems.append("WEBPUSH_VAPID_PUBLIC_KEY is not the public half of WEBPUSH_VAPID_PRIVATE_KEY.")
    if not (subject or "").startswith(("mailto:", "https://")):
        problems.append("WEBPUSH_VAPID_SUBJECT must be a mailto: or https: URL (push services contact it).")
    return problems


def push_enabled() -> bool:
    return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY and settings.WEBPUSH_VAPID_PUBLIC_KEY)


@cache
def _vapid(private: str) -> Vapid:
    return Vapid.from_raw(private.encode())


def endpoint_allowed(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in settings.WEBPUSH_ALLOWED_HOSTS)


# --- web push -----------------------------------------------------------------------------
class WebPushSender:
    """Sends to many subscriptions over one HTTP session, signing VAPID once per push service."""

    def __init__(self, session: requests.Session | None = None) -> None:
        if not push_enabled():
            raise PushNotConfigured("WEBPUSH_VAPID_PRIVATE_KEY / WEBPUSH_VAPID_PUBLIC_KEY are not set")
        self.session = session or new_session()
        self._vapid_headers: dict[str, tuple[float, dict[str, str]]] = {}

    def _authorization(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._vapid_headers.get(audience)
        if cached is None or cached[0] - now < 600:
            expires = int(now) + _VAPID_LIFETIME_SECONDS
            claims = {"sub": settings.WEBPUSH_VAPID_SUBJECT, "aud": audience, "exp": expires}
            cached = (expires, _vapid(settings.WEBPUSH_VAPID_PRIVATE_KEY).sign(claims))
            self._vapid_headers[audience] = cached
        return dict(cached[1])

    def send(self, subscription_info: dict, payload: dict, *, ttl: int, topic: str) -> Result:
        data = encode_payload(payload)
        headers = {**self._authorization(subscription_info["endpoint"]), "Urgency": URGENCY, "Topic": topic}
        try:
            response = WebPusher(subscription_info, requests_session=self.session).send(
                data, headers, ttl=max(ttl, 0), content_encoding="aes128gcm", timeout=REQUEST_TIMEOUT_SECONDS
            )
        except WebPushException as exc:  # a malformed subscription (bad keys)
            return Result(Outcome.FAILED, f"subscription: {exc.message}"[:200])
        except requests.RequestException as exc:
            return Result(Outcome.RETRY, f"network: {type(exc).__name__}")
        return classify(response.status_code, response.headers.get("Retry-After"))


def new_session() -> requests.Session:
    return requests.Session()


def classify(status: int, retry_after: str | None = None) -> Result:
    if status in (200, 201, 202):
        return Result(Outcome.OK)
    if status in (404, 410):
        return Result(Outcome.GONE, f"push service answered {status}")
    if status == 429 or status >= 500:
        return Result(Outcome.RETRY, f"push service answered {status}", parse_retry_after(retry_after))
    return Result(Outcome.FAILED, f"push service answered {status}")


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def encode_payload(payload: dict) -> bytes:
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    if len(data) >= MAX_PAYLOAD_BYTES:
        raise ValueError(f"push payload is {len(data)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
    return data


# --- email --------------------------------------------------------------------------------
def send_email(*, to: str, subject: str, body: str, connection) -> Result:
    try:
        EmailMessage(subject=subject, body=body, to=[to], connection=connection).send()
    except smtplib.SMTPRecipientsRefused:
        return Result(Outcome.FAILED, "email: the address was refused")
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors; so are socket ones
        return Result(Outcome.RETRY, f"email: {type(exc).__name__}")
    return Result(Outcome.OK)
