"""Numeric signals for each candidate: what the rules compute, as evidence rather than gates.

The record decision (pipeline/extract/model.py) weighs them; nothing here decides alone. Groups:
the rules' own verdict and the record they build (kind, knowledge-base link and score), the name's
shape and words (pipeline/data/candidate_words.json), what the text under it says (instructions,
holds, sides, positions, targets), where it sits (origin, level, numbering, how many siblings share
its shape and how many of those look like exercises, the heading above it, what it holds or sits
inside, a name given twice), and the page (its title, how much of it is about exercises).
"""
from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from ..knowledge import Knowledge, name_key
from ..records import Block, Stretch
from .candidates import Candidate, _names_body_or_exercise

DATA = Path(__file__).resolve().parents[1] / "data" / "candidate_words.json"
STRETCH_KINDS = ("static-stretch", "dynamic-stretch")
WORD_LISTS = ("stretch", "strength", "cardio", "drill", "group", "aside", "kitchen")

FEATURES = (
    "origin_rule", "origin_heading", "origin_list_item", "rule_exercise", "rule_stretch",
    "kind_static", "kind_dynamic", "kind_other", "kb_linked", "kb_score", "kb_exact",
    "name_words", "name_long", "name_digit", "name_colon", "name_upper", "name_body_part", "name_dose", "name_derived",
    "name_exercise_shaped", "name_upper_unshaped", "name_gerund", "name_opens_number", "name_link",
    *(f"name_{w}" for w in WORD_LISTS),
    "sentences", "steps", "step_share", "hold", "hold_long", "repetitions", "per_side", "position", "text_targets", "benefits",
    "first_verb", "position_variants",
    "level", "item", "numbered", "siblings", "sibling_exercise_share", "sibling_stretch_share",
    "form_siblings", "form_rule_share", "form_shaped_share",
    *(f"above_{w}" for w in WORD_LISTS), "above_none",
    "holds_candidates", "holds_exercises", "inside_candidate", "name_repeated", "longest_of_name",
    "text_share", "restated_fuller", "form_restated_share", "name_area_label", "intro_mentions",
    "page_exercise_share", "page_stretch_share", "page_candidates", "title_stretch", "title_kitchen", "page_kitchen",
    "page_stretch_words",
)


@lru_cache(maxsize=1)
def _word_patterns() -> dict[str, re.Pattern]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    out = {}
    for w in WORD_LISTS:
        words = sorted(data[f"{w}_words"], key=len, reverse=True)
        out[w] = re.compile(r"\b(?:" + "|".join(re.escape(x) for x in words) + r")\b", re.I)
    return out


def _words_in(text: str) -> dict[str, float]:
    return {w: float(bool(rx.search(text or ""))) for w, rx in _word_patterns().items()}


def _body_part(name: str, kb: Knowledge) -> bool:
    words = re.findall(r"[a-z]+", name.lower())
    return any(kb.body_part(w) for w in words) or any(kb.body_part(f"{a} {b}") for a, b in zip(words, words[1:]))


def _heading_above(blocks: list[Block], start: int, level: int) -> Block | None:
    """The nearest heading before `start` that is above a heading of `level` (any heading for an item)."""
    above = None
    for b in blocks:
        if b.start >= start:
            break
        if b.kind == "heading" and b.level < level:
            above = b
    return above


class _HeadingsAbove:
    """`_heading_above` for every candidate of a page by bisection, not a scan of the blocks per
    candidate (a page of 1,000 headed stretches has some 10,000 blocks)."""

    def __init__(self, blocks: list[Block]):
        self.blocks = blocks
        self.starts = [b.start for b in blocks]
        self.sorted = all(a <= b for a, b in zip(self.starts, self.starts[1:]))
        self.by_level: dict[int, list[int]] = {}  # level -> indices of the headings above that level

    def __call__(self, start: int, level: int) -> Block | None:
        if not self.sorted:  # the scan's order is the blocks' order: only in reading order is a bisection the same
            return _heading_above(self.blocks, start, level)
        if level not in self.by_level:
            self.by_level[level] = [i for i, b in enumerate(self.blocks) if b.kind == "heading" and b.level < level]
        indices = self.by_level[level]
        # the scan stops at the first block starting at or after `start`; the last such heading before it
        k = bisect.bisect_left(indices, bisect.bisect_left(self.starts, start))
        return self.blocks[indices[k - 1]] if k else None


