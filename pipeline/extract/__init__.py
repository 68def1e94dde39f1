"""Stage 3, extract: one record per exercise section of a cleaned article."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from ..clean.blocks import NUMBER_ONLY_TITLE
from ..config import EXTRACT, ExtractConfig
from ..knowledge import ExerciseEntry, Knowledge, load_knowledge, name_key
from ..nlp import BODY_KEY, POSITIONS_KEY, build_nlp, lemma
from ..quantities import find_breaths, find_frequency, find_phased_time, find_repetitions, find_sets, find_times
from ..records import (Article, ArticleSource, Block, CleanDocument, Evidence, HoldTime, PositionMention, Quote, Source, Stretch,
                       ValueSources)
from .candidates import Candidate, find_candidates
from .features import STRETCH_KINDS, page_features
from .model import choose, load_model
from .routines import group_kind, is_shared_rule
from .sections import Section, claimed_count, find_summary_list
from .values import clean_name, clean_title, is_label
from .sentences import (ASIDE, BENEFIT, DESCRIPTION, OFF_TOPIC, STEP, PositionCue, Sentence, classify,
                        lexicon_for, main_clause_start, name_targets, position_cues, target_areas)

__all__ = ["extract_article", "build_record", "page_candidates", "decided_records", "intro_target_lines",
           "takes_intro_targets"]


@lru_cache(maxsize=4)
def _restatement_rules(kb: Knowledge) -> tuple[frozenset[str], re.Pattern, re.Pattern]:
    """Words that say nothing about *which* action a step asks for, and the preface ("To do this,")
    and trailing aside (", allowing your hips to relax") that a restated step wraps itself in."""
    lx = kb.lexicon
    return (frozenset(STOP_WORDS) | frozenset(lx["restatement_ignore"]),
            re.compile(lx["preface_pattern"], re.I), re.compile(lx["participle_aside_pattern"], re.I))


def extract_article(doc: CleanDocument, kb: Knowledge | None = None,
                    config: ExtractConfig = EXTRACT, decision: str = "model") -> Article:
    """The article's records: every candidate that can open one is built, then the learned decision
    (pipeline/extract/model.py) keeps the stretches; `decision="rules"` keeps what the rules alone
    keep (the measure the model is compared with in `make eval`)."""
    kb = kb or load_knowledge()
    nlp = build_nlp(kb)
    title = clean_title(doc.title, kb)  # "Knee Stretch | SiteName.com": the page's title, not the site's
    topic = _topic(title, nlp)
    page = page_candidates(doc, kb, config)
    if decision == "rules":
        kept = [(i, None) for i, ok in enumerate(page.rule_ok) if ok]
    else:
        kept = choose(load_model(), page.features, page.keys, page.sizes, page.spans)
    records, sections = decided_records(page, kept)
    _targets_from_intro(records, doc, sections, kb, title)
    rule_sections = [c.section for c in page.candidates if c.origin == "rule"]
    return Article(
        source=ArticleSource(path=doc.source, title=title),
        title=title,
        topic=topic,
        claimed_count=claimed_count(title, doc.blocks, kb),
        summary_list=find_summary_list(doc.blocks, rule_sections),
        records=records,
        removed=doc.removed,
        non_exercise_sections=[r.name for r, c, ok in zip(page.records, page.candidates, page.rule_ok)
                               if c.origin == "rule" and not ok and r.kind not in STRETCH_KINDS
                               and not any(r is k for k in records)],
    )


# --- fields: a rule stated under a group heading ("Static Stretches" / "Each of the stretches
# below should be done for about 10-20 seconds") for the exercises listed under it
def _with_group_rules(sections: list[Section], built: list[tuple[Stretch, bool]], doc: CleanDocument,
                      kb: Knowledge, config: ExtractConfig) -> list[tuple[Stretch, bool]]:
    """A group heading that is no exercise itself may state its exercises' shared rule in its own
    text. The exercises after it, up to the next heading of its level or above, share that rule
    (what they state themselves still comes first)."""
    headings = [b for b in doc.blocks if b.kind == "heading"]
    out = list(built)
    for group, (_, is_exercise) in zip(sections, built):
        rule = next((b for b in group.body if b.kind != "heading" and is_shared_rule(b, kb)
                     and not _states_a_total(b.text, kb)), None)
        if is_exercise or rule is None:
            continue
        level = group.heading.level or 7
        end = next((h.start for h in headings if h.start > group.heading.start and h.level <= level), None)
        for k, (section, (_, ok)) in enumerate(zip(sections, built)):
            inside = group.heading.start < section.heading.start and (end is None or section.heading.start < end)
            if ok and inside and rule not in section.shared:
                section.shared.append(replace(rule, kind="paragraph", level=0))
                out[k] = _build(section, doc, kb, config)
    return out


def _states_a_total(text: str, kb: Knowledge) -> bool:
    """"This routine takes about ten minutes": the time the sentence gives is the whole routine's."""
    totals = kb.lexicon["routine"]["group_total_words"]
    first = next((sent for sent in re.split(r"(?<=[.!?])\s+", text) if find_times(sent, kb)), "")
    return any(re.search(rf"\b{re.escape(w)}\b", first, re.I) for w in totals)


@dataclass
class PageCandidates:
    """A page's candidates with the record each opens, the rules' verdict and the decision's features."""
    candidates: list[Candidate]
    records: list[Stretch]
    rule_ok: list[bool]  # what the rules alone keep as a stretch record
    rule_exercise: list[bool]  # what the rules alone keep as an exercise of any kind
    features: list[dict[str, float]]
    keys: list[str]
    sizes: list[int]
    spans: list[tuple[int, int]]


_page_docs: dict | None = None  # block text -> spaCy Doc, while page_candidates builds one page's records


def _parsed(nlp, texts: list[str]) -> list:
    """The texts through the spaCy pipeline; while a page's candidates are built, each text once:
    candidates overlap (a rule section, the heading inside it, a list item under it) and share
    blocks, about a third of the blocks they read. The pipeline's components are stateless and
    nothing changes a Doc after it, so a shared Doc reads as a fresh one."""
    cache = _page_docs
    if cache is None:
        return list(nlp.pipe(texts))
    missing = [t for t in dict.fromkeys(texts) if t not in cache]
    cache.update(zip(missing, nlp.pipe(missing)))
    return [cache[t] for t in texts]


