"""Stage 3, extract: one record per exercise section of a cleaned article."""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from ..clean.blocks import NUMBER_ONLY_TITLE
from ..config import EXTRACT, ExtractConfig
from ..knowledge import ExerciseEntry, Knowledge, load_knowledge, name_key
from ..nlp import BODY_KEY, build_nlp, lemma
from ..quantities import find_breaths, find_frequency, find_phased_time, find_repetitions, find_times
from ..records import Article, ArticleSource, CleanDocument, Evidence, HoldTime, PositionMention, Quote, Source, Stretch
from .routines import group_kind
from .sections import Section, claimed_count, find_sections, find_summary_list
from .sentences import (ASIDE, BENEFIT, DESCRIPTION, OFF_TOPIC, STEP, PositionCue, Sentence, classify,
                        lexicon_for, name_targets, position_cues, target_areas)

__all__ = ["extract_article", "build_record"]


@lru_cache(maxsize=4)
def _restatement_rules(kb: Knowledge) -> tuple[frozenset[str], re.Pattern, re.Pattern]:
    """Words that say nothing about *which* action a step asks for, and the preface ("To do this,")
    and trailing aside (", allowing your hips to relax") that a restated step wraps itself in."""
    lx = kb.lexicon
    return (frozenset(STOP_WORDS) | frozenset(lx["restatement_ignore"]),
            re.compile(lx["preface_pattern"], re.I), re.compile(lx["participle_aside_pattern"], re.I))


def extract_article(doc: CleanDocument, kb: Knowledge | None = None,
                    config: ExtractConfig = EXTRACT) -> Article:
    kb = kb or load_knowledge()
    nlp = build_nlp(kb)
    sections = find_sections(doc.blocks, kb, doc.title)
    title = doc.title
    topic = _topic(title, nlp)
    built = [_build(s, doc, kb, config) for s in sections]
    records = [r for r, is_exercise in built if is_exercise]
    _targets_from_intro(records, doc, [s for s, (_, ok) in zip(sections, built) if ok], kb)
    return Article(
        source=ArticleSource(path=doc.source, title=title),
        title=title,
        topic=topic,
        claimed_count=claimed_count(title, doc.blocks, kb),
        summary_list=find_summary_list(doc.blocks, sections),
        records=records,
        removed=doc.removed,
        non_exercise_sections=[r.name for r, is_exercise in built if not is_exercise],
    )


# --- fields: targets stated once above the exercises
def _targets_from_intro(records: list[Stretch], doc: CleanDocument, sections: list[Section], kb: Knowledge) -> None:
    """A page about one exercise often states "Targets: hips, glutes" above the steps, as a line
    or as a two-cell table row ("Targets | Lower back, glutes"). It applies to the one record, or
    to records that are variants of one exercise ("Single Knee to Chest", "Double Knee to Chest"),
    when the text does not name their targets itself."""
    own = [r for r in records if r.targets_source != "text"]
    if not own or not sections or not (len(records) == 1 or _variants_of_one(own)):
        return
    lex, nlp = lexicon_for(kb), build_nlp(kb)
    first = min(s.heading.start for s in sections)
    before = [b for b in doc.blocks if b.end <= first]
    rows: dict[tuple[int, int], list[str]] = {}
    for b in before:
        if b.kind == "cell":
            rows.setdefault((b.group, b.row), []).append(b.text)
    lines = [b.text for b in before if b.kind != "cell"] + [": ".join(cells) for cells in rows.values() if len(cells) == 2]
    found: list[str] = []
    for line in (ln for ln in lines if lex.target_line.match(ln)):
        parsed = nlp(line)  # keep the Doc alive while its span group is read
        found.extend(span.label_ for span in parsed.spans[BODY_KEY])
    if found:
        for record in own:
            record.targets, record.targets_source = list(dict.fromkeys(found)), "text"


