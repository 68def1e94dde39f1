"""The controlled vocabularies: every body-part word has an area id, the hierarchy is a tree,
the schemas carry the enums, and records say their areas beside their own words."""
import json

from helpers import article_from

from pipeline import vocab
from pipeline.knowledge import load_knowledge
from pipeline.records import Stretch
from pipeline.schema import json_schema


def test_every_area_and_synonym_of_the_knowledge_base_has_an_id(kb):
    for phrase, area in kb.body_synonyms.items():
        assert vocab.area_of(phrase) in vocab.BODY_AREAS, phrase
        assert vocab.area_of(area) == vocab.area_of(phrase), (phrase, area)


def test_the_hierarchy_is_a_tree_with_the_stated_parents():
    for area, parent in vocab.AREA_PARENT.items():
        assert parent is None or parent in vocab.AREA_PARENT, area
        assert area not in vocab.ancestors(area), f"{area} is its own ancestor"
    assert "back" in vocab.ancestors("lower-back")
    assert "thighs" in vocab.ancestors("quadriceps") and "thighs" in vocab.ancestors("hamstrings")
    assert vocab.area_of("sides") == vocab.area_of("side body") == "obliques"


def test_page_words_map_to_areas_and_the_rest_to_none():
    assert vocab.target_areas(["lower back", "the backs of your thighs", "quads", "QL", "a good mood"]) == [
        "lower-back", "hamstrings", "quadriceps"]


def test_the_record_schema_has_the_vocabularies_as_enums():
    schema = json_schema(Stretch, "stretch")
    props = schema["properties"]
    assert "squatting" in json.dumps(props["position"])
    assert set(vocab.BODY_AREAS) <= set(json.dumps(props["target_areas"]).replace('"', " ").split())


def test_a_squat_is_a_position_of_its_own():
    article = article_from("Hip openers\n\n1. Garland Pose\n\nSquat down with your feet wider than your hips and "
                           "press your elbows into your knees. Hold for 30 seconds.\n")
    [record] = article.stretches
    assert record.position == "squatting"
    assert load_knowledge().match_exercise("Malasana")[0].position == "squatting"