class _BlockIndex:
    """What every record's build looks up among the page's blocks, found once per page rather than by
    a scan of all blocks per record (a page of 1,000 headed stretches has some 10,000 blocks)."""

    def __init__(self, blocks: list[Block]):
        self.blocks = blocks
        self.cells = {b.start for b in blocks if b.kind == "cell"}
        self._above: dict[int, tuple[list[Block], list[int] | None]] = {}

    def last_heading_before(self, start: int, level: int) -> Block | None:
        """The last heading, in page order, that ends at or before `start` and is above `level`."""
        if level not in self._above:
            headings = [b for b in self.blocks if b.kind == "heading" and b.level < level]
            ends = [b.end for b in headings]
            self._above[level] = (headings, ends if all(a <= b for a, b in zip(ends, ends[1:])) else None)
        headings, ends = self._above[level]
        if ends is None:  # ends out of page order: the scan (a bisection finds the same only in order)
            above = [b for b in headings if b.end <= start]
            return above[-1] if above else None
        k = bisect.bisect_right(ends, start)
        return headings[k - 1] if k else None


_page_index: _BlockIndex | None = None  # the page's, while page_candidates builds its records


def _index_of(doc: CleanDocument) -> _BlockIndex:
    index = _page_index
    return index if index is not None and index.blocks is doc.blocks else _BlockIndex(doc.blocks)


def page_candidates(doc: CleanDocument, kb: Knowledge, config: ExtractConfig = EXTRACT) -> PageCandidates:
    global _page_docs, _page_index
    candidates = find_candidates(doc.blocks, kb, doc.title)
    _page_docs, _page_index = {}, _BlockIndex(doc.blocks)
    try:
        built = [_build(c.section, doc, kb, config) for c in candidates]
        built = _with_group_rules([c.section for c in candidates], built, doc, kb, config)
    finally:
        _page_docs = _page_index = None
    records = [r for r, _ in built]
    exercise = [ok and c.origin == "rule" for c, (_, ok) in zip(candidates, built)]
    rule_ok = [ok and r.kind in STRETCH_KINDS for r, ok in zip(records, exercise)]
    features = page_features(candidates, records, exercise, rule_ok, doc.blocks, doc.title, kb)
    # a summary item and the section it repeats are one record under one name (choose keeps the fuller)
    keys = [name_key(c.same_as or r.name) for c, r in zip(candidates, records)]
    return PageCandidates(candidates, records, rule_ok, exercise, features, keys,
                          [sum(len(b.text) for b in c.section.body) for c in candidates],
                          [(c.section.heading.start, c.section.span[1]) for c in candidates])


def decided_records(page: PageCandidates, kept: list[tuple[int, float | None]]) -> tuple[list[Stretch], list[Section]]:
    """The kept candidates as stretch records (with the decision's confidence), beside the rules'
    exercises of other kinds (a strength move in a routine) that the decision did not keep."""
    chosen = {i: p for i, p in kept}
    names = {page.keys[i] for i in chosen}
    records, sections = [], []
    for i, (c, r) in enumerate(zip(page.candidates, page.records)):
        if i in chosen:
            # a candidate the rules pass over is a stretch when the decision keeps it; one they read as an
            # exercise of another kind (a foam-roller move, a balance drill) keeps that kind (same grouped-CV score)
            if r.kind not in STRETCH_KINDS and not page.rule_exercise[i]:
                r.kind = "dynamic-stretch" if (r.repetitions or r.duration) and not r.hold else "static-stretch"
            # kept strictly inside (0, 1) so every value is written as a float, never a bare 0 or 1
            r.confidence = None if chosen[i] is None else min(max(round(chosen[i], 4), 0.0001), 0.9999)
        elif not (page.rule_exercise[i] and r.kind not in STRETCH_KINDS and page.keys[i] not in names):
            continue
        records.append(r)
        sections.append(c.section)
    return records, sections


# --- fields: targets stated once above the exercises
def _targets_from_intro(records: list[Stretch], doc: CleanDocument, sections: list[Section], kb: Knowledge,
                        title: str | None = None) -> None:
    """A page about one exercise often states "Targets: hips, glutes" above the steps, as a line
    or as a two-cell table row ("Targets | Lower back, glutes"). It applies to the one record, or
    to records that are variants of one exercise ("Single Knee to Chest", "Double Knee to Chest"),
    or to the records the page's title names, when the text does not name their targets itself."""
    if not sections:
        return
    first = min(s.heading.start for s in sections)
    found = [t for end, areas in intro_target_lines(doc, kb) if end <= first for t in areas]
    takes = takes_intro_targets([r.name for r in records], [r.targets_source == "text" for r in records], title)
    if found:
        for record, take in zip(records, takes):
            if take:
                record.targets, record.targets_source = list(dict.fromkeys(found)), "text"
                record.value_sources.targets = "own text" if len(records) == 1 else "group rule"


def intro_target_lines(doc: CleanDocument, kb: Knowledge) -> list[tuple[int, list[str]]]:
    """(end offset, body areas) of each "Targets: ..." line of the page, or two-cell table row."""
    lex, nlp = lexicon_for(kb), build_nlp(kb)
    rows: dict[tuple[int, int], list] = {}
    for b in doc.blocks:
        if b.kind == "cell":
            rows.setdefault((b.group, b.row), []).append(b)
    lines = [(b.end, b.text) for b in doc.blocks if b.kind != "cell"] + \
        [(cells[-1].end, ": ".join(c.text for c in cells)) for cells in rows.values() if len(cells) == 2]
    out = []
    for end, line in sorted(lines):
        if lex.target_line.match(line):
            parsed = nlp(line)  # keep the Doc alive while its span group is read
            out.append((end, [span.label_ for span in parsed.spans[BODY_KEY]]))
    return out