def _variants_of_one(records: list[Stretch]) -> bool:
    """"Single Knee to Chest" and "Double Knee to Chest": the names differ only in their first word."""
    rests = {" ".join(name_key(r.name).split()[1:]) for r in records}
    return len(records) > 1 and len(rests) == 1 and len(next(iter(rests)).split()) >= 2
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
    """The record, and whether the section is an exercise at all (extract's own decision)."""
    lex = lexicon_for(kb)
    entry, score = kb.match_exercise(section.name)
    sentences = read_sentences(section, kb, entry)
    if entry is None and NUMBER_ONLY_TITLE.match(section.name):
        # "Exercise 1" then "The cat-cow stretch warms up the spine...": the text names it
        entry = next((e for s in sentences[:2] for e in kb.find_mentions(s.text)), None)
    name, name_source = section.name, section.name_source
    if entry is None and re.match(kb.lexicon["routine"]["goal_heading_pattern"], section.name, re.I):
        # "3. LOOSEN THE CALVES AND ACHILLES" then "The wall calf stretch is...": the record is the
        # stretch the text names, not the goal the heading states
        entry = next((e for s in sentences[:3] for e in kb.find_mentions(s.text)), None)
        if entry is not None:
            name, name_source = entry.canonical_name, "derived"
    steps, repeats = choose_steps(sentences, section.name, kb, config)
    instruction = [s for s in sentences if s.role == STEP]
    usable = [s for s in sentences if s.role != OFF_TOPIC]

    position, options, starts, name_positions = _position(section.name, sentences, kb, entry, instruction)
    hold, duration = _hold_and_duration(instruction, usable, kb)
    breaths = next((b for s in instruction + usable if (b := find_breaths(s.text))), None)
    repetitions = next((r for s in instruction + usable if (r := find_repetitions(s.text))), None)
    frequency = next((f for s in usable if (f := find_frequency(s.text))), None)
    per_side = any(rx.search(s.text) for rx in lex.per_side for s in sentences if s.role in (STEP, ASIDE, DESCRIPTION))
    # --- fields: a hold, count or side stated only in the heading ("Calf stretch (30 s each side)")
    if hold is None and duration is None:
        hold = find_phased_time(section.name, kb)
    repetitions = repetitions or find_repetitions(section.name, kb)
    per_side = per_side or any(rx.search(section.name) for rx in lex.per_side)
    dosage = [s for s in sentences if _bare_dosage(s.text, kb)]  # "1 minute each leg" after a name
    if dosage and hold is None and duration is None:
        hold, duration = _hold_and_duration(dosage, dosage, kb, all_steps=True)
    per_side = per_side or any(rx.search(s.text) for rx in lex.per_side for s in dosage)
    if section.shared:  # the routine's or group's rule, for what the section does not state itself
        shared = read_sentences(Section(section.heading, None, section.name, section.shared), kb, entry)
        if hold is None and duration is None:
            hold, duration = _hold_and_duration(shared, shared, kb)
        repetitions = repetitions or next((r for s in shared if (r := find_repetitions(s.text))), None)
        per_side = per_side or any(rx.search(s.text) for rx in lex.per_side for s in shared)

    # --- fields: targets, the name's first ("Calf stretch"), then the text's
    # a short line shaped like a name ("Dynamic spine mobility", "Glute stretch") names targets the same way
    short = kb.lexicon["short_line_max_words"]
    line_targets = [t for s in sentences if s.role in (DESCRIPTION, BENEFIT) and len(s.text.split()) <= short
                    and ":" not in s.text for t in name_targets(s.text, kb)]  # not a label ("Category: ...")
    targets = _narrowest(list(dict.fromkeys(name_targets(section.name, kb) + [t for s in sentences for t in s.targets]
                                            + line_targets)), kb)
    note = _note_targets(section, kb)  # "Seated Twist (back + glute)": the note names the targets
    targets = list(dict.fromkeys(targets + note))
    targets_source = "text" if targets else None
    if not targets and entry and (entry.primary_targets or entry.secondary_targets):
        targets = list(dict.fromkeys(entry.primary_targets + entry.secondary_targets))
        targets_source = "knowledge_base"

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
        frequency=frequency,
        per_side=per_side,
        targets=targets,
        targets_source=targets_source,
        benefits=[s.text for s in sentences if s.role == BENEFIT],
        source=Source(path=doc.source, title=doc.title, span=section.span),
        name_source=name_source,
    )
    record.evidence = _evidence(section, sentences, starts, name_positions, repeats)
    return record, _is_exercise(record, sentences, kb, listed=section.item)


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
    sentences: list[Sentence] = []
    variant = 0
    # under "Muscles worked", "Tips", "Common Mistakes" the heading sets the role of what follows,
    # down through deeper headings ("Common Mistakes" > "Letting the hips tilt")
    roles: list[tuple[int, str | None]] = []
    for block, d in zip(body, nlp.pipe(b.text for b in body)):
        if block.kind == "heading":
            roles = [(lv, r) for lv, r in roles if lv < block.level]
            role = next((role for role, rx in lex.subheading_roles if rx.match(block.text.strip())), None)
            roles.append((block.level, role or (roles[-1][1] if roles else None)))
            if lex.variant_heading.match(block.text):
                variant += 1
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
            if forced_role and role != OFF_TOPIC:
                role = forced_role
            sentences.append(Sentence(
                sent.text.strip(), block.start + sent.start_char, block.start + sent.end_char, role, main,
                position_cues(sent, role, main, lex), target_areas(sent, role, lex, kb), variant))
    return sentences


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
        if s.role != STEP:
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


