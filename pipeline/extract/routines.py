"""Exercises that are not headed sections, and the rules a routine shares.

Real pages give a routine as a list of names ("- Lying hamstring stretch", "1. **Quad stretch** - 30 sec
each") under one rule for all ("hold each stretch for 30-45 seconds, both sides"), or as a numbered
list of one-line instructions that each carry their own dosage ("3. Hold for 20 seconds"). Each item
is then an exercise of its own; the rule is data for every item that does not state its own.

Every word list and pattern used here lives in lexicon.json (`routine` keys); the knowledge base
decides what names an exercise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..knowledge import Knowledge
from ..quantities import find_repetitions, find_times
from ..records import Block


@dataclass(frozen=True)
class ItemName:
    """A list item or heading read as "NAME [separator REST]": "Quad stretch - 30 sec each"."""

    name: str
    rest: str  # dosage or note after the name ("30 sec each", "hamstring"), "" when bare


@dataclass(frozen=True)
class RoutineRules:
    """Compiled routine patterns from lexicon.json."""

    separators: tuple[re.Pattern, ...]
    shared_rule: re.Pattern
    mention_list_intro: re.Pattern
    group_kinds: tuple[tuple[str, re.Pattern], ...]
    several_joiner: re.Pattern
    side_word: re.Pattern
    max_name_words: int


@lru_cache(maxsize=4)
def routine_rules(kb: Knowledge) -> RoutineRules:
    lx = kb.lexicon["routine"]
    return RoutineRules(
        separators=tuple(re.compile(p) for p in lx["item_separator_patterns"]),
        shared_rule=re.compile(lx["shared_rule_pattern"], re.I),
        mention_list_intro=re.compile(lx["mention_list_intro_pattern"], re.I),
        group_kinds=tuple((kind, re.compile(p, re.I)) for kind, p in lx["group_kind_patterns"].items()),
        several_joiner=re.compile(lx["several_joiner_pattern"], re.I),
        side_word=re.compile(lx["side_word_pattern"], re.I),
        max_name_words=int(lx["max_name_words"]),
    )


def has_dosage(text: str, kb: Knowledge) -> bool:
    """A time, a count or a side: "1 minute each leg", "10 reps", "each side", "x5"."""
    rules = routine_rules(kb)
    return bool(find_times(text) or find_repetitions(text) or rules.side_word.search(text)
                or re.search(r"(?:^|\s)[x×]\s?\d+\b|\b\d+\s?[x×](?:\s|$)", text))


def split_item(text: str, kb: Knowledge) -> ItemName:
    """"Deep lunge stretch - 1 minute each leg" -> ("Deep lunge stretch", "1 minute each leg");
    "Flat back (hamstring)" -> ("Flat back", "hamstring"); "Dragon squat x 5" -> ("Dragon squat", "x 5")."""
    text = text.strip()
    for rx in routine_rules(kb).separators:
        m = rx.match(text)
        if m and m.group("name").strip():
            rest = " ".join(g for g in (m.groupdict().get("rest"), m.groupdict().get("tail")) if g)
            in_parens = text[len(m.group("name")):].lstrip().startswith("(")
            rest_entry, rest_score = kb.match_exercise(m.group("rest"))
            if in_parens and rest_entry is not None and rest_score >= 99 and kb.body_part(m.group("rest")) is None:
                break  # "Child's Pose (Balasana)": the parenthesis is the name's other form
            return ItemName(m.group("name").strip(" -–—:"), rest.strip())
    return ItemName(text.rstrip(" :"), "")


def is_name_shaped(name: str, kb: Knowledge) -> bool:
    """Short, no sentence inside, and not an instruction ("Sit on butt") unless the knowledge base
    knows it ("Reach to the Sky" may be a routine's name for an exercise)."""
    words = name.split()
    if not words or len(words) > routine_rules(kb).max_name_words:
        return False
    if re.search(r"[.!?;]\s|https?:|www\.", name) or re.search(r"[.!?]$", name):
        return False
    if any(re.search(p, name, re.I) for p in kb.lexicon["not_exercise_headings"]):
        return False
    lowered = {w.lower().strip(",") for w in words}
    if words[0].lower() in kb.lexicon["routine"]["not_name_first_words"] or (
            lowered & set(kb.lexicon["routine"]["not_name_words"]) and kb.match_exercise(name)[1] < 99):
        return False
    if words[0].lower() in kb.lexicon["instruction_verbs"]:
        entry, score = kb.match_exercise(name)
        return entry is not None and score >= 99
    return True


def names_exercise(name: str, kb: Knowledge) -> bool:
    """A name the knowledge base links, or one with an exercise word ("Groin stretch", "Seated Twist"),
    or one that names several stretches ("Hip flexor, hamstring and calf stretching")."""
    return is_name_shaped(name, kb) and (kb.looks_like_exercise(name) or len(split_several(name, kb)) > 1)


def name_item(text: str, kb: Knowledge, in_routine: bool) -> ItemName | None:
    """The item's name when the item names an exercise. Inside a list or group that is headed as
    a routine ("Stretch Sequence", "Leg stretches"), any name-shaped item counts ("Flat back")."""
    item = split_item(text, kb)
    if not is_name_shaped(item.name, kb):
        return None
    if names_exercise(item.name, kb) or in_routine or len(split_several(item.name, kb)) > 1:
        return item
    return None


def split_several(name: str, kb: Knowledge) -> list[str]:
    """"Hip flexor, hamstring and calf stretching" -> one name per stretch named; a name that
    lists nothing stays whole. Only a shared final exercise word is distributed, and each part
    must be short ("Shoulder & Back Stretch" stays one stretch of two areas)."""
    rules = routine_rules(kb)
    m = rules.several_joiner.match(name)
    if not m:
        return [name]
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", m.group("parts")) if p.strip()]
    if len(parts) < 3 or any(len(p.split()) > 3 for p in parts):
        return [name]
    noun = m.group("noun")
    return [f"{p[:1].upper()}{p[1:]} {noun}" for p in parts]


def group_kind(heading_text: str, kb: Knowledge) -> str | None:
    """What a group heading or label says its items are: "Strength:" -> strength, "Stretches:"
    -> static-stretch. None when it says neither."""
    for kind, rx in routine_rules(kb).group_kinds:
        if rx.search(heading_text):
            return kind
    return None


def is_shared_rule(block: Block, kb: Knowledge) -> bool:
    """"Hold each stretch for 30-45 seconds; repeat once or twice on each side", "Number of
    repetitions: 10 - 20": a rule for every exercise of the routine, with a dosage in it."""
    return bool(routine_rules(kb).shared_rule.search(block.text)) and has_dosage(block.text, kb)


def introduces_mentions(block: Block, kb: Knowledge) -> bool:
    """"Pairs well with:", "Related exercises", "Stretches to avoid": what follows names exercises
    without describing them."""
    return bool(routine_rules(kb).mention_list_intro.search(block.text))


def as_heading(block: Block, name: str, level: int) -> Block:
    """An item's name as a heading block with the item's span start."""
    return replace(block, text=name, kind="heading", level=level, end=block.start + len(name))


def rest_block(block: Block, rest: str) -> Block | None:
    if not rest:
        return None
    at = block.text.rfind(rest)
    start = block.start + at if at >= 0 else block.start
    return replace(block, text=rest, kind="paragraph", level=0, list_marker="", start=start,
                   end=start + len(rest))
