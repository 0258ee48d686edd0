"""Laptop settings: `make run`. SQLite, console email, embedded broker unless env says otherwise."""

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR
from config.settings.env import env_list, env_str

DEBUG = True
# Local-only key: production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-development-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", ["http://localhost:8000", "http://127.0.0.1:8000"])
DEMO_ACCOUNTS_ENABLED = True
VAR_DIR.mkdir(exist_ok=True)