def _position(name: str, sentences: list[Sentence], kb: Knowledge, entry: ExerciseEntry | None,
              instruction: list[Sentence]
              ) -> tuple[str | None, list[str], list[tuple[PositionCue, Sentence]], list[str]]:
    """Starting position from what the reader is told; then the name; then a named base pose."""
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
    if held:
        position = held
    elif options:
        position = options[0]
    elif len(name_positions) == 1:
        position = name_positions[0]
    elif implied:  # "Feet hip-width apart, hands on hips": a stance, when nothing else says
        position = implied
    else:
        position = None
        for s in instruction:  # "In the child's pose position, walk your hands..."
            base = next((e for e in kb.find_mentions(s.text) if e.position and e is not entry), None)
            if base:
                position = base.position
                break
        if position is None and entry is not None:
            position = entry.position
    return position, options, starts, name_positions


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
    found: list[str] = []
    for b in section.body[:2]:
        parts = [p.strip() for p in re.split(r"\s*(?:[,+/&]|\band\b)\s*", b.text.strip(" ()")) if p.strip()]
        areas = [kb.body_part(p) for p in parts]
        if parts and all(areas):
            found.extend(a for a in areas if a)
    return list(dict.fromkeys(found))


def _bare_dosage(text: str, kb: Knowledge) -> bool:
    """A few words that only give a dosage ("1 minute each leg", "30 sec each", "10 reps")."""
    words = re.findall(r"[A-Za-z]+", text)
    return len(text.split()) <= kb.lexicon["routine"]["bare_dosage_max_words"] and bool(
        find_times(text) or find_repetitions(text)) and not any(w.lower() in kb.lexicon["instruction_verbs"]
                                                                for w in words[:1])


def _hold_and_duration(instruction: list[Sentence], usable: list[Sentence],
                       kb: Knowledge, all_steps: bool = False) -> tuple[HoldTime | None, HoldTime | None]:
    hold_verbs = set(kb.lexicon["hold_verbs"])
    movement = kb.lexicon["movement_cues"]
    hold = duration = None
    for s in instruction + [u for u in usable if u not in instruction]:
        times = find_times(s.text)
        if not times:
            continue
        low = s.text.lower()
        is_movement = any(c in low for c in movement)
        words = {lemma(w) for w in re.findall(r"[a-z]+", low)}
        if is_movement and duration is None:
            duration = times[0]
        elif not is_movement and hold is None and (words & hold_verbs or s.role == STEP or all_steps):
            hold = find_phased_time(s.text, kb)  # "10 s easy, then 20-30 s deeper": one hold, both phases
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