def takes_intro_targets(names: list[str], has_targets: list[bool], title: str | None = None) -> list[bool]:
    """Which of a page's records take the targets stated above them: those without their own, when
    the page has one record or its records without targets are variants of one exercise; else
    those the page's title names ("Knee-to-Chest Stretch: ..." over "Single Knee to Chest"), when
    other stretches (related ones, further down) share the page."""
    own = [n for n, has in zip(names, has_targets) if not has]
    if not own:
        return [False] * len(names)
    if len(names) == 1 or _variants_of_one(own):
        return [not has for has in has_targets]
    return [not has and bool(title) and _names_the_subject(n, title) for n, has in zip(names, has_targets)]


def _names_the_subject(name: str, title: str) -> bool:
    """The title names the exercise the record is, or the one it is a variant of (its name without
    the first word, of two words or more)."""
    words = name_key(name).split()
    subject = f" {name_key(title)} "
    return any(len(w) >= 2 and f" {' '.join(w)} " in subject for w in (words, words[1:]))


def _variants_of_one(names: list[str]) -> bool:
    """"Single Knee to Chest" and "Double Knee to Chest": the names differ only in their first word."""
    rests = {" ".join(name_key(n).split()[1:]) for n in names}
    return len(names) > 1 and len(rests) == 1 and len(next(iter(rests)).split()) >= 2
# --- end targets stated once


def _topic(title: str | None, nlp) -> list[str]:
    if not title:
        return []
    d = nlp(title)
    return list(dict.fromkeys(s.label_ for s in d.spans[BODY_KEY]))


def _content_words(text: str, skip: set[str], kb: Knowledge) -> set[str]:
    ignore, preface, aside = _restatement_rules(kb)
    text = aside.sub("", preface.sub("", text))
    words = re.findall(r"[a-z]+|\d+", text.lower())
    return {lemma(w) for w in words if w not in ignore and lemma(w) not in ignore and lemma(w) not in skip}


def build_record(section: Section, doc: CleanDocument, kb: Knowledge,
                 config: ExtractConfig = EXTRACT) -> Stretch:
    return _build(section, doc, kb, config)[0]


def _build(section: Section, doc: CleanDocument, kb: Knowledge,
           config: ExtractConfig = EXTRACT) -> tuple[Stretch, bool]:
    """The record, and whether the section is an exercise at all (extract's own decision).

    Every field holds what the page states about this exercise, and `value_sources` says where:
    its own text (a card's separate dose line included), its table row's columns, its heading
    (the name itself: "Standing Side Bend" is standing, "Puppy Pose 1 Min" is held 60 s), or a rule
    its group or routine shares ("hold each for 30 s, both sides" above the list). What the
    knowledge base knows about the name is not the page's word and stays out of the record."""
    lex = lexicon_for(kb)
    name, name_source = clean_name(section.name, kb), section.name_source
    name, name_dose = split_name_dose(name, kb) if name_source == "heading" else (name, "")
    entry, score = kb.match_exercise(name)
    named_entry = entry  # the exercise the name itself is (not one the text names for it)
    sentences = read_sentences(section, kb, entry)
    if entry is None and NUMBER_ONLY_TITLE.match(name):
        # "Exercise 1" then "The cat-cow stretch warms up the spine...": the text names it
        entry = next((e for s in sentences[:2] for e in kb.find_mentions(s.text)), None)
    if entry is None and re.match(kb.lexicon["routine"]["goal_heading_pattern"], name, re.I):
        # "3. LOOSEN THE CALVES AND ACHILLES" then "The wall calf stretch is...": the record is the
        # stretch the text names, not the goal the heading states
        entry = next((e for s in sentences[:3] for e in kb.find_mentions(s.text)), None)
        if entry is not None:
            name, name_source = entry.canonical_name, "derived"
    steps, repeats = choose_steps(sentences, name, kb, config)
    instruction = [s for s in sentences if s.role == STEP]
    usable = [s for s in sentences if s.role != OFF_TOPIC]
    cells = _index_of(doc).cells
    own_source = "table column" if section.body and all(b.start in cells for b in section.body) else "own text"
    sources = ValueSources()

    # --- fields: the dose. The section's own text first, then its separate dose lines (a card's
    # "Hold 20 sec x 2", a row's "Time: 30s each"), then its heading, then its group's rule
    dose_lines = _dose_lines(section, sentences, kb)
    heading_dose = [name_dose or section.name]
    # "each of the stretches below": a rule for what follows it, not for a section before it
    after_only = re.compile(kb.lexicon["routine"]["rule_for_what_follows_pattern"], re.I)
    rules = [b for b in section.shared if not (b.start > section.heading.start and after_only.search(b.text))
             and not _states_a_total(b.text, kb)]
    shared = read_sentences(Section(section.heading, None, section.name, rules), kb, entry) if rules else []
    hold, duration = _hold_and_duration(instruction, usable, kb)
    if hold is None and duration is None and dose_lines:
        hold, duration = _hold_and_duration([], [], kb, lines=dose_lines)
    hold_source = _source_of(hold or duration, own_source)
    if hold is None and duration is None and (hold := find_phased_time(heading_dose[0], kb)):
        hold_source = "heading"
    if hold is None and duration is None and shared:  # a shared rule is a dose rule, whatever its verb
        hold, duration = _hold_and_duration([], [], kb, lines=[s.text for s in shared])
        hold_source = _source_of(hold or duration, "group rule")
    sources.hold = hold_source if hold or duration else None

    breaths = next((b for s in instruction + usable if (b := find_breaths(s.text, kb))), None) \
        or next((b for t in dose_lines if (b := find_breaths(t, kb))), None)
    frequency = next((f for s in usable if (f := find_frequency(s.text, kb))), None)
    own_texts = [s.text for s in instruction + usable]
    repetitions, sources.repetitions = _first_stated(find_repetitions, kb, (own_texts, own_source),
                                                     (dose_lines, own_source), (heading_dose, "heading"),
                                                     ([s.text for s in shared], "group rule"))
    sets, sources.sets = _first_stated(find_sets, kb, (own_texts, own_source), (dose_lines, own_source),
                                       (heading_dose, "heading"), ([s.text for s in shared], "group rule"))
    sided = [s.text for s in sentences if s.role in (STEP, ASIDE, DESCRIPTION)]
    per_side, sources.per_side = _per_side(lex, (sided, own_source), (dose_lines, own_source),
                                           (heading_dose, "heading"), ([s.text for s in shared], "group rule"))

    # --- fields: targets, the name's first ("Calf stretch"), then the text's
    # a short line shaped like a name ("Dynamic spine mobility", "Glute stretch") names targets the same way
    short = kb.lexicon["short_line_max_words"]
    line_targets = [t for s in sentences if s.role in (DESCRIPTION, BENEFIT) and len(s.text.split()) <= short
                    and ":" not in s.text for t in name_targets(s.text, kb)]  # not a label ("Category: ...")
    text_targets = [t for s in sentences for t in s.targets] + line_targets + _note_targets(section, kb) \
        + _purpose_targets([b.text for b in section.body if b.kind == "heading"] + [s.text for s in sentences], kb)
    # "Sun salute (chest)": a note in the name that is nothing but body areas
    named = name_targets(name, kb) + [a for note in re.findall(r"\(([^()]{1,60})\)", name) for a in _only_areas(note, kb)] \
        + _purpose_targets([name], kb)  # "Stretch for the Lower Back"
    targets = list(dict.fromkeys(_narrowest(list(dict.fromkeys(named + text_targets)), kb)))
    if targets:
        sources.targets = "heading" if set(targets) <= set(named) else own_source
    elif targets := _group_targets(section, doc, kb):
        sources.targets = "group rule"
    targets_source = "text" if targets else None

    position, options, starts, name_positions, sources.position = _position(name, sentences, kb, instruction,
                                                                             own_source, named_entry)
    if position is None and not options and (position := _list_lead_position(section, doc, kb)):
        sources.position = "group rule"
    sources.steps = own_source if steps else None

    kind = _kind(section, sentences, entry, score, hold or breaths, duration, repetitions, kb)  # breaths are a hold
    record = Stretch(
        name=name,
        number=section.number,
        kind=kind,
        canonical_name=entry.canonical_name if entry else None,
        position=position,
        position_options=options,
        steps=steps,
        hold=hold,
        duration=duration,
        breaths=breaths,
        repetitions=repetitions,
        sets=sets,
        frequency=frequency,
        per_side=per_side,
        targets=targets,
        targets_source=targets_source,
        benefits=[s.text for s in sentences if s.role == BENEFIT],
        source=Source(path=doc.source, title=clean_title(doc.title, kb), span=section.span),
        value_sources=sources,
        name_source=name_source,
    )
    record.evidence = _evidence(section, sentences, starts, name_positions, repeats)
    return record, _is_exercise(record, sentences, kb, listed=section.item)


