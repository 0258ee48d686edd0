"""The published API descriptions."""

from __future__ import annotations

from django.test import Client


def test_the_openapi_schema_swagger_and_allauths_spec_are_served(db):
    client = Client()
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    body = schema.json()
    assert client.get("/api/v1/schema/swagger/").status_code == 200
    assert client.get("/_allauth/openapi.json").status_code == 200

    envelope = body["components"]["schemas"]["ErrorEnvelope"]["properties"]["error"]
    assert set(envelope["required"]) == {"status", "code", "message", "fields"}
    create = body["paths"]["/api/v1/diary/episodes"]["post"]
    assert create["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }
    assert {"201", "200", "409"} <= set(create["responses"])
    request_schema = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    muscle = body["components"]["schemas"][request_schema]["properties"]["muscle_group"]
    enum_ref = muscle.get("$ref") or muscle["allOf"][0]["$ref"]
    assert body["components"]["schemas"][enum_ref.rsplit("/", 1)[1]]["enum"] == [
        "calf",
        "thigh",
        "foot",
        "hand",
        "back",
        "neck",
        "other",
    ]
    paths = set(body["paths"])
    for kind in ("episodes", "checkins", "sun", "doses", "regimens", "labs"):
        assert f"/api/v1/diary/{kind}" in paths
        assert f"/api/v1/clinician/patients/{{patient_id}}/diary/{kind}" in paths
    assert {
        "/api/v1/diary/sync",
        "/api/v1/trends/spasms",
        "/api/v1/trends/treatment-response",
        "/api/v1/clinician/patients",
    } <= paths
