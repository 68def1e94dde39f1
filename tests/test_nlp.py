"""The spaCy pipeline's own components (pipeline/nlp.py)."""
from pathlib import Path

import spacy

from pipeline.knowledge import load_knowledge
from pipeline.nlp import POSITIONS_KEY, build_nlp

SENTENCES = [
    "Lie on your back with your knees bent.",  # an opener by its lower-case form ("on")
    "Then she sat quietly for a while.",  # an opener only by its lemma ("sat" -> sit)
    "Breathe out and let the shoulders drop.",  # no opener: no position span
    "Roll onto your stomach; rest your forehead on your hands and knees.",
    "Standing tall, feet hip-width apart, reach up.",
    "",
]


def _spans(doc):
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans[POSITIONS_KEY]]


def test_the_position_ruler_finds_what_spacys_span_ruler_finds():
    kb = load_knowledge()
    nlp = build_nlp(kb)
    # spaCy's own span ruler with the same patterns, behind the same tokenizer, sentencizer and lemmatizer
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    reference.add_pipe("stretchpipe_lemmatizer")
    ruler = reference.add_pipe("span_ruler", config={
        "spans_key": POSITIONS_KEY, "validate": True,
        "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    reference.initialize()
    ruler.add_patterns(nlp.get_pipe("position_cues").patterns)
    pages = sorted((Path(__file__).parent / "devcorpus").glob("*.md"))
    texts = SENTENCES + [par for page in pages for par in page.read_text().split("\n\n")]
    found = 0
    for ours, theirs in zip(nlp.pipe(texts), reference.pipe(texts)):
        assert _spans(ours) == _spans(theirs), ours.text
        found += bool(_spans(ours))
    assert found >= 20  # the texts do name positions
    assert _spans(nlp(SENTENCES[1])) and not _spans(nlp(SENTENCES[2]))