def _list_lead_position(section: Section, doc: CleanDocument, kb: Knowledge) -> str | None:
    """"Lie on your back, then:" over a numbered list: the position every item of the list starts
    in, when the item itself says none. The lead is the short line ending in a colon just above the
    list's first item."""
    if section.heading.kind != "heading" or section.heading.group < 0:
        return None
    blocks = doc.blocks
    first = doc.first_list_item.get(section.heading.group)
    if not first or section.heading.start < blocks[first].start:
        return None
    lead = blocks[first - 1]
    if lead.kind != "paragraph" or not lead.text.rstrip().endswith(":") \
            or len(lead.text.split()) > kb.lexicon["step_list"]["lead_line_max_words"]:
        return None
    told = read_sentences(Section(lead, None, "", [lead]), kb, None)
    return next((c.label for s in told for c in s.positions if c.start and not c.implied), None)


def _source_of(value, source: str) -> str | None:
    return source if value is not None else None


def _first_stated(find, kb: Knowledge, *places: tuple[list[str], str]):
    """The first value `find` reads in the places tried in order, and the place's source."""
    for texts, source in places:
        for text in texts:
            if (value := find(text, kb)) is not None:
                return value, source
    return None, None


def _per_side(lex, *places: tuple[list[str], str]) -> tuple[bool | None, str | None]:
    """Done on each side, where the page says so ("each leg", "/side", "switch and repeat", a left
    and a right line); null where it does not."""
    for texts, source in places:
        if any(rx.search(t) for rx in lex.per_side for t in texts) or _left_and_right(texts, lex):
            return True, source
    return None, None


def _left_and_right(texts: list[str], lex) -> bool:
    """"Left leg: 30 s" and "Right leg: 30 s" as separate lines: one stretch done on both sides."""
    sides = {m.group(1).lower() for t in texts if (m := lex.side_line.match(t))}
    return sides >= {"left", "right"}


def split_name_dose(name: str, kb: Knowledge) -> tuple[str, str]:
    """"Puppy Pose 1 Min" -> ("Puppy Pose", "1 Min"); "Calf stretch (30 s each side)" ->
    ("Calf stretch", "30 s each side"): a dose that ends a name is the dose, not part of the name.
    A name that is nothing but a dose, or a number that is part of the name ("90/90 Hip Stretch",
    "Figure 4 Stretch"), stays as it is."""
    amounts = [*find_times(name, kb), find_repetitions(name, kb), find_breaths(name, kb), find_sets(name, kb)]
    at = min((i for f in amounts if f is not None and (i := name.find(f.text)) >= 0), default=-1)
    if at <= 0:
        return name, ""
    lead = _DOSE_LEAD.search(name[:at])  # "(hold 5 s", " - 2 sets", " x 5"
    cut = lead.start() if lead else at
    head, tail = name[:cut].strip(" -–—:,([|"), name[cut:].strip(" -–—:,()[]|")
    if not re.search(r"[A-Za-z]{2}", head) or len(tail.split()) > kb.lexicon["routine"]["bare_dosage_max_words"]:
        return name, ""
    return head, tail


_DOSE_LEAD = re.compile(r"(?:\s*[(\[|]\s*|\s+[-–—:]\s*|\s+)(?:(?:hold|for|x|×)\s*)?$", re.I)


