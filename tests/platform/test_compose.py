"""docker-compose.yml, checked without a Docker engine (none runs here).

The central check: what compose hands web, worker and beat, with .env.example filled in,
is enough for config/settings/production.py to load, and includes every variable that
production settings cannot do without (found by taking each one away).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

import config.settings.env as env_module
from tests.platform.test_settings import import_production

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = BASE_DIR / "docker-compose.yml"
ENV_EXAMPLE = BASE_DIR / ".env.example"
APP_SERVICES = ("web", "worker", "beat")
# Values the operator generates: empty in .env.example, filled in by the tests below.
SECRETS = (
    "DJANGO_SECRET_KEY",
    "POSTGRES_PASSWORD",
    "DJANGO_EMAIL_HOST_PASSWORD",
    "WEBPUSH_VAPID_PRIVATE_KEY",
    "WEBPUSH_VAPID_PUBLIC_KEY",
)
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${...} substitution, enough for our file."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        missing = current is None or (current == "" and op and op.startswith(":"))
        if op and op.endswith("?") and missing:
            raise AssertionError(f"compose would refuse to start: {name}: {arg}")
        if op and op.endswith("-") and missing:
            return arg
        return current or ""

    return INTERPOLATION.sub(substitute, value).replace("$$", "$")


def service_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def filled_in_env_example() -> dict[str, str]:
    """.env.example as an operator would fill it in: empty secrets get generated values."""
    values = read_env_file(ENV_EXAMPLE)
    for name in SECRETS:
        if not values.get(name):
            values[name] = secrets.token_urlsafe(64)
    return values


def container_env(compose: dict, name: str) -> dict[str, str]:
    dotenv = filled_in_env_example()
    return {key: interpolate(value, dotenv) for key, value in service_environment(compose["services"][name]).items()}


def production_requires(env: dict[str, str]) -> set[str]:
    """The variables production settings read under `env` and refuse to load without."""
    read: list[str] = []
    real_raw = env_module._raw

    def recording_raw(name: str) -> str | None:
        read.append(name)
        return real_raw(name)

    with mock.patch.object(env_module, "_raw", recording_raw):
        import_production(env)
    required = set()
    for name in dict.fromkeys(read):
        without = {key: value for key, value in env.items() if key != name}
        try:
            import_production(without)
        except ImproperlyConfigured:
            required.add(name)
    return required


def test_the_five_services_exist(compose):
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose["services"])


def test_images(compose):
    services = compose["services"]
    assert services["postgres"]["image"].split(":")[1].startswith("16")
    assert services["redis"]["image"].split(":")[1].startswith("7")
    for name in (*APP_SERVICES, "migrate"):
        assert services[name]["build"] == ".", name


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_app_services_use_production_settings(compose, name):
    assert service_environment(compose["services"][name])["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_compose_environment_loads_production_settings(compose, name):
    settings = import_production(container_env(compose, name))
    assert settings.DEBUG is False
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.DATABASES["default"]["HOST"] == "postgres"
    assert settings.CELERY_BROKER_URL == "redis://redis:6379/0"


def test_every_required_production_variable_reaches_web_worker_and_beat(compose):
    required = production_requires(container_env(compose, "web"))
    # The discovery must find what we know production needs, or it proves nothing.
    assert {
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_EMAIL_HOST",
    } <= required
    for name in APP_SERVICES:
        missing = required - set(service_environment(compose["services"][name]))
        assert not missing, f"{name} lacks {sorted(missing)}"


def strings_in(node) -> list[str]:
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (*strings_in(key), *strings_in(value))]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return [node] if isinstance(node, str) else []


def test_env_example_lists_every_variable_compose_reads_and_no_secret(compose):
    names = {match["name"] for text in strings_in(compose) for match in INTERPOLATION.finditer(text.replace("$$", ""))}
    assert {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"} <= names
    example = read_env_file(ENV_EXAMPLE)
    assert names - set(example) == set()
    for name in SECRETS:
        assert example[name] == "", f".env.example must not carry a value for {name}"


@pytest.mark.parametrize("name", ["postgres", "redis", "web"])
def test_healthchecks(compose, name):
    test = compose["services"][name]["healthcheck"]["test"]
    assert test[0] in {"CMD", "CMD-SHELL"}
    assert len(test) > 1


def test_web_healthcheck_probes_healthz(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    script = next(part for part in test if part.endswith(".py"))
    assert (BASE_DIR / script).is_file()
    assert "/healthz" in (BASE_DIR / script).read_text()


@pytest.mark.parametrize(("name", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_commands_target_the_project_app(compose, name, subcommand):
    command = compose["services"][name]["command"]
    command = command.split() if isinstance(command, str) else command
    assert command[0] == "celery"
    assert "config.celery_app" in (command[command.index("-A") + 1] if "-A" in command else "")
    assert subcommand in command


def test_web_runs_gunicorn_on_the_wsgi_app(compose):
    command = compose["services"]["web"]["command"]
    assert command[:2] == ["gunicorn", "config.wsgi:application"]


def test_migrations_run_before_the_app_starts(compose):
    services = compose["services"]
    assert services["migrate"]["command"][:3] == ["python", "manage.py", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes") or {})
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "~")):
                used.add(source)
    assert used
    assert used <= declared
    for name in ("postgres", "redis"):
        assert compose["services"][name].get("volumes"), f"{name} keeps its data in a named volume"


def test_dockerfile_and_dockerignore():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "collectstatic" in dockerfile
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert ".env" in ignored, "the image must not carry the secrets file"


def test_the_dockerfiles_build_time_environment_loads_production_settings():
    # collectstatic runs with production settings at build time: a variable production
    # starts requiring must be given there too, or the image does not build.
    dockerfile = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    run = next(line for line in dockerfile.splitlines() if "collectstatic --noinput" in line)
    env = dict(re.findall(r"\b([A-Z][A-Z0-9_]+)=(\S+)", run.split("python manage.py collectstatic")[0]))
    assert "DJANGO_SECRET_KEY" in env
    import_production(env)