def _opens_with_gerund(name: str) -> bool:
    """"Letting the hips tilt", "Forcing the stretch", "Stretching the calves": a heading about doing
    something, not a stretch's name; a posture word ("Standing", "Kneeling") opens names often."""
    first = (re.findall(r"[a-z]+", name.lower())[:1] or [""])[0]
    return len(first) > 5 and first.endswith("ing") and first not in _posture_words()


@lru_cache(maxsize=1)
def _posture_words() -> frozenset[str]:
    return frozenset(json.loads(DATA.read_text(encoding="utf-8"))["posture_words"])


@lru_cache(maxsize=1)
def _name_filler_words() -> frozenset[str]:
    """Words any name may carry ("the", "pose", "stretch"): they tell no name from another."""
    return frozenset(json.loads(DATA.read_text(encoding="utf-8"))["name_filler_words"])


LONGEST_HOLD_SECONDS = 600  # yin and restorative poses hold up to five to ten minutes
_TAUGHT_WORDS = 12  # a sentence or two of instruction: more than a dose, a link or a second cell


def _content_words(name: str) -> frozenset[str]:
    """The words that tell one name from another ("child's", "balasana" in "Child's Pose (Balasana)"),
    each in the singular ("Calves" is "calf", "Hip flexors" is "hip flexor")."""
    filler = _name_filler_words()
    return frozenset(_singular(w) for w in re.findall(r"[a-z0-9']+", name.lower().replace("\u2019", "'"))
                     if w not in filler)


def _singular(word: str) -> str:
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    for plural, one in (("ves", "f"), ("ies", "y"), ("s", "")):
        if word.endswith(plural):
            return word[: -len(plural)] + one
    return word


def _opens_with_number(name: str) -> bool:
    """"2 × 30 s each leg", "10 slow reps", "3 Seated twists": a count or dose opens the name, as on a
    card's dose line or a routine's count column; "90/90 hip stretch" is a name of its own."""
    return re.match(r"\d+(?:\s|[×x]|$)", name.strip()) is not None


def _opens_a_stretch(name: str, kb: Knowledge) -> bool:
    """A name that can open a stretch of its own inside another candidate ("Seated spinal twist" under
    "Hips"), not a line of the candidate's own: a dose line ("2 x 30 s each leg · hold a rail", "Hold
    30 seconds each side"), a count, or a label ("Targets:", "How to do it")."""
    from .routines import has_dosage
    from .sections import _is_subheading
    if not re.search(r"[A-Za-z]{2}", name) or _opens_with_number(name) or _is_subheading(name, kb):
        return False
    dose_words = set(kb.lexicon["value_chrome"]["dose_words"]) | set(kb.lexicon["hold_verbs"])
    return not (has_dosage(name, kb) and all(w in dose_words for w in re.findall(r"[a-z]+", name.lower())))


def _names_areas_only(name: str, kb: Knowledge) -> bool:
    """"Hip flexor", "Quad / knee", "Calf (gastroc)": the name (outside brackets) is body areas only."""
    words = [w for w in re.findall(r"[a-z]+", re.sub(r"\([^)]*\)", " ", name.lower())) if w not in ("and", "or", "the")]
    i = 0
    while i < len(words):
        if i + 1 < len(words) and kb.body_part(f"{words[i]} {words[i + 1]}"):
            i += 2
        elif kb.body_part(words[i]):
            i += 1
        else:
            return False
    return bool(words)


def _area_label(c: Candidate, kb: Knowledge) -> bool:
    """A list item led by the body area it works, then a short word for the stretch that does it ("Hip
    flexor - kneeling lunge, 2x40 s", "Quad / knee: strap, 2 x 30 s"): a summary line's label, the
    stretch named and taught elsewhere; an item led by an area and then its steps ("Calves - stand
    facing a wall") is the stretch itself."""
    s = c.section
    if not s.item or not s.body or not _names_areas_only(s.name, kb):
        return False
    clause = re.split(r"[,;.·(]", s.body[0].text.strip(), maxsplit=1)[0].strip()
    words = re.findall(r"[a-z']+", clause.lower())
    if not words or words[0] in kb.lexicon["instruction_verbs"]:
        return False
    return len(clause.split()) <= 4 or kb.looks_like_exercise(clause)


def _list_intro(blocks: list[Block], starts: list[int], start: int) -> Block | None:
    """The block that introduces the list or table a candidate opens in ("Pairs well with:" above its
    items): the first before the whole run of list or table blocks it sits in."""
    i = bisect.bisect_left(starts, start)
    if i >= len(blocks) or blocks[i].start != start or blocks[i].group == -1:
        return None
    j = i - 1
    while j >= 0 and blocks[j].group != -1:
        j -= 1
    return blocks[j] if j >= 0 else None


