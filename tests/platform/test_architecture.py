"""The layout keeps its promises: where DRF may appear, what importing a model costs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Domain code: writes, reads and the beat tick speak the domain and raise
# config.api.exceptions; only apis and serializers know DRF.
DOMAIN_MODULES = sorted(
    path
    for package in ("diary", "accounts")
    for path in (ROOT / package).rglob("*.py")
    if path.stem in {"services", "selectors", "tick", "send"} and "migrations" not in path.parts
)


def _imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_domain_modules_are_found():
    names = {str(path.relative_to(ROOT)) for path in DOMAIN_MODULES}
    assert {"diary/services.py", "diary/selectors.py", "diary/reminders/tick.py", "accounts/services.py"} <= names


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_services_selectors_and_the_tick_do_not_import_drf(path):
    drf = sorted(m for m in _imports(path) if m.split(".")[0] in {"rest_framework", "drf_spectacular"})
    assert not drf, f"{path.relative_to(ROOT)} imports {drf}"


def test_the_domain_exceptions_do_not_import_drf():
    assert not {m for m in _imports(ROOT / "config" / "api" / "exceptions.py") if m.startswith("rest_framework")}


def _loaded_after(statement: str) -> list[str]:
    code = (
        "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test'); "
        f"django.setup(); {statement}; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'statsmodels', 'pandas'}))"
    )
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return eval(completed.stdout.strip().splitlines()[-1])  # noqa: S307 (our own print of a list)


def test_importing_the_models_and_urls_loads_no_statistics_library():
    # Every process (web, worker, beat, each manage command) imports these at start.
    assert _loaded_after("import diary.models, diary.reminders.models, config.urls") == []


def test_a_treatment_response_computation_loads_scipy():
    # The check above is not vacuous: computing a test statistic does load it.
    assert "scipy" in _loaded_after(
        "from diary.insights.stats import compare_poisson_rates; compare_poisson_rates(3, 10, 9, 10)"
    )
