"""Schemathesis over both schemas the app serves, with every check (`--checks all`).

The product's schema (/api/v1/schema/) and allauth headless's (/_allauth/openapi.json) are
read from the app itself; generated requests, valid and invalid, go to every operation as an
authenticated patient. A failure fails the test unless `explained()` names it:

- ours: a 400 for a rule of the domain that OpenAPI cannot state (a date relative to today, a
  unit that depends on the supplement, a dose ceiling in normalised units, a row that must
  exist). The schema documents each operation's 400 with the envelope; these answers carry
  the rule's own message, matched exactly below;
- allauth's: places where allauth's published spec and allauth's behaviour disagree, listed
  with the reason (they are allauth's to fix, not ours to hide in our code).

Generated examples per operation: EXAMPLES for ours, ALLAUTH_EXAMPLES for allauth's
(derandomized, so a run is reproducible; no shrinking: a failure is reported as found). Beside
them schemathesis runs its deterministic coverage phase (each parameter's boundaries and
wrong types, a missing required one, methods the spec does not list) and the schemas' own
examples. One run: 807 generated cases, 5,059 coverage cases, 18 examples, for 113
operations: 40-55 s on this 2-core machine, most of it the coverage phase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import Failure, FailureGroup

from tests.conftest import PASSWORD, make_user

load_all_checks()
ALL_CHECKS = CHECKS.get_all()  # --checks all
EXAMPLES = 8
ALLAUTH_EXAMPLES = 5

app = get_wsgi_application()
api_schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
allauth_schema = schemathesis.openapi.from_wsgi("/_allauth/openapi.json", app)


@dataclass(frozen=True)
class Explained:
    """A failure that is not a disagreement of ours: which, where, and why."""

    failure: str  # the failure's class name (schemathesis.openapi.checks / schemathesis.specs...)
    operation: str  # regex matching the start of "METHOD /path/{template}"
    reason: str
    message: str = ""  # regex on the response body, when the reason is in the answer
    status: int | None = None


# --- ours: the domain's rules, which a schema cannot state ------------------------------------
DOMAIN_RULES = [
    Explained(
        "RejectedPositiveData",
        r".*",
        "text the database can store: a NUL character or a lone UTF-16 surrogate is refused in any "
        "string or key (config.api.jsonguard); JSON Schema's string type admits both",
        r'"code": ?"invalid_text"|Null characters are not allowed',
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r".*",
        "dates are checked against today in the patient's zone (no entry in the future, none "
        "before 2000, a plan at most a year ahead); OpenAPI dates have no relative bounds",
        r"in the future|before 2000-01-01|Plan at most a year ahead|cannot be in the future|must be after 1900",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"(POST|PUT|PATCH) /api/v1/diary/(doses|regimens)",
        "which units a supplement takes, the dose ceiling in normalised units (IU or mg) and "
        "'more than 0' depend on the supplement and the unit together",
        r"is not a unit for|above the largest accepted dose|must be more than 0|Use one of",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"(POST|PUT|PATCH) /api/v1/diary/labs",
        "the units and the physiological range of a lab value depend on the analyte",
        r"is not a unit for|Use one of|cannot be|is outside|above|below|out of range|Give both ends of the",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r".*",
        "a reference to a row that must exist in the patient's diary (a random UUID never does)",
        r"No regimen with this id in your diary",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"GET /api/v1/(clinician/patients/\{patient_id\}/)?(trends|adherence|diary/days)",
        "windows and spans that depend on each other (from before to, at most N buckets or 366 "
        "days, a before window that ends before the start)",
        r"is after|buckets at once|at most 366 days|window|before the start|lag",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"(POST|PUT|PATCH) /api/v1/(diary/regimens|reminders/)",
        "weekdays that must fit the frequency, be distinct, and quiet hours given as a pair",
        r"weekday|Each weekday once|quiet hours|Quiet hours|Give a time|regimen ended|keeps its regimen",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"(POST|PUT|PATCH) /api/v1/diary/skips",
        "a skip is for a dose the regimen asks for on that date",
        r"asks for no dose on that date",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"(POST|PUT|PATCH) /api/v1/diary/sun",
        "each skin area once (a list's items must be distinct)",
        r"Each skin area once",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"GET /api/v1/(clinician/patients/\{patient_id\}/)?reports/visit",
        "a report's period runs from before to, and covers at most 731 days",
        r"is after 'to'|A report covers at most",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"POST /api/v1/me/deletion",
        "deleting an account takes the account's own password",
        r"This is not your password",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"POST /api/v1/imports",
        "an import file must be UTF-8 CSV in the documented layout, or this product's JSON export: "
        "the file's content is not something a multipart schema can state",
        r'"code": ?"(invalid_file|unknown_columns|missing_columns|unknown_format|unsupported_version|too_many_rows|too_large)"',
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"PATCH /api/v1/me",
        "a time zone must be an IANA name the server knows (the list changes with tzdata)",
        r"is not an IANA time zone name",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"POST /api/v1/push/subscriptions/",
        "a push endpoint must be a valid https URL of a known push service (WEBPUSH_ALLOWED_HOSTS) "
        "and its keys decode to a P-256 key and a 16-byte secret",
        r"known web push service|65-byte P-256 key|16-byte auth secret|Enter a valid URL",
        400,
    ),
    Explained(
        "RejectedPositiveData",
        r"POST /api/v1/care/invites/redeem",
        "an invite code must be one a patient made",
        r"code",
        400,
    ),
]

# --- allauth's: its published spec and its behaviour disagree -------------------------------------
ALLAUTH_DRIFT = [
    Explained(
        "UndefinedStatusCode",
        r"\w+ /_allauth/\{client\}/",
        "a {client} other than app or browser is not routed: 404, which allauth's spec does not list",
        status=404,
    ),
    Explained(
        "UndefinedStatusCode",
        r"\w+ /_allauth/",
        "allauth's rate limits answer 429 (with Retry-After) on operations whose spec lists no 429",
        status=429,
    ),
    Explained(
        "UndefinedStatusCode",
        r"(POST|PUT|PATCH|DELETE) /_allauth/\{client\}/",
        "the browser client needs Django's CSRF token on every write; without it the answer is 403 "
        "(in allauth's JSON error shape, config.views.csrf_failure), which allauth's spec does not list",
        message=r"csrf_failed",
        status=403,
    ),
    Explained(
        "MissingHeaderNotRejected",
        r"GET /_allauth/\{client\}/v1/auth/(email/verify|password/reset)",
        "without a pending verification or reset flow allauth answers 409 before it reads the key header",
        status=409,
    ),
    Explained(
        "JsonSchemaError",
        r"\w+ /_allauth/",
        "allauth lists the password_reset_by_code flow with is_pending: false, while its spec's Flow "
        "schema allows only true",
        message=r'"is_pending": false',
    ),
    Explained(
        "JsonSchemaError",
        r"GET /_allauth/\{client\}/v1/account/authenticators/totp",
        "allauth's 404 (no authenticator yet) carries the new secret under meta only when it can; its "
        "spec makes meta required",
        status=404,
    ),
    Explained(
        "RejectedPositiveData",
        r"POST /_allauth/app/v1/tokens/refresh",
        "an unknown refresh token answers 400 with no errors list; the spec documents no such answer",
        status=400,
    ),
    Explained(
        "UndefinedStatusCode",
        r"\w+ /_allauth/\{client\}/",
        "an operation for a signed-in user, asked without a session, answers 401 where allauth's spec "
        "lists none (sessions, the TOTP authenticator)",
        message=r'"is_authenticated": false',
        status=401,
    ),
    Explained(
        "RejectedPositiveData",
        r"\w+ /_allauth/",
        "allauth checks credentials and state that a schema cannot know: a wrong password or TOTP "
        "code, an address or a session id that is not the user's, recovery codes without TOTP, an "
        "email-shaped login (phone login is not configured here), an address that is not an email",
        message=r'"code": "(incorrect_password|incorrect_code|unknown_email|cannot_generate_recovery_codes|'
        r'invalid_choice|required|invalid|email_password_mismatch|email_taken)"',
        status=400,
    ),
    Explained(
        "UndefinedStatusCode",
        r"DELETE /_allauth/\{client\}/v1/auth/session",
        "logging out an app session that has already ended answers 410, not in this operation's spec",
        status=410,
    ),
    Explained(
        "RejectedPositiveData",
        r"DELETE /_allauth/\{client\}/v1/auth/session",
        "(the same 410: an ended app session)",
        status=410,
    ),
    Explained(
        "UndefinedStatusCode",
        r"DELETE /_allauth/\{client\}/v1/auth/sessions",
        "ending sessions without naming them answers 400 (sessions is required), which the spec does not list",
        status=400,
    ),
]


def explained(failure: Failure, case, response, rules: list[Explained]) -> bool:
    label = f"{case.method.upper()} {case.operation.path}"
    body = response.text if hasattr(response, "text") else ""
    for rule in rules:
        if type(failure).__name__ != rule.failure or not re.match(rule.operation, label):
            continue
        if rule.status is not None and response.status_code != rule.status:
            continue
        if rule.message and not re.search(rule.message, body):
            continue
        return True
    return False


def call_and_check(case, token: str, rules: list[Explained]):
    response = case.call(headers={"X-Session-Token": token})
    try:
        case.validate_response(response, checks=ALL_CHECKS, headers={"X-Session-Token": token})
        unexplained = []
    except (Failure, FailureGroup) as raised:
        failures = list(raised.exceptions) if isinstance(raised, FailureGroup) else [raised]
        unexplained = [f for f in failures if not explained(f, case, response, rules)]
    if unexplained:
        found = "\n".join(f"- {type(f).__name__}: {f.title}: {f.message}" for f in unexplained)
        pytest.fail(f"{found}\n[{response.status_code}] {response.text[:600]}\n{case.as_curl_command()}", pytrace=False)
    return response


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


def _settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
    )


@api_schema.parametrize()
@_settings(EXAMPLES)
def test_the_api_agrees_with_its_schema(case, session_token):
    call_and_check(case, session_token, DOMAIN_RULES)


@allauth_schema.parametrize()
@_settings(ALLAUTH_EXAMPLES)
def test_allauth_agrees_with_its_served_schema_but_for_its_listed_drift(case, session_token):
    call_and_check(case, session_token, ALLAUTH_DRIFT)
