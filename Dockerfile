# syntax=docker/dockerfile:1
# Production image for web, worker, beat and migrate (see docker-compose.yml).

# --- The PWA, when there is one: frontend/dist is served by whitenoise ------------------
FROM node:22-slim AS frontend
WORKDIR /build
# A bind mount, not COPY: COPY fails outright when frontend/ does not exist.
RUN --mount=type=bind,source=.,target=/src \
    mkdir -p /out && \
    if [ -f /src/frontend/package.json ]; then \
        cp -a /src/frontend/. /build/ && npm ci && npm run build && cp -a dist /out/dist; \
    else \
        echo "frontend/package.json is absent: no PWA to build"; \
    fi

# --- The Django app -----------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app

# Pango (and a font) for WeasyPrint, which renders the visit report's PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
COPY --from=frontend /out/ ./frontend/

# collectstatic only needs the settings to load; these build-time values are never used
# at run time (compose passes the real ones).
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-0123456789 \
    DJANGO_ALLOWED_HOSTS=localhost \
    DJANGO_CSRF_TRUSTED_ORIGINS=http://localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    DJANGO_EMAIL_HOST=localhost \
    DJANGO_TRUSTED_PROXIES=0 \
    WEBPUSH_VAPID_PRIVATE_KEY=build-only WEBPUSH_VAPID_PUBLIC_KEY=build-only WEBPUSH_VAPID_SUBJECT=mailto:build@localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p var media && chown app:app var media

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
