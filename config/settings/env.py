"""Strict readers for environment variables.

django-environ's own casts accept garbage quietly (``DEBUG=ture`` reads as False), so a
typo in production would silently change behaviour. These helpers raise
ImproperlyConfigured instead, naming the variable.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNSET = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | object | None = _UNSET) -> str | None:
    value = _raw(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool | object = _UNSET) -> bool:
    value = _raw(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return bool(default)
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def env_int(name: str, default: int | object = _UNSET, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return int(default)  # type: ignore[arg-type]
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str] | object = _UNSET) -> list[str]:
    value = _raw(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return list(default)  # type: ignore[call-overload]
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item in its comma-separated list.")
    return items


_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}


def env_database(name: str, default: str | None = None) -> dict:
    value = _raw(name) or default
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    scheme = urlparse(value).scheme
    if scheme not in _DB_SCHEMES:
        raise ImproperlyConfigured(f"{name} has scheme {scheme!r}; use postgres:// or sqlite:///.")
    return environ.Env.db_url_config(value)


def env_redis_url(name: str) -> str | None:
    value = _raw(name)
    if value is None:
        return None
    if urlparse(value).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name}={value!r} is not a redis:// or rediss:// URL.")
    return value