def _own_text_signals(c: Candidate, r: Stretch, own_end: float, verbs: set[str], kb: Knowledge) -> dict[str, float]:
    """What the candidate's record read that its own text says: for one holding stretches of its own
    ("Hips" over "Seated spinal twist"), only the sentences before the first of them and its heading
    count, so a group reads as a group and a card over its own dose line as a stretch."""
    from .routines import has_dosage
    s = c.section
    quotes = [q for q in r.evidence.sentences if q.start < own_end]
    roles = [q.role for q in quotes]
    steps = sum(1 for role in roles if role == "step")
    body = [b for b in s.body if b.start < own_end]
    # a dose, a count or a side stated in the heading or the own text: else its record took its children's
    dosed = own_end == math.inf or has_dosage(" ".join([s.heading.text, *(b.text for b in body)]), kb)
    positions = [p for p in (*r.evidence.positions, *r.evidence.start_positions) if p.sentence.start < own_end]
    return {
        "sentences": math.log1p(len(roles)) / 4.0, "steps": math.log1p(steps) / 3.0,
        "step_share": steps / len(roles) if roles else 0.0,
        "hold": float(dosed and (r.hold is not None or r.breaths is not None)),
        # a wait of many minutes ("let it sit 20 minutes") is a recipe's or a plan's, not a hold
        "hold_long": float(dosed and r.hold is not None and (r.hold.min_seconds or 0) > LONGEST_HOLD_SECONDS),
        "repetitions": float(dosed and r.repetitions is not None), "per_side": float(dosed and bool(r.per_side)),
        "position": float(bool(positions)),
        "text_targets": float(r.targets_source == "text" and (own_end == math.inf or bool(quotes))),
        "first_verb": float(any((re.findall(r"[a-z']+", b.text.lower())[:1] or [""])[0] in verbs
                                for b in body[:3] if b.text.strip())),
    }


def _restated_all(words: list[frozenset[str]], kinds: list[tuple], own_words: list[int],
                  spans: list[tuple[int, int]], stretch: list[bool]) -> list[bool]:
    """For each candidate: the name is given again, with more words and taught at length, by a stretch
    of another shape apart from it: a summary list or link list ("Hamstring", "Child's Pose") beside the
    sections that teach them ("Supine hamstring", "Child's Pose (Balasana)"). A section holding it is its
    group, not a restatement; a name with more words than the other ("Half Happy Baby") is a variant; two
    rows of routine tables say as little as each other, and a strength move ("Calf raise") teaches no
    stretch. Only the stretches holding the candidate's rarest name word are read (an index by word),
    so a page of many stretches costs about linear time, not every pair."""
    holding: dict[str, list[int]] = defaultdict(list)
    for j, ws in enumerate(words):
        if stretch[j]:
            for w in ws:
                holding[w].append(j)
    out = []
    for k, ws in enumerate(words):
        if not ws:
            out.append(False)
            continue
        rarest = min(ws, key=lambda w: (len(holding.get(w, ())), w))
        out.append(any(j != k and kinds[j] != kinds[k] and ws <= words[j]
                       and own_words[j] >= max(_TAUGHT_WORDS, 2 * own_words[k])
                       and (spans[j][1] <= spans[k][0] or spans[k][1] <= spans[j][0])
                       for j in holding.get(rarest, ())))
    return out


def _form(c: Candidate) -> tuple:
    """The block shape a candidate opens, whichever finder found it: a heading of its level, or an
    element of its list, table or run of paragraphs ("Calves – Stand..." beside "Neck – Tilt...")."""
    head = c.section.heading
    if re.fullmatch(r"h[1-6]", head.tag or "") or (c.origin == "heading" and not c.section.item):
        return ("h", head.level)
    return (head.tag, head.group, head.depth)


