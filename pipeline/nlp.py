"""The spaCy pipeline: blank English + rule-based components, all configured from data files.

Components are registered by name (spaCy factories), so a trained model can replace any of
them later without touching the stages. Nothing here downloads anything.
"""
from __future__ import annotations

import re
from functools import lru_cache, partial

import spacy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .config import EXTRACT
from .knowledge import Knowledge, load_knowledge
from .lemmas import lemma, lemma_table

__all__ = ["BODY_KEY", "POSITIONS_KEY", "build_nlp", "lemma"]

POSITIONS_KEY = "positions"
BODY_KEY = "body_parts"


class LowercaseLookupLemmatizer:
    """spaCy's lookup lemmatizer is case-sensitive ("Sitting" stays "Sitting"); this one is not."""

    def __init__(self) -> None:
        self.table = lemma_table()

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            low = token.lower_
            token.lemma_ = self.table.get(low, low)
        return doc


@Language.factory("stretchpipe_lemmatizer")
def make_lemmatizer(nlp: Language, name: str) -> LowercaseLookupLemmatizer:
    return LowercaseLookupLemmatizer()


class OpenerSpanRuler(SpanRuler):
    """spaCy's span ruler, skipping a document in which no word can open one of its token patterns.

    spaCy's Matcher tries every pattern at every token, its `IN` tests in Python: for the position
    cues the costliest step of the pipeline, on sentences most of which name no position at all. A
    match starts at a token that satisfies its pattern's first token, so a document without such a
    token gets what the ruler would give it, no span, at the cost of one look at its words. When a
    pattern's first token is not a plain LOWER or LEMMA test (a phrase, an operator, other
    attributes), every document is matched."""

    def __call__(self, doc: Doc) -> Doc:
        openers = self._openers()
        if openers is not None and not _may_open(doc, openers):
            self.set_annotations(doc, [])
            return doc
        return super().__call__(doc)

    def _openers(self) -> dict[int, frozenset[int]] | None:
        key = (id(self._patterns), len(self._patterns))  # the ruler replaces or grows its pattern list
        if getattr(self, "_openers_for", None) != key:
            self._openers_for, self._openers_found = key, _first_tokens(self._patterns)
        return self._openers_found


def _first_tokens(patterns: list) -> dict[int, frozenset[int]] | None:
    """{LOWER: hashes, LEMMA: hashes} that the patterns' first tokens accept; None when one of them
    is not a plain test of one of the two."""
    found: dict[int, set[int]] = {LOWER: set(), LEMMA: set()}
    for entry in patterns:
        tokens = entry["pattern"]
        if isinstance(tokens, str) or not tokens or len(tokens[0]) != 1:
            return None
        [(attr, value)] = tokens[0].items()
        if attr not in ("LOWER", "LEMMA"):
            return None
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, dict) and list(value) == ["IN"]:
            values = value["IN"]
        else:
            return None
        found[LOWER if attr == "LOWER" else LEMMA].update(get_string_id(v) for v in values)
    return {attr: frozenset(hashes) for attr, hashes in found.items()}


def _may_open(doc: Doc, openers: dict[int, frozenset[int]]) -> bool:
    words = doc.to_array([LOWER, LEMMA])
    return not (openers[LOWER].isdisjoint(words[:, 0].tolist()) and openers[LEMMA].isdisjoint(words[:, 1].tolist()))


@Language.factory("stretchpipe_opener_span_ruler", assigns=["doc.spans"],
                  default_config={"spans_key": "ruler", "spans_filter": None, "validate": False})
def make_opener_span_ruler(nlp: Language, name: str, spans_key: str, spans_filter, validate: bool) -> OpenerSpanRuler:
    return OpenerSpanRuler(nlp, name, spans_key=spans_key, spans_filter=spans_filter, validate=validate,
                           overwrite=True)  # as spaCy's own span_ruler factory


def _sided(phrase: str, qualifiers: list[str], possessive: str) -> list[str]:
    """"front of your hip" also matches "front of your left hip", "front of your back hip"..."""
    if f" {possessive} " not in f" {phrase} ":
        return [phrase]
    return [phrase] + [re.sub(rf"\b{possessive}\b", f"{possessive} {q}", phrase, count=1) for q in qualifiers]


def make_doc_any_length(nlp: Language, text: str) -> Doc:
    """The tokenized Doc of a text of any length. spaCy refuses texts over `max_length` (a million
    characters) to guard the memory of its parser and entity recognizer, which this pipeline does
    not have: its tokenizer and components are linear in the text, and the page's read limit and
    memory budget bound it. So one paragraph of a million characters is read like any other and
    never fails its page; `cap_sentences` keeps what follows per sentence bounded."""
    return nlp.tokenizer(text)


@Language.component("stretchpipe_sentence_cap")
def cap_sentences(doc: Doc) -> Doc:
    """A "sentence" longer than EXTRACT.max_sentence_tokens (a paragraph with no full stop, a page
    of run-on text) is read in pieces of that many tokens: the steps after the sentencizer (cues,
    quantities, roles) work one sentence at a time, and no real sentence is that long."""
    cap = EXTRACT.max_sentence_tokens
    if len(doc) <= cap:
        return doc
    run = 0
    for token in doc:
        run = 0 if token.is_sent_start else run + 1
        if run >= cap:
            token.is_sent_start = True
            run = 0
    return doc


@lru_cache(maxsize=2)
def build_nlp(kb: Knowledge | None = None) -> Language:
    kb = kb or load_knowledge()
    nlp = spacy.blank("en")
    nlp.make_doc = partial(make_doc_any_length, nlp)  # what nlp() and nlp.pipe() turn a text into
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("stretchpipe_sentence_cap")
    nlp.add_pipe("stretchpipe_lemmatizer")
    positions = nlp.add_pipe("stretchpipe_opener_span_ruler", name="position_cues",
                             config={"spans_key": POSITIONS_KEY, "validate": True,
                                     "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    body = nlp.add_pipe("span_ruler", name="body_parts",
                        config={"spans_key": BODY_KEY, "phrase_matcher_attr": "LOWER",
                                "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    nlp.initialize()
    # Patterns go in after initialize(): initialize() empties rulers.
    # a cue's "id" ("implied": a stance that suggests a position) is kept on the span as `id_`
    positions.add_patterns([{"label": c["label"], "pattern": c["pattern"], **({"id": c["id"]} if "id" in c else {})}
                            for c in kb.positions["cues"]])
    body.add_patterns([{"label": canonical, "pattern": variant}
                       for phrase, canonical in sorted(kb.body_synonyms.items())
                       for variant in _sided(phrase, kb.lexicon["body_part_qualifiers"],
                                             kb.lexicon["sentence_words"]["possessive"])])
    return nlp
