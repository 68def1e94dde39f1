"""The audit's own knowledge, read from `pipeline/data/audit.json` (patterns compiled once)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..config import DATA_DIR


@dataclass(frozen=True)
class SafetyPattern:
    pattern: re.Pattern
    kinds: tuple[str, ...]  # empty: every kind
    message: str


@dataclass(frozen=True)
class SidePair:
    pattern: re.Pattern  # named groups a and b: two side words of one step
    same: bool  # whether a and b must name the same side
    message: str  # with {a} and {b}
    names: re.Pattern | None = None  # only in exercises whose name matches (None: any)
    context: re.Pattern | None = None  # only in sections whose text says this somewhere (None: any)


@dataclass(frozen=True)
class AuditData:
    raw: dict[str, Any]
    negation: re.Pattern
    clause_breaks: re.Pattern
    sides: dict[str, str]
    direction: dict[str, re.Pattern]
    pose_names: dict[str, re.Pattern]
    shape_of_pose: dict[str, str]
    shape_words: dict[str, tuple[re.Pattern, ...]]
    strengthen_claim: re.Pattern
    stretch_name: re.Pattern
    fixed_positions: dict[str, tuple[str, ...]]
    hold_plausible: dict[str, tuple[float, float]]
    restorative: frozenset[str]
    restorative_seconds: tuple[float, float]
    hold_progression: re.Pattern
    hold_rest: re.Pattern
    hold_article_rule: re.Pattern
    hold_article_exception: re.Pattern
    non_entry_step: re.Pattern
    exit_cues: tuple[str, ...]
    hold_only_step: re.Pattern
    strength_promise: tuple[re.Pattern, ...]
    stretch_title: re.Pattern
    body_run: int
    restated_min: int
    restated_similarity: float
    paragraph_min_words: int
    steps_similarity: float
    self_description: str
    variant_words: re.Pattern
    safety: tuple[SafetyPattern, ...]
    quiet_below_confidence: float
    vague_amount: re.Pattern
    format_share: float
    format_min: int
    count_not_units: str
    not_a_start: re.Pattern
    strength_moves: re.Pattern
    dose: re.Pattern
    side_words: frozenset[str]
    not_a_hold: re.Pattern
    position_phrases: dict[str, tuple[re.Pattern, ...]]
    placing: re.Pattern
    repeated_hold_max: float
    position_label: re.Pattern
    side_pairs: tuple[SidePair, ...]
    dose_label: re.Pattern
    anatomy: tuple[SafetyPattern, ...]
    placing_opener: re.Pattern
    telegraphic: re.Pattern
    description_opener: re.Pattern
    hold_staged: re.Pattern
    hold_again: re.Pattern
    placed_twice: tuple[tuple[str, str, re.Pattern], ...]  # (verb's position, phrase's position, pattern)
    refines: dict[str, frozenset[str]]
    upright_cue: re.Pattern
    upright_in: frozenset[str]
    placed_in_pose: tuple[tuple[str, re.Pattern], ...]  # (verb's position, "sit in <pose>")
    dose_line: re.Pattern
    dose_line_words: int

    def negated(self, text: str, at: int) -> bool:
        """True when the words before `at` in the same clause negate what follows ("don't bounce")."""
        return bool(self.negation.search(text[:at]))


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


@lru_cache(maxsize=2)
def load_audit_data(path: str | None = None) -> AuditData:
    raw = json.loads((DATA_DIR / "audit.json").read_text(encoding="utf-8") if path is None
                     else open(path, encoding="utf-8").read())
    shapes, hold, dup = raw["shapes"], raw["hold"], raw["duplicates"]
    return AuditData(
        raw=raw,
        negation=_rx(raw["negation"]),
        clause_breaks=_rx(raw["clause_breaks"]),
        sides=dict(raw["sides"]),
        direction={k: _rx(v) for k, v in raw["direction"].items()},
        pose_names={k: _rx(v) for k, v in shapes["poses"].items()},
        shape_of_pose=dict(shapes["shape_of_pose"]),
        shape_words={k: tuple(_rx(p) for p in v) for k, v in shapes["shape_words"].items()},
        strengthen_claim=_rx(raw["strengthen_claim"]),
        stretch_name=_rx(raw["stretch_name"]),
        fixed_positions={k: tuple(v) for k, v in raw["fixed_positions"].items() if not k.startswith("_")},
        hold_plausible={k: (float(v[0]), float(v[1])) for k, v in hold["plausible_seconds"].items()},
        restorative=frozenset(hold["restorative"]),
        restorative_seconds=(float(hold["restorative_seconds"][0]), float(hold["restorative_seconds"][1])),
        hold_progression=_rx(hold["progression"]),
        hold_rest=_rx(hold["rest"]),
        hold_article_rule=_rx(hold["article_rule"]),
        hold_article_exception=_rx(hold["article_rule_exception"]),
        non_entry_step=_rx(raw["entry"]["non_entry_step"]),
        exit_cues=tuple(raw["entry"]["exit_cues"]),
        hold_only_step=_rx(raw["entry"]["hold_only_step"]),
        strength_promise=tuple(_rx(p) for p in raw["topic_drift"]["strength_promise"]),
        stretch_title=_rx(raw["topic_drift"]["stretch_title"]),
        body_run=int(dup["body_run"]),
        restated_min=int(dup["restated_min"]),
        restated_similarity=float(dup["restated_similarity"]),
        paragraph_min_words=int(dup["paragraph_min_words"]),
        steps_similarity=float(dup["steps_similarity"]),
        self_description=dup["self_description"],
        variant_words=_rx(dup["variant_words"]),
        safety=tuple(SafetyPattern(_rx(s["pattern"]), tuple(s.get("kinds", ())), s["message"]) for s in raw["safety"]),
        quiet_below_confidence=float(raw["quiet_below_confidence"]),
        vague_amount=_rx(hold["vague_amount"]),
        format_share=float(raw["page_format"]["share"]),
        format_min=int(raw["page_format"]["min_records"]),
        count_not_units=raw["count_not_units"],
        not_a_start=_rx(raw["entry"]["not_a_start"]),
        strength_moves=_rx(raw["topic_drift"]["strength_moves"]),
        dose=_rx(raw["topic_drift"]["dose"]),
        side_words=frozenset(dup["side_words"]),
        not_a_hold=_rx(hold["not_a_hold"]),
        position_phrases={k: tuple(_rx(p) for p in v) for k, v in raw["position_phrases"].items()
                          if not k.startswith("_")},
        placing=_rx(raw["entry"]["placing"]),
        repeated_hold_max=float(hold["repeated_hold_max_seconds"]),
        position_label=_rx(raw["entry"]["position_label"]),
        dose_label=_rx(hold["dose_label"]),
        anatomy=tuple(SafetyPattern(_rx(a["pattern"]), (), a["message"]) for a in raw["anatomy"]),
        side_pairs=tuple(SidePair(_rx(p["pattern"]), p["expect"] == "same", p["message"],
                                  _rx(p["names"]) if p.get("names") else None,
                                  _rx(p["context"]) if p.get("context") else None) for p in raw["side_pairs"]),
        placing_opener=_rx("^\\W*(?:(?:then|now|first|slowly|gently)\\W+)*" + raw["entry"]["placing"]),
        telegraphic=_rx(raw["telegraphic_step"]["placed"]),
        description_opener=_rx(raw["telegraphic_step"]["description"]),
        hold_staged=_rx(hold["staged"]),
        hold_again=_rx(hold["hold_again"]),
        placed_twice=tuple((v, p, _rx(rf"\b(?:{verb})\s+(?:(?:down|up|back)\s+)?(?:{phrase})"))
                           for v, verb in raw["placed_twice"]["verbs"].items()
                           for p, phrase in raw["placed_twice"]["phrases"].items()
                           if p != v and p not in raw["placed_twice"]["refines"].get(v, ())),
        refines={k: frozenset(v) for k, v in raw["placed_twice"]["refines"].items()},
        upright_cue=_rx(raw["upright_cue"]["pattern"]),
        upright_in=frozenset(raw["upright_cue"]["in"]),
        placed_in_pose=tuple((v, _rx(rf"\b(?:{verb})\s+(?:(?:down|up|back|tall)\s+)?(?:in|into)\s+(?P<pose>[^.,;:]+)"))
                             for v, verb in raw["placed_twice"]["verbs"].items()),
        dose_line=_rx(hold["dose_line"]),
        dose_line_words=int(hold["dose_line_words"]),
    )
