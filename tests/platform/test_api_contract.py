"""The committed API contract (docs/openapi.json, frontend/src/api/domain.gen.json) is what the
code produces, so the PWA's generated types cannot silently drift from the API."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from config.api import contract
from config.api.contract import CONTRACT_FILES, ContractFile, stale_diff


@pytest.mark.parametrize("file", CONTRACT_FILES, ids=lambda file: file.relative_path)
def test_the_committed_contract_file_is_up_to_date(file):
    diff = stale_diff(file, file.render())
    assert not diff, (
        f"{file.relative_path} differs from what the code produces. Run `make api` (manage.py export_api, "
        f"then npm run gen:api in frontend/), review the diff and commit the files.\n{diff}"
    )


def test_the_schema_is_spectaculars_own():
    printed = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=printed)
    assert json.loads(contract.openapi_text()) == json.loads(printed.getvalue())


def test_the_domain_tables_are_the_units_modules():
    tables = json.loads(contract.domain_text())
    assert tables["supplements"][:2] == ["vitamin_d3", "vitamin_d2"]
    assert tables["vitamin_d_supplements"] == ["vitamin_d2", "vitamin_d3"]
    # The first unit is the form's default: IU for vitamin D, ng/mL for 25(OH)D.
    assert tables["dose_units"]["vitamin_d3"] == ["IU", "ug", "mg"]
    assert tables["dose_units"]["magnesium"] == ["mg", "g"]
    assert tables["lab_units"]["vitamin_d_25oh"] == ["ng/mL", "nmol/L"]
    assert tables["lab_canonical_units"]["pth"] == "pg/mL"
    assert set(tables["lab_units"]) == set(tables["analytes"])


@pytest.fixture
def one_file(tmp_path, settings, monkeypatch):
    settings.BASE_DIR = tmp_path
    file = ContractFile("docs/example.json", lambda: '{\n  "a": 2\n}\n')
    monkeypatch.setattr("diary.management.commands.export_api.CONTRACT_FILES", (file,))
    return file


def test_export_api_writes_the_files(one_file):
    call_command("export_api", stdout=io.StringIO())
    assert one_file.path.read_text() == '{\n  "a": 2\n}\n'
    call_command("export_api", "--check", stdout=io.StringIO())


def test_export_api_check_fails_with_a_diff_and_writes_nothing(one_file):
    one_file.path.parent.mkdir(parents=True)
    one_file.path.write_text('{\n  "a": 1\n}\n')
    printed = io.StringIO()
    with pytest.raises(CommandError, match="make api"):
        call_command("export_api", "--check", stdout=printed)
    assert '-  "a": 1\n+  "a": 2\n' in printed.getvalue()
    assert "--- docs/example.json (committed)" in printed.getvalue()
    assert one_file.path.read_text() == '{\n  "a": 1\n}\n'


def test_export_api_check_fails_when_a_file_is_missing(one_file):
    with pytest.raises(CommandError, match=r"docs/example\.json"):
        call_command("export_api", "--check", stdout=io.StringIO())
    assert not one_file.path.exists()
