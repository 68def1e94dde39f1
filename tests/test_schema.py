"""Every record the pipeline emits validates against the published JSON Schema."""
import json

import jsonschema
import pytest
from conftest import DATA, REPO
from helpers import article_from_file

SCHEMA = json.loads((REPO / "pipeline" / "data" / "stretch.schema.json").read_text())
PAGES = sorted([*DATA.glob("*.html"), *DATA.glob("*.md"), *DATA.glob("*.txt"), *(REPO / "raw").glob("*.*")])


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_records_validate(page):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for record in article_from_file(page).records:
        errors = sorted(validator.iter_errors(record.to_dict()), key=str)
        assert not errors, f"{record.name}: {errors[0].message} at {list(errors[0].path)}"


def test_schema_rejects_a_broken_record():
    record = article_from_file(REPO / "raw" / "13-stretches-for-lower-back-pain.txt").records[0].to_dict()
    record["position"] = "upside-down"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, SCHEMA)


def test_vocabularies_agree_across_code_schema_and_data():
    from pipeline.knowledge import load_knowledge
    from pipeline.records import KINDS, POSITIONS
    kb = load_knowledge()
    assert set(SCHEMA["$defs"]["position"]["enum"]) == set(POSITIONS)
    assert {c["label"] for c in kb.positions["cues"]} == set(POSITIONS)
    assert set(SCHEMA["properties"]["kind"]["enum"]) == set(KINDS)
    assert {e.kind for e in kb.exercises} <= set(KINDS)
    assert {e.position for e in kb.exercises if e.position} <= set(POSITIONS)
