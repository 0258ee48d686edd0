"""README tells a newcomer the truth: every environment variable the settings read is listed,
and the demo logins it prints are the ones seed_demo creates."""

from __future__ import annotations

import re
from pathlib import Path

from accounts.demo import DEMO_CLINICIAN_EMAIL, DEMO_PASSWORD, DEMO_PATIENT_EMAIL

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def settings_env_names() -> set[str]:
    source = "\n".join(path.read_text() for path in (ROOT / "config" / "settings").glob("*.py"))
    return set(re.findall(r'env_(?:str|bool|int|list|database|redis_url)\(\s*"([A-Z][A-Z0-9_]+)"', source))


def test_every_environment_variable_is_documented():
    names = settings_env_names()
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "WEBPUSH_ALLOWED_HOSTS"} <= names  # the regex finds them
    missing = sorted(name for name in names if f"`{name}`" not in README)
    assert missing == []


def test_the_readme_names_the_demo_logins_and_both_commands():
    for text in (DEMO_PATIENT_EMAIL, DEMO_CLINICIAN_EMAIL, DEMO_PASSWORD, "make run", "make test", "demo_totp"):
        assert text in README
