"""The API contract the PWA is built from, as committed files: the OpenAPI schema
(`docs/openapi.json`, from which `frontend/src/api/schema.gen.ts` is generated) and the
domain tables the schema cannot carry (`frontend/src/api/domain.gen.json`: which units go
with which supplement or lab test). `manage.py export_api` writes them and
`tests/platform/test_api_contract.py` fails when they are stale; both call these functions.

The text is deterministic (sorted keys, two-space indent, a trailing newline), so a diff of
a committed file shows exactly what changed in the API.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from diary import units


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def openapi_text() -> str:
    """What `manage.py spectacular --format openapi-json` prints, in a stable layout."""
    from drf_spectacular.renderers import OpenApiJsonRenderer
    from drf_spectacular.settings import spectacular_settings

    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS()
    schema = generator.get_schema(request=None, public=True)
    # The renderer's encoder resolves lazy translations and decimals; re-reading its output
    # leaves plain JSON values to sort.
    return _dump(json.loads(OpenApiJsonRenderer().render(schema, renderer_context={})))


def domain_tables() -> dict[str, object]:
    """The unit tables of `diary.units` that the forms offer. Lists keep the server's order:
    the first unit of a supplement or a test is the one a form picks by default."""
    return {
        "supplements": list(units.SUPPLEMENTS),
        "vitamin_d_supplements": sorted(units.VITAMIN_D_SUPPLEMENTS),
        "dose_units": {supplement: list(units.dose_units_for(supplement)) for supplement in units.SUPPLEMENTS},
        "analytes": list(units.ANALYTES),
        "lab_units": {analyte: list(units.LAB_ANALYTES[analyte].factors) for analyte in units.ANALYTES},
        "lab_canonical_units": {analyte: units.LAB_ANALYTES[analyte].canonical_unit for analyte in units.ANALYTES},
    }


def domain_text() -> str:
    return _dump(domain_tables())


@dataclass(frozen=True)
class ContractFile:
    relative_path: str
    render: Callable[[], str]

    @property
    def path(self) -> Path:
        return Path(settings.BASE_DIR) / self.relative_path


CONTRACT_FILES = (
    ContractFile("docs/openapi.json", openapi_text),
    ContractFile("frontend/src/api/domain.gen.json", domain_text),
)


def stale_diff(file: ContractFile, expected: str) -> str:
    """A unified diff from the committed file to what the code produces; empty when equal."""
    current = file.path.read_text(encoding="utf-8") if file.path.exists() else ""
    if current == expected:
        return ""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            fromfile=f"{file.relative_path} (committed)",
            tofile=f"{file.relative_path} (from the code)",
        )
    )