def _dose_lines(section: Section, sentences: list[Sentence], kb: Knowledge) -> list[str]:
    """Lines of the section that give only its dose: a card's separate "Hold 30-60 sec" (often set
    as a small heading), "20 sec each side", a field "Time: 30s each", a bare "10 reps"."""
    label = re.compile(kb.lexicon["value_chrome"]["dose_label_pattern"], re.I)
    lines = [part for b in section.body if b.kind == "heading" for part in _dose_parts(b.text, kb)]
    return lines + [s.text for s in sentences if s.role != OFF_TOPIC and (
        _is_dose_line(s.text, kb) or label.match(s.text) and (find_times(s.text, kb) or find_repetitions(s.text, kb)))] \
        + [part for s in sentences if s.role != OFF_TOPIC and not _is_dose_line(s.text, kb)
           for part in _dose_parts(s.text, kb, whole=False)] \
        + ([lead for s in sentences if s.role != OFF_TOPIC and (lead := _leading_dose(s.text, kb))]
           if not any(s.role == STEP for s in sentences) else [])


def _leading_dose(text: str, kb: Knowledge) -> str:
    """"20s each side to open the ribs": a routine card's line that opens with the dose and goes on to
    say what for. The opening words that only give the dose, when they give one; else ""."""
    dose = set(kb.lexicon["value_chrome"]["dose_words"]) | set(kb.lexicon["quantities"]["multiplication_signs"])
    words = text.split()
    n = 0
    while n < len(words) and all(w.lower() in dose for w in re.findall(r"[A-Za-z]+", words[n])):
        n += 1
    lead = " ".join(words[:n])
    whole = find_times(text, kb)  # read in its sentence: "2 minutes of rest" is no dose
    return lead if n < len(words) and re.match(r"\W{0,3}\d", lead) and whole and text.find(whole[0].text) <= 3 else ""


def _dose_parts(text: str, kb: Knowledge, whole: bool = True) -> list[str]:
    """A card's line of notes set apart by dots or bars ("2 × 30 s each leg · strap or towel"): the
    parts that only give a dose, not a routine's total ("Total: ~5 minutes · No equipment")."""
    parts = [p.strip() for p in re.split(kb.lexicon["value_chrome"]["note_separator_pattern"], text) if p.strip()]
    if len(parts) == 1:
        return parts if whole and _is_dose_line(text, kb) else []
    totals = kb.lexicon["routine"]["group_total_words"]
    return [p for p in parts if _is_dose_line(p, kb) and not any(re.search(rf"\b{re.escape(w)}\b", p, re.I) for w in totals)]


def _is_dose_line(text: str, kb: Knowledge) -> bool:
    """A few words that only give a dosage ("1 minute each leg", "Hold 20 sec x 2", "Time: 30s")."""
    words = re.findall(r"[A-Za-z]+", text)
    first = words[0].lower() if words else ""
    verb = first in kb.lexicon["instruction_verbs"] and first not in kb.lexicon["hold_verbs"]
    return len(text.split()) <= kb.lexicon["routine"]["bare_dosage_max_words"] and not verb and bool(
        find_times(text, kb) or find_repetitions(text, kb) or find_breaths(text, kb))


# --- evidence: what the audit and the report may read (public, typed, every quote with its span)
def _quote(s: Sentence) -> Quote:
    return Quote(s.text, s.start, s.end, s.role, s.variant)


def _mention(cue: PositionCue, s: Sentence) -> PositionMention:
    return PositionMention(cue.label, cue.text, cue.start, cue.option_group is not None, _quote(s))


def _evidence(section: Section, sentences: list[Sentence], starts: list[tuple[PositionCue, Sentence]],
              name_positions: list[str], repeats: list[Sentence]) -> Evidence:
    heading = section.heading
    return Evidence(
        heading=Quote(heading.text, heading.start, heading.end, "heading") if heading.start >= 0 else None,
        sentences=[_quote(s) for s in sentences],
        positions=[_mention(cue, s) for s in sentences for cue in s.positions],
        start_positions=[_mention(cue, s) for cue, s in starts],
        name_positions=list(name_positions),
        off_topic=[_quote(s) for s in sentences if s.role == OFF_TOPIC],
        restated=[_quote(s) for s in repeats],
    )
# --- end evidence


def _is_exercise(record: Stretch, sentences: list[Sentence], kb: Knowledge, listed: bool = False) -> bool:
    """A numbered or headed section is an exercise only on evidence: a knowledge-base link, an
    exercise word in its name, or a body the reader is placed in, moves or holds. A gift guide's
    "1. Lego Star Wars", a news widget's "Breaking News Emails" or a teaser "Hip Stretches for
    Runners" has none of these. An item of a routine list or table is one: the list was admitted
    because its items name exercises ("Blaster | each side | 5 min per side" under "Stretches:")."""
    if record.canonical_name:
        return True
    if listed:  # a routine's item, admitted by its list's rules (the list names exercises)
        return True
    steps = [s for s in sentences if s.role == STEP]
    bodily = any(s.positions or s.targets for s in sentences if s.role != OFF_TOPIC)
    # a time or count inside an instruction ("Hold 20 seconds"), not in prose ("10 times more fibre")
    counted = any(find_times(s.text) or find_repetitions(s.text) or find_breaths(s.text) for s in steps)
    words = set(re.findall(r"[a-z]+", record.name.lower()))
    if words & set(kb.lexicon["category_name_words"]):  # "Hip Stretches for Runners" names a category
        return bool(steps) and (bodily or counted)
    parsed_name = build_nlp(kb)(record.name)
    # "Hamstring Sweep" names a body part; "Dell G3 Intel Core i5" is a product, not a "core" move
    names_body_part = not re.search(r"\d", record.name) and len(parsed_name.spans[BODY_KEY]) > 0
    if kb.looks_like_exercise(record.name):
        return bodily or counted or names_body_part
    if not steps:
        return False
    # "Stretch hamstrings when straightening knees": instructions that move a named body part
    moves_body = sum(1 for s in steps if _names_body_part(s.text, kb)) >= 2
    return bodily or counted or moves_body or any(kb.find_mentions(s.text) for s in steps)


