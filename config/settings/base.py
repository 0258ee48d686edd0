"""Settings shared by every environment. Environment-specific modules import from here."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE

from config.settings.env import env_bool, env_database, env_int, env_list, env_redis_url, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local state for the embedded setup: SQLite, broker folder, beat schedule

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY", None)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts.admin_site.TwoFactorAdminConfig",  # django.contrib.admin behind two factors
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.mfa",
    "allauth.usersessions",
    "accounts",
    "diary",
    "diary.reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside whitenoise, so the PWA's files (index.html, sw.js) carry the policy too.
    "csp.middleware.CSPMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a body: allauth, CSRF and DRF only ever see checked JSON.
    "config.middleware.JSONGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The visit report keeps its template beside its code (diary.reports is not an app).
        "DIRS": [BASE_DIR / "diary" / "reports" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default for a laptop; DATABASE_URL points at PostgreSQL elsewhere.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# Persistent connections: without them an insert view ran at ~140 req/s instead of ~650 here.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
# allauth's rate limits count in the cache, so it has to be shared between processes
# wherever more than one serves requests: Redis when REDIS_URL is set.
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# A six-character code typed into the PWA works on a phone where a link would open
# another browser without the session.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, spelled out so a reviewer sees them; login_failed answers 429.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Spasm diary] "
HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("browser", "app")
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/verify-email?key={key}",
    "account_reset_password": "/reset-password",
    "account_reset_password_from_key": "/reset-password?key={key}",
    "account_signup": "/signup",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Spasm diary"
# allauth.usersessions serves GET/DELETE /_allauth/{client}/v1/auth/sessions (a user sees and
# ends their sessions; it was a 404 HTML page). Sessions are recorded at login; last-seen
# tracking would cost a write per request and is off.
USERSESSIONS_TRACK_ACTIVITY = False

# --- DRF ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSONParser behind config.api.jsonguard's depth, size and text checks.
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.GuardedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        # Invite codes are 8 characters from a 31-letter alphabet (~8.5e11 codes):
        # at 10 tries a minute and 50 an hour a guesser gets nowhere.
        "invite_redeem": "10/min",
        "invite_redeem_hourly": "50/hour",
        # A clinician nobody has verified yet (accounts.User.clinician_verified_at) may be
        # anyone who signed up: a tighter budget.
        "invite_redeem_unverified": "3/min",
        "invite_redeem_hourly_unverified": "10/hour",
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spasm diary API",
    "DESCRIPTION": (
        "Cramp and spasm diary for suspected vitamin D deficiency. Authentication is "
        "django-allauth headless: see /_allauth/openapi.html. Every error answers with "
        'the envelope {"error": {status, code, message, fields}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DoseUnitEnum": ["IU", "ug", "mg", "g"],
        "LabUnitEnum": "diary.units.LAB_UNITS",
        "UserDoseUnitEnum": "accounts.models.User.DoseUnit",
        "VitaminDUnitEnum": "accounts.models.User.VitaminDUnit",
        "SkipReasonEnum": "diary.models.DoseSkip.Reason",
        "NotEnoughDataReasonEnum": "diary.insights.response.REASONS",
        "SupplementEnum": "diary.units.SUPPLEMENTS",
        "SupplementGroupEnum": ["vitamin_d", "magnesium", "calcium", "potassium"],
        "ExportFormatEnum": "diary.exports.models.ExportJob.Format",
        "ImportFormatEnum": "diary.imports.models.ImportJob.Format",
        # Exports and imports share one set of job states.
        "JobStatusEnum": "diary.exports.models.ExportJob.Status",
    },
}

# --- I18N / time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: the PWA build is served by whitenoise from the same origin -------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [d for d in [FRONTEND_DIST] if d.exists()]
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.exists() else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Spasm diary <no-reply@localhost>")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Celery ---------------------------------------------------------------------------
# Embedded broker unless REDIS_URL says otherwise: kombu's filesystem transport needs no
# server, so `make run` sends real reminders on a laptop with nothing installed.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "store_processed": False,
        # kombu's default is ./control, relative to whatever directory the process started in.
        "control_folder": str(VAR_DIR / "broker-control"),
    }
)
if not REDIS_URL:
    # kombu creates none of these folders: without them a worker on a fresh clone dies
    # at startup (FileNotFoundError listing var/broker) and .delay() fails.
    (VAR_DIR / "broker").mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # One entry for every reminder of every patient: the tick claims whatever is due in bulk.
    # (One beat entry per user stalls beat at 10k+ schedules: see NOTES.md.)
    "reminders-tick": {
        "task": "diary.reminders.tasks.reminders_tick",
        "schedule": crontab(),  # every minute, on the minute: slots are whole minutes
        # A tick that waited on the broker longer than this (worker down) is dropped; the
        # next one catches up, so a backlog of ticks never runs back to back.
        "options": {"expires": 55},
    },
    # Dashboard summaries: the 28-day windows roll over at each patient's local midnight.
    "diary-refresh-due-summaries": {
        "task": "diary.dashboard.tasks.refresh_due_summaries",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    # Export files past EXPORT_RETENTION_HOURS, and import uploads left behind.
    "exports-delete-expired": {
        "task": "diary.exports.tasks.delete_expired_exports",
        "schedule": crontab(minute=17),
        "options": {"expires": 3000},
    },
    # Accounts whose deletion grace period has ended are deleted for good.
    "accounts-delete-due": {
        "task": "accounts.tasks.delete_due_accounts",
        "schedule": crontab(minute=27),
        "options": {"expires": 3000},
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Reminders and web push -------------------------------------------------------------
# Absolute links in emails (the signed one-click "Taken" link).
PUBLIC_BASE_URL = env_str("DJANGO_PUBLIC_URL", "http://localhost:8000").rstrip("/")
# A pair from `manage.py generate_vapid_keys`; without it push is off and email still works.
# The reminders system check refuses a malformed or mismatched pair.
WEBPUSH_VAPID_PUBLIC_KEY = env_str("WEBPUSH_VAPID_PUBLIC_KEY", None)
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY", None)
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT", "mailto:admin@localhost")
# Push endpoints are URLs a browser hands us; the worker POSTs to them, so only known push
# services are accepted (host equal to, or ending in "." plus, one of these).
WEBPUSH_ALLOWED_HOSTS = env_list(
    "WEBPUSH_ALLOWED_HOSTS",
    ["fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com"],
)
REMINDER_GRACE_MINUTES = env_int("REMINDER_GRACE_MINUTES", 120, minimum=1)
REMINDER_FOLLOW_UP_MINUTES = env_int("REMINDER_FOLLOW_UP_MINUTES", 120, minimum=1)
REMINDER_LINK_MAX_AGE_HOURS = env_int("REMINDER_LINK_MAX_AGE_HOURS", 24, minimum=1)
REMINDER_TICK_BATCH = 20_000  # reminders claimed per transaction
REMINDER_SEND_BATCH = 500  # delivery ids per Celery message

# --- Request limits and the client's address ------------------------------------------------
# Bodies under /api/ and /_allauth/ (config.middleware.JSONGuardMiddleware): one row or one
# form is a few KiB, so 256 KiB is generous. The offline sync batch takes 500 entries with
# notes of 2,000 characters: 1.1 MiB in ASCII, 4.0 MiB as the PWA's JSON.stringify sends
# all-emoji notes, 5.9 MiB from a client that escapes every non-ASCII character (\uXXXX);
# 8 MiB holds all of those with room to spare (tests/platform/test_input_guard.py measures).
API_SYNC_PATH = "/api/v1/diary/sync"
API_IMPORT_PATH = "/api/v1/imports"  # a multipart upload, up to IMPORT_MAX_BYTES (below)
API_BODY_MAX_BYTES = 256 * 1024
API_SYNC_BODY_MAX_BYTES = 8 * 1024 * 1024
# Django's own ceiling for any body it reads (admin forms included) must let the sync through.
DATA_UPLOAD_MAX_MEMORY_SIZE = API_SYNC_BODY_MAX_BYTES
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the peer's
# address is the client's (`make run`, no proxy). Behind one proxy (compose's TLS proxy): 1.
# The client is the address the outermost trusted proxy saw; entries further left are
# whatever the client sent, and never trusted (config.client_ip).
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0, minimum=0)

# --- Browser security headers -----------------------------------------------------------------
# The PWA is one origin: scripts, styles, API calls, the manifest and the service worker all
# come from here. No inline script anywhere (index.html loads one module). Inline style
# attributes are refused too: Preact and uPlot set styles through the DOM (CSSOM), which
# style-src does not govern. The reminder confirmation page uses a nonce for its <style>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],  # the nonce only when a page uses one
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (config.middleware.SecurityHeadersMiddleware): features the app never uses.
PERMISSIONS_POLICY_DENY = [
    "accelerometer",
    "autoplay",
    "bluetooth",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "serial",
    "usb",
]
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# --- Django admin ---------------------------------------------------------------------
# Off unless turned on; when on, only staff whose session passed two-factor (allauth's
# TOTP, through the app's own login) get in, and its login form takes no password at all
# (accounts.admin_site).
ADMIN_ENABLED = env_bool("DJANGO_ADMIN_ENABLED", False)

# --- Data ownership: exports, imports, account deletion ------------------------------------
# Export files and import uploads (the default storage). Not served by the web server:
# downloads go through the API, which checks who asks.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# How long a built export file can be downloaded before the beat task deletes it.
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24, minimum=1)
# Exports of at most this many diary rows are built inside the request (about 0.2 s for
# 2,000 rows); larger ones go to a Celery worker that reports progress.
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 2000, minimum=0)
IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_ROWS = 50_000
# Days between "delete my account" and the deletion for good; logging in meanwhile restores it.
ACCOUNT_DELETION_GRACE_DAYS = env_int("ACCOUNT_DELETION_GRACE_DAYS", 7, minimum=0)

# --- Product settings -----------------------------------------------------------------
INVITE_CODE_TTL = timedelta(hours=48)
DEMO_ACCOUNTS_ENABLED = False
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
# Sessions are read from the cache (Redis in production) and written through to the
# database: every authenticated request skips two session queries, and a cache that is
# flushed or restarted logs nobody out (a "cache"-only store would). Logout, revocation and
# a password change delete or invalidate the stored session, in the cache and the table.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
