"""Every record the pipeline emits validates against the JSON Schema generated from its dataclass."""
import jsonschema
import pytest
from conftest import DATA, REPO
from helpers import article_from_file

from pipeline.records import KINDS, POSITIONS, ArticleRow, Stretch
from pipeline.schema import json_schema

SCHEMA = json_schema(Stretch, "stretches")
PAGES = sorted([*DATA.glob("*.html"), *DATA.glob("*.md"), *DATA.glob("*.txt"), *(REPO / "raw").glob("*.*")])


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(json_schema(ArticleRow, "articles"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_records_validate(page):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    article = article_from_file(page)
    for record in article.records:
        errors = sorted(validator.iter_errors(record.to_dict()), key=str)
        assert not errors, f"{record.name}: {errors[0].message} at {list(errors[0].path)}"
    errors = list(jsonschema.Draft202012Validator(json_schema(ArticleRow, "articles")).iter_errors(article.to_dict()))
    assert not errors, errors[0].message


@pytest.mark.parametrize("change", [("position", "upside-down"), ("kind", "yoga"), ("steps", [""]),
                                    ("hold", {"min_seconds": -1, "max_seconds": None, "text": "x"}),
                                    ("extra_field", 1), ("targets", ["hips", "hips"])])
def test_schema_rejects_a_broken_record(change):
    record = article_from_file(REPO / "raw" / "13-stretches-for-lower-back-pain.txt").records[0].to_dict()
    key, value = change
    record[key] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, SCHEMA)


def test_vocabularies_agree_across_code_schema_and_data():
    from pipeline.knowledge import load_knowledge
    kb = load_knowledge()
    assert set(SCHEMA["properties"]["position"]["enum"]) - {None} == set(POSITIONS)
    assert {c["label"] for c in kb.positions["cues"]} == set(POSITIONS)
    assert set(SCHEMA["properties"]["kind"]["enum"]) == set(KINDS)
    assert {e.kind for e in kb.exercises} <= set(KINDS)
    assert {e.position for e in kb.exercises if e.position} <= set(POSITIONS)


def test_schema_follows_the_dataclass():
    """One definition: a field added to the record appears in the schema, in order, required."""
    from dataclasses import fields
    emitted = [f.name for f in fields(Stretch) if f.metadata.get("emit", True)]
    assert list(SCHEMA["properties"]) == emitted == SCHEMA["required"]
    assert "evidence" not in SCHEMA["properties"]
