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


def test_a_text_over_spacys_max_length_is_read_whole(kb):
    """spaCy refuses texts over max_length (for its parser's memory, which this pipeline lacks):
    a page's million-character paragraph used to fail the whole page (SP900)."""
    from pipeline.nlp import build_nlp
    nlp = build_nlp(kb)
    text = "Lie on your back and hug your knees to your chest. " * 40
    saved = nlp.max_length
    nlp.max_length = 200  # a million characters, scaled down
    try:
        doc = nlp(text)
        docs = list(nlp.pipe([text, "Hold 30 seconds."]))
    finally:
        nlp.max_length = saved
    assert doc.text == text and docs[0].text == text
    assert len(list(doc.sents)) == 40
    assert len(doc.spans["body_parts"]) >= 40  # the body parts of every sentence, past the old limit too


def test_a_run_on_sentence_is_read_in_pieces_of_the_cap(kb):
    from pipeline.config import EXTRACT
    from pipeline.nlp import build_nlp
    cap = EXTRACT.max_sentence_tokens
    text = "and then relax your shoulders " * (cap // 2)  # no full stop: one "sentence" of 2.5 caps
    doc = build_nlp(kb)(text)
    sents = list(doc.sents)
    assert len(doc) > 2 * cap and len(sents) == -(-len(doc) // cap)
    assert all(len(s) <= cap for s in sents) and "".join(s.text_with_ws for s in sents) == text