def _names_body_part(text: str, kb: Knowledge) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return any(kb.body_part(w) for w in words) or any(kb.body_part(f"{a} {b}") for a, b in zip(words, words[1:]))


def read_sentences(section: Section, kb: Knowledge, entry: ExerciseEntry | None) -> list[Sentence]:
    """Every sentence of the section body with its role, position cues, targets and variant."""
    nlp, lex = build_nlp(kb), lexicon_for(kb)
    body = [b for b in section.body if b.text.strip()]
    # (block, sentence span, role, main clause start, whether a subheading forced the role, variant)
    read: list[tuple] = []
    variant = 0
    # under "Muscles worked", "Tips", "Common Mistakes" the heading sets the role of what follows,
    # down through deeper headings ("Common Mistakes" > "Letting the hips tilt")
    roles: list[tuple[int, str | None]] = []
    for block, d in zip(body, _parsed(nlp, [b.text for b in body])):
        if block.kind == "heading":
            roles = [(lv, r) for lv, r in roles if lv < block.level]
            role = next((role for role, rx in lex.subheading_roles if rx.match(block.text.strip())), None)
            roles.append((block.level, role or (roles[-1][1] if roles else None)))
            if lex.variant_heading.match(block.text):
                variant += 1
            elif _position_label(d, lex):
                # "Standing:" / "Seated:" over a variant's steps: a variant, and the position it is done in
                variant += 1
                read.append((block, d[:], DESCRIPTION, 0, False, variant))
            continue
        forced_role = roles[-1][1] if roles else None
        if lex.variant.match(block.text):
            variant += 1
        elif variant and lex.variant_end.match(block.text):
            variant = 0  # "In either version, hold...": back to what all variants share
        for sent in d.sents:
            if not sent.text.strip():
                continue
            role, main = classify(sent, kb, lex, entry)
            forced = bool(forced_role and role != OFF_TOPIC)
            read.append((block, sent, forced_role if forced else role, main, forced, variant))
    # a list whose items give steps is a list of steps: its terse items ("Soles of feet together",
    # "Back leg straight and long") are steps too, though they lack a verb; a noted item ("Tempo: ...") is not
    listed = {b.group for b, sent, role, _, forced, _ in read
              if b.kind == "list_item" and b.group >= 0 and not forced
              and (role == STEP or role == ASIDE and main_clause_start(sent, lex) is not None)}  # "Feel the hip open"
    sentences: list[Sentence] = []
    for block, sent, role, main, forced, variant in read:
        step_item = role == DESCRIPTION and not forced and block.kind == "list_item" and block.group in listed \
            and not lex.list_note.match(sent.text.strip()) and not sent.text.strip().endswith(":")
        # a step without a verb ("Hips back, chest open") names targets as any description does
        target_role = DESCRIPTION if role == STEP and main_clause_start(sent, lex) is None else role
        sentences.append(Sentence(
            sent.text.strip(), block.start + sent.start_char, block.start + sent.end_char, role, main,
            position_cues(sent, role, main, lex), target_areas(sent, target_role, lex, kb), variant, step_item))
    return sentences


def _position_label(parsed, lex) -> bool:
    """A subheading that is nothing but a position ("Standing:", "Seated version")."""
    spans = parsed.spans[POSITIONS_KEY]
    if len(spans) != 1 or spans[0].id_ == "implied":
        return False
    rest = (parsed.text[:spans[0].start_char] + " " + parsed.text[spans[0].end_char:]).lower()
    return all(w in lex.variant_words for w in re.findall(r"[a-z]+", rest))


def choose_steps(sentences: list[Sentence], name: str, kb: Knowledge,
                 config: ExtractConfig = EXTRACT) -> tuple[list[str], list[Sentence]]:
    """Instruction sentences in order, minus restatements ("To perform X, start by lying...")."""
    lex = lexicon_for(kb)
    name_words = {lemma(w) for w in re.findall(r"[a-z]+", name.lower())}
    steps: list[str] = []
    repeats: list[Sentence] = []
    covered: set[str] = set()
    sided_seen = False
    for s in sentences:
        if not (s.role == STEP or s.step_item) or not _is_instruction(s.text, kb):
            continue
        words = _content_words(s.text, name_words, kb)
        sided = any(rx.search(s.text) for rx in lex.per_side)
        # "Do the same with the other leg" adds the switch even when its words are all covered
        new_switch = sided and not sided_seen
        if steps and words and not new_switch and len(words & covered) / len(words) >= config.repeat_coverage:
            repeats.append(s)
            continue
        steps.append(lex.step_label.sub("", s.text))  # "How: Step your right foot..." -> "Step your..."
        covered |= words
        sided_seen = sided_seen or sided
    return steps, repeats


def _is_instruction(text: str, kb: Knowledge) -> bool:
    """A step tells the reader what to do: not a label ("Notes:"), not a lone hold ("Hold for
    30 seconds.", which is the record's hold), not a one-word fragment."""
    words = re.findall(r"[A-Za-z]+", text)
    if len(words) <= 1 or is_label(text, kb):
        return False
    return not (_is_dose_line(text, kb) and _only_dose_words(words, kb))


def _only_dose_words(words: list[str], kb: Knowledge) -> bool:
    """"Hold 30 seconds each side": the words say how long and on which side, nothing to do."""
    dose = set(kb.lexicon["hold_verbs"]) | set(kb.lexicon["value_chrome"]["dose_words"])
    return all(w.lower() in dose for w in words)


def _name_positions(name: str, kb: Knowledge) -> list[str]:
    """Positions a name allows: "Seated Twist" -> [seated]; "Lying Quad Stretch" -> any lying one."""
    words = re.findall(r"[a-z-]+", name.lower())
    for word in words:
        if word in kb.positions["name_word_families"]:
            return list(kb.positions["name_word_families"][word])
    for label, cues in kb.positions["name_words"].items():
        if any(w in cues for w in words):
            return [label]
    return []