def page_features(candidates: list[Candidate], records: list[Stretch], rule_exercise: list[bool],
                  rule_ok: list[bool], blocks: list[Block], title: str | None, kb: Knowledge) -> list[dict[str, float]]:
    """One dict of FEATURES per candidate, in the candidates' order."""
    from .routines import has_dosage, introduces_mentions
    verbs = set(kb.lexicon["instruction_verbs"])
    n = len(candidates)
    keys = [name_key(r.name) for r in records]
    scores = [kb.match_exercise(c.section.name)[1] / 100.0 for c in candidates]
    linked = [r.canonical_name is not None for r in records]
    stretchy = list(rule_ok)
    spans = [c.section.span for c in candidates]
    lengths = [sum(len(b.text) for b in c.section.body) for c in candidates]
    shape = [(c.origin, c.section.heading.level, c.section.heading.group if c.origin != "heading" else -1)
             for c in candidates]
    text = " ".join(b.text for b in blocks)
    page_words = max(1, len(text.split()))
    kitchen = len(_word_patterns()["kitchen"].findall(text)) / page_words
    page_exercise = sum(1 for x in linked if x) / n if n else 0.0
    page_stretch = sum(1 for x in stretchy if x) / n if n else 0.0
    title_words = _words_in(title or "")
    stretch_density = len(_word_patterns()["stretch"].findall(text)) / page_words
    shaped = [_names_body_or_exercise(c.section.name, kb) for c in candidates]
    forms = [_form(c) for c in candidates]
    # what compares a candidate with the others, counted once per page (by shape, form, name and
    # position) rather than over every other candidate for each: linear or n log n in candidates
    sib_count, sib_exercise, sib_stretch = Counter(shape), Counter(), Counter()
    form_count, form_stretch, form_shaped = Counter(forms), Counter(), Counter()
    for j in range(n):
        sib_exercise[shape[j]] += linked[j] or scores[j] >= 0.9
        sib_stretch[shape[j]] += bool(stretchy[j])
        form_stretch[forms[j]] += bool(stretchy[j])
        form_shaped[forms[j]] += bool(shaped[j])
    key_count = Counter(keys)
    key_longest: dict[str, int] = {}
    for key, length in zip(keys, lengths):
        key_longest[key] = max(key_longest.get(key, length), length)
    heading_above = _HeadingsAbove(blocks)
    opened = sorted(range(n), key=lambda j: candidates[j].section.heading.start)
    opened_at = [candidates[j].section.heading.start for j in opened]
    # a name that can open a stretch of its own, and one that does: linked, a rules' stretch, an exercise's
    # name, or one of a run of like names (a list of moves, not a lone line of steps "Hands on the wall,
    # one leg back"); what a candidate holds and says itself is read over these, not over its own dose
    # or label lines
    named = [_opens_a_stretch(c.section.name, kb) for c in candidates]
    openers = [named[j] and (linked[j] or stretchy[j] or form_count[forms[j]] > 1
                             or kb.looks_like_exercise(candidates[j].section.name)) for j in range(n)]
    held_exercises = [0]  # candidates opened before each place in that order that are linked or stretches
    held_named = [0]  # candidates opened before each place in that order that can open a stretch
    for j in opened:
        held_exercises.append(held_exercises[-1] + bool(named[j] and (linked[j] or stretchy[j])))
        held_named.append(held_named[-1] + named[j])
    by_start = sorted(range(n), key=lambda j: spans[j][0])
    span_starts = [spans[j][0] for j in by_start]
    furthest = [-math.inf]  # the furthest span end among the candidates opened before each place
    for j in by_start:
        furthest.append(max(furthest[-1], spans[j][1]))
    # the shape a candidate opens and who found it: a summary list joined to the numbered sections
    # below it ("1. Pigeon" at the top, "1. Pigeon" over its text) is one list to the cleaner
    kinds = [(c.origin, forms[k]) for k, c in enumerate(candidates)]
    words = [_content_words(c.section.name) for c in candidates]
    own_words = [sum(len(b.text.split()) for b in c.section.body) for c in candidates]
    # what a candidate says itself stops where the first stretch it holds opens: a group heading ("Hips"
    # over "Seated spinal twist") says nothing of its own, whatever its children teach; a card's own
    # dose line or label line inside it ("2 x 30 s each leg", "Targets: ...") is still the card's text
    opener_at = [opened_at[i] for i, j in enumerate(opened) if openers[j]]
    own_end = []
    for k in range(n):
        i = bisect.bisect_right(opener_at, spans[k][0])
        own_end.append(opener_at[i] if i < len(opener_at) and opener_at[i] < spans[k][1] else math.inf)
    said_words = [sum(len(b.text.split()) for b in c.section.body if b.start < own_end[k])
                  for k, c in enumerate(candidates)]
    fullest = max(said_words, default=0)  # the fullest own text: a group's span holds its stretches' text too
    is_stretch = [r.kind in STRETCH_KINDS for r in records]
    restated = _restated_all(words, kinds, own_words, spans, is_stretch)
    form_restated = Counter()
    for j in range(n):
        form_restated[forms[j]] += restated[j]
    out = []
    for k, (c, r, ok) in enumerate(zip(candidates, records, rule_exercise)):
        s = c.section
        name = s.name
        head = s.heading
        siblings, form_like = sib_count[shape[k]], form_count[forms[k]]  # each counts the candidate itself
        f: dict[str, float] = {
            "origin_rule": float(c.origin == "rule"), "origin_heading": float(c.origin == "heading"),
            "origin_list_item": float(c.origin == "list_item"),
            "rule_exercise": float(ok), "rule_stretch": float(stretchy[k]),
            "kind_static": float(r.kind == "static-stretch"), "kind_dynamic": float(r.kind == "dynamic-stretch"),
            "kind_other": float(r.kind not in STRETCH_KINDS),
            "kb_linked": float(linked[k]), "kb_score": scores[k], "kb_exact": float(scores[k] >= 0.99),
            "name_words": min(len(name.split()), 12) / 12.0, "name_long": float(len(name.split()) > 6),
            "name_digit": float(bool(re.search(r"\d", name))), "name_colon": float(head.text.rstrip().endswith(":")),
            "name_upper": float(name.isupper() and len(name) > 3), "name_body_part": float(_body_part(name, kb)),
            "name_dose": float(has_dosage(head.text, kb)), "name_derived": float(r.name_source == "derived"),
            "name_exercise_shaped": float(shaped[k]),
            "name_upper_unshaped": float(name.isupper() and len(name) > 3 and not shaped[k]),
            "name_gerund": float(_opens_with_gerund(name)),
            "name_opens_number": float(_opens_with_number(name)),
            "name_link": float(head.link_density >= 0.5),  # a link to where it is taught, not taught here
            **_own_text_signals(c, r, own_end[k], verbs, kb),
            "position_variants": float(len(r.position_options or ()) >= 2),  # taught in two positions
            "benefits": float(bool(r.benefits)),
            "level": (head.level or 6) / 6.0, "item": float(s.item), "numbered": float(s.number is not None),
            "siblings": math.log1p(siblings) / 3.0,
            "sibling_exercise_share": sib_exercise[shape[k]] / siblings,
            "sibling_stretch_share": sib_stretch[shape[k]] / siblings,
            "form_siblings": math.log1p(form_like - 1) / 3.0,
            # shares over the candidate and its like (a lone candidate is its own evidence, not zero)
            "form_rule_share": form_stretch[forms[k]] / form_like,
            "form_shaped_share": form_shaped[forms[k]] / form_like,
            "holds_candidates": 0.0, "holds_exercises": 0.0, "inside_candidate": 0.0,
            "name_repeated": float(key_count[keys[k]] > 1),
            "longest_of_name": float(lengths[k] >= key_longest[keys[k]]),
            # how much it says against the page's fullest candidate: a name merely mentioned beside
            # stretches taught at length; a page of bare names is all alike (near 1)
            "text_share": (said_words[k] + 5) / (fullest + 5),
            "restated_fuller": float(restated[k]),
            "form_restated_share": form_restated[forms[k]] / form_like,
            "page_exercise_share": page_exercise, "page_stretch_share": page_stretch,
            "page_candidates": math.log1p(n) / 4.0,
            "title_stretch": title_words["stretch"], "title_kitchen": title_words["kitchen"],
            "page_kitchen": min(kitchen * 20.0, 1.0),
            "page_stretch_words": min(stretch_density * 50.0, 1.0),
        }
        f.update({f"name_{w}": v for w, v in _words_in(name).items()})
        above = heading_above(head.start, head.level if c.origin == "heading" else 7)
        f.update({f"above_{w}": v for w, v in _words_in(above.text if above is not None else "").items()})
        f["above_none"] = float(above is None)
        # a list named in passing: "Pairs well with:", "Related stretches" over it
        intro = _list_intro(blocks, heading_above.starts, head.start) if heading_above.sorted else None
        f["intro_mentions"] = float(any(b is not None and introduces_mentions(b, kb) for b in (intro, above)))
        f["name_area_label"] = float(_area_label(c, kb))
        # the candidates opened strictly inside this one's span (never itself: its span opens where it does)
        lo, hi = bisect.bisect_right(opened_at, spans[k][0]), bisect.bisect_left(opened_at, spans[k][1])
        f["holds_candidates"] = math.log1p(held_named[hi] - held_named[lo] if hi > lo else 0) / 3.0
        f["holds_exercises"] = math.log1p(held_exercises[hi] - held_exercises[lo] if hi > lo else 0) / 3.0
        # opened strictly inside another's span: one opened before it reaches past it
        f["inside_candidate"] = float(furthest[bisect.bisect_left(span_starts, head.start)] > head.start)
        out.append(f)
    return out


def vector(features: dict[str, float]) -> list[float]:
    return [features[name] for name in FEATURES]
