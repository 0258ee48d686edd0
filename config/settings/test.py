"""Test settings: fast hashing, locmem email and cache, eager nothing (tasks are called directly)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import REST_FRAMEWORK, VAR_DIR

DEBUG = False
SECRET_KEY = "test-key-only-used-by-the-test-suite-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
CSRF_TRUSTED_ORIGINS = ["http://testserver", "http://localhost", "http://127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Rate limits must really count in tests (we assert the 429), so keep a real cache,
# but one per process so parallel workers do not share counters.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEMO_ACCOUNTS_ENABLED = True
ADMIN_ENABLED = True
REST_FRAMEWORK = {**REST_FRAMEWORK}
VAR_DIR.mkdir(exist_ok=True)
# Each test run writes export files and uploads here, never into a developer's var/media.
MEDIA_ROOT = VAR_DIR / "test-media"