def _position(name: str, sentences: list[Sentence], kb: Knowledge, instruction: list[Sentence], own_source: str,
              named_entry: ExerciseEntry | None = None
              ) -> tuple[str | None, list[str], list[tuple[PositionCue, Sentence]], list[str], str | None]:
    """The position the stretch is held in, from what the reader is told; then from the name
    ("Standing Side Bend"). A name's knowledge-base entry or a base pose the text mentions ("In
    the child's pose position, walk...") is what the knowledge base knows, not what the page
    says: no position then. Also the options, the instructed starts, the name's positions and
    where the position came from."""
    # (cue, sentence) for each instructed starting position, per variant (0 = the main text)
    starts_by_variant: dict[int, list[tuple[PositionCue, Sentence]]] = {}
    options: list[str] = []
    for s in sentences:
        for cue in s.positions:
            if cue.option_group is not None:
                options.extend(c.label for c in s.positions if c.option_group == cue.option_group)
            elif cue.start:
                starts_by_variant.setdefault(s.variant, []).append((cue, s))
    # the main text gives the position, else the first variant; variants that start
    # differently (beginner on the back, advanced on all fours) are options, not a conflict
    starts = starts_by_variant.get(0) or (starts_by_variant[min(starts_by_variant)] if starts_by_variant else [])
    variant_firsts = [starts_by_variant[v][0][0].label for v in sorted(starts_by_variant) if v > 0]
    if len(set(variant_firsts)) > 1:
        options.extend(variant_firsts)
    options = list(dict.fromkeys(options))
    name_positions = _name_positions(name, kb)
    held = _held_position(sentences, starts, kb)
    implied = next((c.label for s in sentences if s.variant == 0 for c in s.positions if c.implied), None)
    weak = set(kb.positions["mention_only_cues"])
    placed = [s for s in sentences if s.role in (STEP, DESCRIPTION)]
    if held and len(name_positions) == 1 and held not in name_positions and starts and placed \
            and all(_posture_only(cue, sent, weak) and sent is not placed[0] for cue, sent in starts):
        # "Half-kneel hip flexor": "Back knee down, front foot flat", then "Stand tall, feel the front of
        # the hip": "stand tall" after the set-up is a posture in any position, the name says which
        # (a text that opens with "Stand tall" does stand)
        return name_positions[0], options, starts, name_positions, "heading"
    if held:
        return held, options, starts, name_positions, own_source
    if options:
        return options[0], options, starts, name_positions, own_source
    if len(name_positions) == 1:
        return name_positions[0], options, starts, name_positions, "heading"
    if implied:  # "Feet hip-width apart, hands on hips": a stance, when nothing else says
        return implied, options, starts, name_positions, own_source
    exits, weak = kb.positions["exit_cues"], set(kb.positions["mention_only_cues"])
    told = [s for s in sentences if s.variant == 0 and s.role in (STEP, DESCRIPTION)
            and not any(c in s.text.lower() for c in exits)]
    # "The body is in a prone position": stated, though not as an instruction
    stated = next((c.label for s in told for c in s.positions
                   if not c.implied and c.option_group is None and c.text.lower() not in weak), None)
    if stated:
        return stated, options, starts, name_positions, own_source
    for s in told:  # "From mountain pose, bring the hands up": the page names the base pose it starts from
        # ("To perform a quad stretch, pull...": the stretch's own name restated is no base pose, and
        # what its knowledge-base entry says about it is not the page's word)
        base = next((e for e in kb.find_mentions(s.text) if e.position and e is not named_entry
                     and name_key(e.canonical_name) != name_key(name)), None)
        if base:
            return base.position, options, starts, name_positions, own_source
    return None, options, starts, name_positions, None


def _posture_only(cue: PositionCue, sentence: Sentence, weak: set[str]) -> bool:
    """"Stand tall", "sit up straight", "upright": a posture kept in any position, not a position."""
    if cue.text.lower() in weak:
        return True
    at = sentence.text.lower().find(cue.text.lower())
    after = re.findall(r"[a-z]+", sentence.text.lower()[at + len(cue.text):])[:2] if at >= 0 else []
    return bool(after) and (after[0] in weak or after[:1] == ["up"] and after[1:] and after[1] in weak)


def _narrowest(targets: list[str], kb: Knowledge) -> list[str]:
    """"arms" beside "triceps": the narrower area says it (lexicon `broader_areas`)."""
    broader = kb.lexicon["broader_areas"]
    return [t for t in targets if not set(broader.get(t, ())) & set(targets)]


# --- fields: the position the stretch is held in
@lru_cache(maxsize=4)
def _transitions(kb: Knowledge) -> tuple[tuple[frozenset[str], str, re.Pattern], ...]:
    return tuple((frozenset(t["from"]), t["to"], re.compile(t["pattern"], re.I)) for t in kb.positions["transitions"])


def _held_position(sentences: list[Sentence], starts: list[tuple[PositionCue, Sentence]], kb: Knowledge) -> str | None:
    """The position the stretch is held in: the start, then each later move into a new position
    up to the first sentence that gives the hold ("Sit beside a wall, then swing your legs up and
    lie back" is held supine), and moves that end in a position without naming it ("from all
    fours, step one foot forward" ends kneeling). Not how you get out of it ("stand up")."""
    variant = starts[0][1].variant if starts else 0
    body = [s for s in sentences if s.variant == variant and s.role == STEP]
    position = starts[0][0].label if starts else None
    held = any(find_times(s.text, kb) or find_breaths(s.text, kb) for s in body)
    if not held and any(find_repetitions(s.text, kb) for s in body):
        return position  # a movement repeated ("lie down one vertebra at a time, 5 times") is where it starts
    begin = body.index(starts[0][1]) if starts and starts[0][1] in body else 0
    for s in body[begin:]:
        moves = [c for c in s.positions if c.move]
        if moves:
            position = moves[-1].label
        elif position is not None:
            position = next((to for frm, to, rx in _transitions(kb) if position in frm and rx.search(s.text)), position)
        if find_times(s.text, kb) or find_breaths(s.text, kb):
            break  # the hold: later moves are on the way out or to the other side
    return position
# --- end held position


