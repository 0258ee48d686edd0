"""The strict environment readers, and production settings refusing an incomplete environment.

Production settings are loaded in a subprocess (a fresh interpreter with a controlled
environment), as a server would load them, or in-process by `import_production` where only
the settings module's values matter.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import env_bool, env_database, env_int, env_list, env_redis_url, env_str

BASE_DIR = Path(__file__).resolve().parents[2]
VAR = "SPASM_TEST_SETTING"

# A complete production environment. No server is contacted: settings only parse these.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "k3y-for-the-settings-tests-only-" + "x7Qp2Lm9" * 5,
    "DJANGO_ALLOWED_HOSTS": "diary.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://diary.example.com",
    "DATABASE_URL": "postgres://diary:secret@db.invalid:5432/diary",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "DJANGO_EMAIL_HOST": "smtp.example.com",
    # A real pair (test-only): check --deploy verifies the public key is the private one's.
    "WEBPUSH_VAPID_PRIVATE_KEY": "OhJOkW4SiiEsYfiI-iuS5RldSrahh29uuRT9wDvboJ8",
    "WEBPUSH_VAPID_PUBLIC_KEY": "BNlXQK0dGzEkcYQg-eSdaYDfu-ttGuvQsS2JTQ_WIPPM-HqGrYx28tImYAaSauugbPjIl9Lx_V4x8HZ9T10IKHY",
    "WEBPUSH_VAPID_SUBJECT": "mailto:ops@diary.example.com",
    "DJANGO_TRUSTED_PROXIES": "1",
}


def import_production(env: dict[str, str]) -> ModuleType:
    """Import config.settings.production (and base, which it reads) afresh under `env` alone."""
    import config.settings as package

    names = ("config.settings.production", "config.settings.base")
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    try:
        with mock.patch.dict(os.environ, env, clear=True):
            return importlib.import_module("config.settings.production")
    finally:
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        for name, module in saved.items():
            setattr(package, name.rsplit(".", 1)[1], module)


def run_with_env(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `python <args>` in the project with exactly `env` (plus PATH and HOME)."""
    base = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def production_env(**changes: str | None) -> dict[str, str]:
    env = {**PRODUCTION_ENV, **changes}
    return {key: value for key, value in env.items() if value is not None}


# --- config/settings/env.py -------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "value", "complaint"),
    [
        (env_bool, "ture", "not a boolean"),
        (env_bool, "2", "not a boolean"),
        (env_int, "12a", "not an integer"),
        (env_int, "1.5", "not an integer"),
        (env_list, "a,,b", "empty item"),
        (env_list, "a,b,", "empty item"),
        (env_redis_url, "localhost:6379", "redis://"),
        (env_redis_url, "http://cache:6379/0", "redis://"),
        (env_database, "mysql://root@db/diary", "scheme"),
        (env_database, "not a url", "scheme"),
    ],
)
def test_garbage_raises_naming_the_variable(monkeypatch, reader, value, complaint):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=VAR) as excinfo:
        reader(VAR)
    assert complaint in str(excinfo.value)


@pytest.mark.parametrize("reader", [env_str, env_bool, env_int, env_list])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_variable_missing_or_blank_raises_naming_it(monkeypatch, reader, value):
    if value is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, value)
    with pytest.raises(ImproperlyConfigured, match=f"Set the {VAR} environment variable"):
        reader(VAR)


def test_env_int_below_minimum_raises_naming_it(monkeypatch):
    monkeypatch.setenv(VAR, "-1")
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}=-1 is below the minimum of 0"):
        env_int(VAR, minimum=0)


def test_defaults_apply_when_unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_str(VAR, "fallback") == "fallback"
    assert env_bool(VAR, True) is True
    assert env_int(VAR, 7) == 7
    assert env_list(VAR, ["a"]) == ["a"]
    assert env_redis_url(VAR) is None
    assert env_database(VAR, "sqlite:////tmp/x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("reader", "value", "expected"),
    [
        (env_bool, " Yes ", True),
        (env_bool, "off", False),
        (env_int, "42", 42),
        (env_list, "a.example.com, b.example.com", ["a.example.com", "b.example.com"]),
        (env_redis_url, "rediss://cache:6380/1", "rediss://cache:6380/1"),
    ],
)
def test_good_values_parse(monkeypatch, reader, value, expected):
    monkeypatch.setenv(VAR, value)
    assert reader(VAR) == expected


def test_env_database_parses_postgres(monkeypatch):
    monkeypatch.setenv(VAR, "postgres://diary:pw@db:5433/diary")
    config = env_database(VAR)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db", 5433, "diary", "diary")


# --- config/settings/production.py ------------------------------------------------------

SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def test_production_loads_with_a_complete_environment():
    result = run_with_env(["-c", SETUP], production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DJANGO_SECRET_KEY": None}, "Set the DJANGO_SECRET_KEY environment variable"),
        ({"DJANGO_SECRET_KEY": "s" * 49}, "DJANGO_SECRET_KEY must be at least 50 characters"),
        ({"REDIS_URL": None}, "Set REDIS_URL in production"),
        ({"DATABASE_URL": None}, "Set the DATABASE_URL environment variable"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "Set the DJANGO_ALLOWED_HOSTS environment variable"),
        ({"WEBPUSH_VAPID_PRIVATE_KEY": None}, "Set the WEBPUSH_VAPID_PRIVATE_KEY environment variable"),
        ({"DJANGO_TRUSTED_PROXIES": None}, "Set the DJANGO_TRUSTED_PROXIES environment variable"),
        ({"DJANGO_TRUSTED_PROXIES": "one"}, "DJANGO_TRUSTED_PROXIES='one' is not an integer"),
    ],
    ids=[
        "no-secret-key",
        "short-secret-key",
        "no-redis-url",
        "no-database-url",
        "no-allowed-hosts",
        "no-vapid-key",
        "no-trusted-proxies",
        "garbage-trusted-proxies",
    ],
)
def test_production_refuses_an_incomplete_environment(changes, message):
    result = run_with_env(["-c", SETUP], production_env(**changes))
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_import_production_reads_the_given_environment():
    settings = import_production(production_env(DJANGO_ALLOWED_HOSTS="a.example.com,b.example.com"))
    assert settings.ALLOWED_HOSTS == ["a.example.com", "b.example.com"]
    assert settings.CELERY_BROKER_URL == "redis://redis.invalid:6379/0"
    assert settings.DATABASES["default"]["HOST"] == "db.invalid"


@pytest.fixture(scope="module")
def deploy_check() -> subprocess.CompletedProcess:
    return run_with_env(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())


def test_check_deploy_reports_no_issues(deploy_check):
    output = deploy_check.stdout + deploy_check.stderr
    assert deploy_check.returncode == 0, output
    assert "System check identified no issues" in output, output
