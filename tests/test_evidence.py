"""The record's public `evidence`: what the audit reads, each quote pointing into the cleaned text."""
from helpers import page_from

from pipeline.clean import clean_page
from pipeline.extract import extract_article

PAGE = """Two Stretches for Tight Hips

1. Seated Butterfly

Stand with your feet hip-width apart. Sit on the floor and press the soles of your feet together.
Hold for 30 seconds. For bigger legs, add squats and deadlifts to your week.
Press the soles of your feet together and hold.

2. Figure Four Stretch

Lie on your back and cross your right ankle over your left knee. Hold 30 seconds, then switch sides.
"""


def _article():
    doc = clean_page(page_from(PAGE))
    return doc, extract_article(doc)


def test_every_quote_is_the_text_at_its_span():
    doc, article = _article()
    for record in article.records:
        ev = record.evidence
        quotes = ev.sentences + ev.off_topic + ev.restated + [m.sentence for m in ev.positions]
        assert ev.heading is not None and doc.text[ev.heading.start:ev.heading.end] == ev.heading.text
        assert quotes
        for q in quotes:
            assert doc.text[q.start:q.end] == q.text


def test_evidence_names_starts_name_positions_off_topic_and_restatements():
    _, article = _article()
    butterfly, figure_four = article.records
    ev = butterfly.evidence
    assert ev.name_positions == ["seated"]
    assert [m.label for m in ev.start_positions][:1] == ["standing"]
    assert all(m.start for m in ev.start_positions)
    assert any("deadlifts" in q.text for q in ev.off_topic)
    assert [q.text for q in ev.restated] == ["Press the soles of your feet together and hold."]
    assert {q.role for q in ev.sentences} >= {"step", "off_topic"}
    assert [m.label for m in figure_four.evidence.start_positions] == ["supine"]
    assert figure_four.evidence.off_topic == [] and figure_four.evidence.restated == []


def test_evidence_is_not_emitted_in_the_record():
    _, article = _article()
    assert "evidence" not in article.records[0].to_dict() and "notes" not in article.records[0].to_dict()