def _note_targets(section: Section, kb: Knowledge) -> list[str]:
    """Body areas from a line that is nothing but body areas ("back + glute", "hip/glute",
    "obliques"), as a routine item's note gives them."""
    return list(dict.fromkeys(a for b in section.body[:2] for a in _only_areas(b.text, kb)))


@lru_cache(maxsize=4)
def _purpose_pattern(kb: Knowledge) -> re.Pattern:
    words = sorted(kb.lexicon["exercise_words"], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\s+for\s+(?:the\s+|your\s+)?(?P<areas>[^.;:!?()]{1,60}?)\s*[.!]?$",
                      re.I)


def _purpose_targets(texts: list[str], kb: Knowledge) -> list[str]:
    """"Fold over stretch for back", "Seated trunk twist for core": a line (a card's caption, a
    subheading) that ends in what the exercise is for, when that is nothing but body areas."""
    pattern = _purpose_pattern(kb)
    return list(dict.fromkeys(a for t in texts if (m := pattern.search(t.strip())) for a in _only_areas(m.group("areas"), kb)))


def _only_areas(text: str, kb: Knowledge) -> list[str]:
    """The body areas of a text that is nothing else ("Neck & Shoulders", "hip/glute"); else []."""
    parts = [p.strip() for p in re.split(r"\s*(?:[,+/&]|\band\b)\s*", text.strip(" ():")) if p.strip()]
    areas = [kb.body_part(p) for p in parts]
    return [a for a in areas if a] if parts and all(areas) else []


def _group_targets(section: Section, doc: CleanDocument, kb: Knowledge) -> list[str]:
    """A group heading that names only body areas ("Neck & Shoulders" over a list of stretches)
    states the targets of each stretch under it."""
    level = section.heading.level if section.heading.level and not section.item else 7
    above = _index_of(doc).last_heading_before(section.heading.start, level)
    return _only_areas(above.text, kb) if above is not None else []


def _hold_and_duration(instruction: list[Sentence], usable: list[Sentence], kb: Knowledge,
                       lines: list[str] | None = None) -> tuple[HoldTime | None, HoldTime | None]:
    """The hold (a time the position is kept) and the duration (a time a movement goes on). In
    the text a time is a hold when an instruction or a hold word gives it; `lines` are dose lines
    ("30 sec each side"), a hold unless they name a movement."""
    hold_verbs = set(kb.lexicon["hold_verbs"])
    movement = kb.lexicon["movement_cues"]
    hold = duration = None
    texts = [(s.text, s.role == STEP) for s in instruction + [u for u in usable if u not in instruction]]
    texts += [(t, True) for t in lines or []]
    for text, instructed in texts:
        times = find_times(text, kb)
        if not times:
            continue
        low = text.lower()
        is_movement = any(c in low for c in movement)
        words = {lemma(w) for w in re.findall(r"[a-z]+", low)}
        if is_movement and duration is None:
            duration = times[0]
        elif not is_movement and hold is None and (words & hold_verbs or instructed):
            hold = find_phased_time(text, kb)  # "10 s easy, then 20-30 s deeper": one hold, both phases
        if hold and duration:
            break
    return hold, duration


def _stated_kind(section: Section, kb: Knowledge) -> str | None:
    """What the page says the exercise is, in a label ("Category: Standing, Strength") or as the
    label of the group it is listed under ("Strength:" over a table of moves)."""
    keys = set(kb.lexicon["routine"]["kind_label_keys"])
    for b in section.body:
        if b.kind == "field" and b.key.lower() in keys and (kind := group_kind(b.value, kb)):
            return kind
    return section.group_kind


def _kind(section: Section, sentences: list[Sentence], entry: ExerciseEntry | None, score: float,
          hold, duration, repetitions, kb: Knowledge) -> str:
    if section.name_source == "derived":
        # an unnamed item is a stretch only when it is held ("Hold for 30 seconds"), not marched or circled
        hold_verbs = set(kb.lexicon["hold_verbs"])
        held = any(hold_verbs & {lemma(w) for w in re.findall(r"[a-z]+", s.text.lower())} for s in sentences)
        return "static-stretch" if hold and held else "other"
    # what the page states, then the knowledge base's exact entry, then what the name's words say
    # ("Dragon squat", "Side kicks"), then a close match; the name's own "stretch" outranks a group label
    stated = _stated_kind(section, kb)
    names_stretch = kb.names_a_stretch(section.name)
    named_kind = next((kind for kind, patterns in kb.lexicon["routine"]["kind_name_patterns"].items()
                       if any(re.search(p, section.name, re.I) for p in patterns)), None)
    if stated and stated != "static-stretch" and not names_stretch:
        return stated
    if stated == "static-stretch" and not named_kind and (entry is None or entry.kind == "strength"):
        return "static-stretch" if hold or not (repetitions or duration) else "dynamic-stretch"
    if named_kind and not (entry is not None and score >= 99):
        return named_kind
    if entry is not None:
        # the text outranks the entry on how a stretch is done: reps without a hold is dynamic
        if entry.kind == "static-stretch" and (repetitions or duration) and not hold:
            return "dynamic-stretch"
        if entry.kind == "dynamic-stretch" and hold and not (repetitions or duration):
            return "static-stretch"
        return entry.kind
    text = " ".join(s.text for s in sentences if s.role != OFF_TOPIC)
    name = section.name
    for kind, patterns in kb.lexicon["kind_patterns"].items():
        if any(re.search(p, name, re.I) for p in patterns):
            return kind
    if kb.names_a_stretch(name):
        return "static-stretch" if hold or not duration else "dynamic-stretch"
    for kind, patterns in kb.lexicon["kind_patterns"].items():
        if sum(1 for p in patterns if re.search(p, text, re.I)) and not hold:
            return kind
    if hold:
        return "static-stretch"
    if not section.item and not kb.looks_like_exercise(name) and not kb.names_a_stretch(text):
        # neither held, nor named as a stretch, nor said to stretch anything ("Knee Lifts: lift the
        # knee toward the shoulder, kick your heels back"): a move, not a stretch
        return "other"
    if duration or repetitions:
        return "dynamic-stretch"
    return "static-stretch"
