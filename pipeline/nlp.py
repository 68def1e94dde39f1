"""The spaCy pipeline: blank English + rule-based components, all configured from data files.

Components are registered by name (spaCy factories), so a trained model can replace any of
them later without touching the stages. Nothing here downloads anything.
"""
from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.tokens import Doc

from .knowledge import Knowledge, load_knowledge

POSITIONS_KEY = "positions"
BODY_KEY = "body_parts"


@lru_cache(maxsize=1)
def _lemma_table():
    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


class LowercaseLookupLemmatizer:
    """spaCy's lookup lemmatizer is case-sensitive ("Sitting" stays "Sitting"); this one is not."""

    def __init__(self) -> None:
        self.table = _lemma_table()

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            low = token.lower_
            token.lemma_ = self.table.get(low, low)
        return doc


@Language.factory("stretchpipe_lemmatizer")
def make_lemmatizer(nlp: Language, name: str) -> LowercaseLookupLemmatizer:
    return LowercaseLookupLemmatizer()


def lemma(word: str) -> str:
    low = word.lower()
    return _lemma_table().get(low, low)


def _sided(phrase: str, qualifiers: list[str], possessive: str) -> list[str]:
    """"front of your hip" also matches "front of your left hip", "front of your back hip"..."""
    if f" {possessive} " not in f" {phrase} ":
        return [phrase]
    return [phrase] + [re.sub(rf"\b{possessive}\b", f"{possessive} {q}", phrase, count=1) for q in qualifiers]


@lru_cache(maxsize=2)
def build_nlp(kb: Knowledge | None = None) -> Language:
    kb = kb or load_knowledge()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("stretchpipe_lemmatizer")
    positions = nlp.add_pipe("span_ruler", name="position_cues",
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
