"""Laptop settings: `make run`. SQLite, console email, embedded broker unless env says otherwise."""

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR
from config.settings.env import env_bool, env_list, env_str

DEBUG = True
# Local-only key: production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-development-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", ["http://localhost:8000", "http://127.0.0.1:8000"])
DEMO_ACCOUNTS_ENABLED = True
# On a laptop the admin is on unless said otherwise (it still wants a two-factor session).
ADMIN_ENABLED = env_bool("DJANGO_ADMIN_ENABLED", True)
VAR_DIR.mkdir(exist_ok=True)

# Web push on a laptop: `make run` writes a VAPID pair to var/vapid.env once (the pair must
# stay the same across restarts, or every browser's subscription breaks). The environment
# still wins when it sets the keys.
_VAPID_FILE = VAR_DIR / "vapid.env"
if _VAPID_FILE.exists():
    _pairs = dict(line.split("=", 1) for line in _VAPID_FILE.read_text().splitlines() if "=" in line)
    WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY", _pairs.get("WEBPUSH_VAPID_PRIVATE_KEY"))
    WEBPUSH_VAPID_PUBLIC_KEY = env_str("WEBPUSH_VAPID_PUBLIC_KEY", _pairs.get("WEBPUSH_VAPID_PUBLIC_KEY"))
