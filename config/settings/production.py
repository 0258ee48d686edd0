"""Production settings: every secret comes from the environment, with no default."""

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_URL
from config.settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Without it base.py falls back to a SQLite file inside the container, silently.
env_str("DATABASE_URL")
if not REDIS_URL:
    from django.core.exceptions import ImproperlyConfigured

    # Rate limits and the broker must be shared by all processes.
    raise ImproperlyConfigured("Set REDIS_URL in production (cache, rate limits, Celery broker).")
# Reminders: browsers subscribe with the public key, so a deployment without the pair would
# silently send no push at all (`manage.py generate_vapid_keys` prints one).
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY")
WEBPUSH_VAPID_PUBLIC_KEY = env_str("WEBPUSH_VAPID_PUBLIC_KEY")
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT")
# Emailed links point here; by default the first trusted origin is the public one.
PUBLIC_BASE_URL = env_str("DJANGO_PUBLIC_URL", CSRF_TRUSTED_ORIGINS[0]).rstrip("/")

# TLS terminates at the proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No default is safe here: 0 behind a proxy puts every user on the proxy's address (one
# shared login rate limit, the proxy in every access-log line); 1 without a proxy believes
# a client's forged X-Forwarded-For. Say how many proxies append to X-Forwarded-For.
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", minimum=0)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# /healthz is probed over plain HTTP from inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)

DEMO_ACCOUNTS_ENABLED = False
