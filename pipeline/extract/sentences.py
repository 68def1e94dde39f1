"""What each sentence of a section is (step, aside, benefit, off-topic...) and what it says about
position and target areas. Works on spaCy Spans from the rule-based pipeline in `pipeline.nlp`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Span

from ..knowledge import Knowledge
from ..nlp import BODY_KEY, POSITIONS_KEY

STEP, ASIDE, BENEFIT, OFF_TOPIC, DESCRIPTION, TARGET_LINE = (
    "step", "aside", "benefit", "off_topic", "description", "target_line")


@dataclass
class PositionCue:
    label: str
    text: str
    start: bool  # instructs the starting position (vs. a later move or a mention)
    option_group: int | None = None  # cues joined by "or" share a group
    move: bool = False  # a later instruction into a new position ("..., then lie back")
    implied: bool = False  # a stance that suggests a position ("feet hip-width apart"), used last


@dataclass
class Sentence:
    text: str
    start: int  # character offsets in the cleaned document text
    end: int
    role: str
    main: int  # token index where the main clause starts
    positions: list[PositionCue] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    variant: int = 0  # 0 for the main text; 1, 2... after "Beginner:", "Advanced:" markers
    step_item: bool = False  # an item of a list of steps that has no verb ("Soles of feet together"): a step


@dataclass(frozen=True)
class Lexicon:
    verbs: frozenset[str]
    intro: frozenset[str]
    asides: tuple[re.Pattern, ...]
    benefits: tuple[re.Pattern, ...]
    off_topic: tuple[re.Pattern, ...]
    target_cues: frozenset[str]
    step_target_cues: frozenset[str]
    target_lead: re.Pattern  # "sink into the hip flexor", "breathe into your low back": the words just before a target
    target_line: re.Pattern
    clause_breaks: frozenset[str]
    start_words: frozenset[str]
    exit_cues: tuple[str, ...]
    not_reader: frozenset[str]
    comparisons: tuple[str, ...]
    transitions: frozenset[str]
    option_words: frozenset[str]  # "seated or standing": a choice, not two positions
    per_side: tuple[re.Pattern, ...]
    side_line: re.Pattern  # "Left leg: 30 s": a line for one side (a left and a right line: per side)
    variant: re.Pattern  # "Beginner:" opening a paragraph
    variant_heading: re.Pattern  # "Advanced variation" as a sub-heading
    variant_end: re.Pattern  # "In either version, ..."
    subheading_roles: tuple[tuple[str, re.Pattern], ...]  # "Muscles worked" -> target_line
    step_label: re.Pattern  # "How:" before a step
    position_label: re.Pattern  # "Type:", "Position:" before a stated position
    move_verbs: frozenset[str]  # "lie", "kneel"... that move the reader into the held position
    exit_particles: frozenset[str]  # "stand up": out of the position, not into one
    move_links: frozenset[str]  # "... and lie back": the word before a later instruction
    move_objects: frozenset[str]  # "sit your hips back": a body part moves, not the reader
    articles: frozenset[str]  # "the standing twist": a name, not an instruction
    position_nouns: frozenset[str]  # "the standing position": an instruction after all
    aside_target_cues: frozenset[str]  # in an aside, only "feel" names a target
    coordinators: frozenset[str]  # "hips and back", "chest, shoulders"
    before_stretch_noun: frozenset[str]  # "to stretch", "a stretch in": a purpose that names a target
    stretch_noun: str
    predicate_links: frozenset[str]  # "the hips and back open": words between a body part and its predicate
    limb_areas: frozenset[str]  # "stretch your arms overhead": limbs moved, not stretched
    modals: frozenset[str]  # "You can sit down and reach...": an instruction given as a choice
    body_determiners: frozenset[str]  # "your back": a body part, not a direction
    target_predicates: frozenset[str]  # "the hips open": a predicate after the body part
    predicates_any: frozenset[str]  # a verb that opens a new clause after a comma
    ambiguous_body_words: frozenset[str]  # "back", "side": a body part only in context
    list_note: re.Pattern  # "Tempo: 2 s up", "Purpose: ...": a list item that notes, not a step
    variant_words: frozenset[str]  # "version", "option": words a position subheading may add ("Seated version")
    exercise_words: frozenset[str]  # "stretch", "pose": a line that ends in one is a name
    terse: dict  # is_terse_step's words: body_words, placements, qualifiers, statement_words, max_words


@lru_cache(maxsize=4)
def lexicon_for(kb: Knowledge) -> Lexicon:
    lx, pos = kb.lexicon, kb.positions
    return Lexicon(
        verbs=frozenset(lx["instruction_verbs"]),
        intro=frozenset(lx["intro_adverbs"]),
        asides=tuple(re.compile(p, re.I) for p in lx["aside_patterns"]),
        benefits=tuple(re.compile(p, re.I) for p in lx["benefit_patterns"]),
        off_topic=tuple(re.compile(p, re.I) for p in lx["off_topic_patterns"]),
        target_cues=frozenset(lx["target_cues"]),
        step_target_cues=frozenset(lx["target_cues_in_steps"]),
        target_lead=re.compile(lx["target_lead_pattern"], re.I),
        target_line=re.compile(lx["target_line_pattern"], re.I),
        clause_breaks=frozenset(lx["clause_breaks"]),
        start_words=frozenset(pos["start_words"]),
        exit_cues=tuple(pos["exit_cues"]),
        not_reader=frozenset(pos["not_reader_cues"]),
        comparisons=tuple(pos["comparison_cues"]),
        transitions=frozenset(pos["transition_adverbs"]),
        option_words=frozenset(pos["option_cues"]),
        per_side=tuple(re.compile(p, re.I) for p in lx["per_side_patterns"]),
        side_line=re.compile(lx["side_line_pattern"], re.I),
        variant=re.compile(lx["variant_pattern"], re.I),
        variant_heading=re.compile(lx["variant_heading_pattern"], re.I),
        variant_end=re.compile(lx["variant_end_pattern"], re.I),
        subheading_roles=tuple((role, re.compile(p, re.I)) for role, p in lx["subheading_roles"].items()),
        step_label=re.compile(lx["step_label_pattern"], re.I),
        position_label=re.compile(
            r"^\W*(?:" + "|".join(re.escape(w) for w in sorted(pos["position_labels"], key=len, reverse=True))
            + r")\s{0,3}:", re.I),
        move_verbs=frozenset(pos["move_verbs"]),
        exit_particles=frozenset(pos["exit_particles"]),
        move_links=frozenset(pos["move_links"]),
        move_objects=frozenset(pos["move_objects"]),
        articles=frozenset(lx["sentence_words"]["articles"]),
        position_nouns=frozenset(lx["sentence_words"]["position_nouns"]),
        aside_target_cues=frozenset(lx["sentence_words"]["aside_target_cues"]),
        coordinators=frozenset(lx["sentence_words"]["coordinators"]),
        before_stretch_noun=frozenset(lx["sentence_words"]["before_stretch_noun"]),
        stretch_noun=lx["sentence_words"]["stretch_noun"],
        predicate_links=frozenset(lx["sentence_words"]["predicate_links"]),
        limb_areas=frozenset(lx["sentence_words"]["limb_areas"]),
        modals=frozenset(lx["sentence_words"]["modals"]),
        body_determiners=frozenset(lx["body_part_determiners"]),
        target_predicates=frozenset(lx["target_predicates"]),
        predicates_any=frozenset(lx["predicate_verbs"]) | frozenset(lx["instruction_verbs"]),
        ambiguous_body_words=frozenset(lx["ambiguous_body_words"]),
        list_note=re.compile(r"^\W{0,3}(?:" + "|".join(re.escape(w) for w in sorted(
            set(lx["field_labels"]) | set(lx["step_list"]["note_labels"]), key=len, reverse=True)) + r")\s{0,3}:", re.I),
        variant_words=frozenset(lx["step_list"]["position_label_words"]),
        exercise_words=frozenset(lx["exercise_words"]),
        terse={k: (v if k == "max_words" else frozenset(v)) for k, v in lx["terse_steps"].items() if k != "_about"},
    )


def _is_base_verb(token, lex: Lexicon) -> bool:
    return token.lemma_ in lex.verbs and token.lower_ == token.lemma_


def main_clause_start(sent: Span, lex: Lexicon) -> int | None:
    """Token index (within the sentence) where an imperative starts, or None.

    "Lie on your back" -> 0; "As you exhale, twist..." -> 4; "Gently tilt..." -> 1.
    """
    tokens = list(sent)
    # the sentence start, or just after an introductory clause ("As you exhale, ...", "Tip: ...")
    candidates = [0] + [i + 1 for i, t in enumerate(tokens[:25]) if t.text in {",", ":", ";", "—", "–"}]
    for i in candidates:
        # skip "slowly", "then", punctuation; an intro word that is itself a verb ("Begin by") stops the skip
        while i < len(tokens) and (tokens[i].lower_ in lex.intro or tokens[i].is_punct) \
                and not (tokens[i].lower_ in lex.verbs and i + 1 < len(tokens) and not tokens[i + 1].is_punct):
            i += 1
        if i + 2 < len(tokens) and tokens[i].lower_ == "you" and tokens[i + 1].lower_ in lex.modals:
            i += 2  # "You can sit down and reach for your heels": the instruction as a choice
        if i < len(tokens) and _is_base_verb(tokens[i], lex):
            return i
    return None


def classify(sent: Span, kb: Knowledge, lex: Lexicon, own_entry=None) -> tuple[str, int]:
    text = sent.text.strip()
    if lex.target_line.match(text):
        return TARGET_LINE, 0
    if text.endswith(":") and len(sent) <= 12:
        return DESCRIPTION, 0  # "To do this stretch:" introduces the steps; it is not one
    main = main_clause_start(sent, lex)
    # another exercise named outside an instruction ("you can add rows and pull-ups") is off-topic;
    # inside one ("step back into a deep lunge") it is part of the movement
    mentioned = main is None and any(e.kind == "strength" and e is not own_entry for e in kb.find_mentions(text))
    if any(p.search(text) for p in lex.off_topic) or mentioned:
        return OFF_TOPIC, 0
    clauses = re.split(r"[,;:]\s*", text)
    if any(p.search(c) for p in lex.asides for c in clauses):
        return ASIDE, main or 0
    if main is not None:
        return STEP, main
    if is_terse_step(text, lex):
        return STEP, 0
    if any(p.search(text) for p in lex.benefits):
        return BENEFIT, 0
    return DESCRIPTION, 0


def is_terse_step(text: str, lex: Lexicon) -> bool:
    """"Knees wide, hips back to heels", "Back leg straight", "Heel on the ground": an instruction
    written without its verb, as a body part and where it goes, in at least half of its clauses.
    A sentence with a verb of its own ("The hips are tight") is a statement, not a step."""
    t = lex.terse
    words = re.findall(r"[a-z]+|\d+", text.lower())
    if not words or len(words) > t["max_words"] or set(words) & t["statement_words"] \
            or words[-1] in lex.exercise_words:  # "Arms overhead stretch": a name
        return False
    clauses = [re.findall(r"[a-z]+|\d+", c.lower()) for c in re.split(r"[,;]|\band\b", text)]
    clauses = [c for c in clauses if c]
    placed = 0
    for c in clauses:
        i = 0
        while i < len(c) - 1 and c[i] in t["qualifiers"] and c[i + 1] not in t["placements"]:
            i += 1
        if c[i] in t["body_words"] and any(w in t["placements"] for w in c[i + 1:i + 4]):
            placed += 1
    return placed * 2 >= len(clauses)


def position_cues(sent: Span, role: str, main: int, lex: Lexicon) -> list[PositionCue]:
    """Position phrases that place the reader, each marked as a starting position or not."""
    low = sent.text.lower()
    if role in (OFF_TOPIC, TARGET_LINE):
        return []
    # "the way you would sit cross-legged": cues after a comparison do not place the reader
    compare_at = min((low.find(c) for c in lex.comparisons if c in low), default=len(low))
    cues: list[PositionCue] = []
    spans = sorted(sent.doc.spans[POSITIONS_KEY], key=lambda s: s.start)
    group = 0
    prev: Span | None = None
    for span in spans:
        if span.start < sent.start or span.end > sent.end:
            continue
        i = span.start - sent.start  # index within the sentence
        if span.start_char - sent.start_char >= compare_at:
            continue
        window = [t.lower_ for t in sent[max(0, i - 6):i]]
        if any(w in lex.not_reader for w in window):
            continue  # "have a friend standing behind you"
        clause = sent[max(0, i - 8):i].text.lower()
        if any(c in clause for c in lex.exit_cues):
            continue  # "come out of it by ... sitting back up"
        before = sent[i - 1].lower_ if i > 0 else ""
        if before in lex.articles and span.id_ != "implied" and span.end - sent.start < len(sent) \
                and not {t.lower_ for t in sent[span.end - sent.start:span.end - sent.start + 3]} & lex.position_nouns:
            continue  # "the standing twist": a name, not an instruction ("a seated, upright position" is one)
        if span.id_ == "implied":  # "feet hip-width apart": a hint, used only when nothing else says
            cues.append(PositionCue(span.label_, span.text, False, implied=True))
            prev = span
            continue
        label = lex.position_label.match(sent.text)
        # "Half-kneeling, tuck the pelvis": a position that opens the sentence, a prefix joined on
        opens = i <= 1 or bool(re.fullmatch(r"[\W\d]*(?:[A-Za-z]+-)?", sent.text[:span.start_char - sent.start_char]))
        is_start = (i == main and role == STEP) or (opens and role in (STEP, DESCRIPTION)) \
            or any(w in lex.start_words for w in window[-4:]) or window[-1:] == ["you"] \
            or bool(label and span.start_char - sent.start_char >= label.end())  # "Type: Standing"
        moved = False
        if is_start and any(t.lower_ in lex.transitions for t in sent[:i]) \
                and not any(w in lex.start_words for w in window[-4:]):
            is_start = False  # "Slowly lie down on your back": a move from the start, not a new start
            moved = True
        head = sent[i]
        after = sent.doc[span.end].lower_ if span.end < sent.end else ""
        # "..., then swing your legs up and lie back": a later instruction into the position held
        move = role == STEP and not is_start and head.lemma_ in lex.move_verbs and head.lower_ == head.lemma_ \
            and (moved or i == main or before in lex.move_links or before in lex.transitions) \
            and after not in lex.exit_particles and after not in lex.move_objects  # not "sit your hips back"
        if role == ASIDE and not is_start:
            continue
        between = set(sent.doc[prev.end:span.start].text.lower().split()) if prev is not None else set()
        in_group = bool(between & lex.option_words) \
            and span.start - prev.end <= 3
        if in_group:
            cues[-1].option_group = cues[-1].option_group or group + 1
            group = cues[-1].option_group
            cues.append(PositionCue(span.label_, span.text, cues[-1].start, group))
        else:
            cues.append(PositionCue(span.label_, span.text, is_start, move=move))
        prev = span
    if role == BENEFIT:  # "You can do this seated or standing, so it works at your desk": options only
        cues = [c for c in cues if c.option_group is not None]
    return cues


def target_areas(sent: Span, role: str, lex: Lexicon, kb: Knowledge) -> list[str]:
    """Body areas named as stretched or relieved ("stretch the hips", "tension in the lower back")."""
    if role == OFF_TOPIC:
        return []
    spans = [s for s in sent.doc.spans[BODY_KEY] if s.start >= sent.start and s.end <= sent.end]
    if role == TARGET_LINE:
        return _unique(s.label_ for s in spans)
    cues = {STEP: lex.step_target_cues, ASIDE: lex.aside_target_cues}.get(role, lex.target_cues)
    found: list[str] = []
    determiners, predicates = lex.body_determiners, lex.target_predicates
    predicates_any, ambiguous = lex.predicates_any, lex.ambiguous_body_words
    last_end: int | None = None
    for span in sorted(spans, key=lambda s: s.start):
        i = span.start - sent.start
        if span.text.lower() in ambiguous and (i == 0 or sent[i - 1].lower_ not in determiners) \
                and not _coordinated(sent, span, spans, lex):
            continue  # "pulled back", "lean to the side": a direction, not a body part
        if span.text.lower() in ambiguous and any(o.start == span.end for o in spans):
            continue  # "your back hip": the rear hip, not the back
        if _is_locator(sent, span, spans):
            continue  # "the hip flexor of the straight leg": the leg only says where
        window = []
        for t in reversed(sent[max(0, i - 12):i]):
            if t.lower_ in lex.clause_breaks or t.text in {";", "."}:
                break
            if t.text == "," and t.i + 1 < sent.end and (_is_base_verb(t.nbor(1), lex) or t.nbor(1).lemma_ in predicates_any):
                break  # ", press your left hip forward", ", massages the organs": a new clause begins
            window.append(t)
        # in a step, "to stretch your calves" / "a stretch in" name a target; "Stretch your arms" does not
        # in a step, a result clause ("..., opening the hips", "further stretching the quads") or a
        # purpose ("to stretch your calves", "a stretch in") names a target; "Stretch your arms" does not
        purpose = role == STEP and any(
            (t.lower_.endswith("ing") and t.lemma_ in lex.target_cues)
            or (t.lower_ == lex.stretch_noun and t.i > sent.start and t.nbor(-1).lower_ in lex.before_stretch_noun)
            for t in window)
        # "carefully stretch Achilles", "stretch your left hamstring": a muscle as the object of "stretch"
        # (a limb is only moved: "stretch your arms overhead")
        purpose = purpose or (role == STEP and span.label_ not in lex.limb_areas
                              and any(t.lower_ == lex.stretch_noun for t in window[:3]))
        chained = last_end is not None and all(
            t.lower_ in lex.coordinators or t.lower_ in determiners for t in sent.doc[last_end:span.start])
        led = bool(lex.target_lead.search(sent.doc[max(sent.start, span.start - 5):span.start].text_with_ws))
        if chained or purpose or led or any(t.lemma_ in cues or t.lower_ in cues for t in window) \
                or (role != STEP and _opens_after(sent, span, spans, predicates, lex)):
            last_end = span.end  # "the chest, shoulders, and upper, and lower back": the list goes on
            found.append(span.label_)
            # "the chest, shoulders, and upper, and lower back": "upper" borrows "back"
            found.extend(_ellipsis(sent, span, spans, kb))
    return _unique(found)


def _opens_after(sent: Span, span: Span, spans: list[Span], predicates: frozenset[str], lex: Lexicon) -> bool:
    """"the heart center, hips and back open", "the ribcage is open": the predicate follows."""
    starts = {s.start: s for s in spans}
    j = span.end
    while j < sent.end and j - span.end <= 6:
        tok = sent.doc[j]
        if tok.lemma_ in predicates:
            return True
        if j in starts:
            j = starts[j].end
            continue
        if tok.lower_ not in lex.predicate_links:
            return False
        j += 1
    return False


def _coordinated(sent: Span, span: Span, spans: list[Span], lex: Lexicon) -> bool:
    """"hips and back": a word like "back" joined to another body part is the body part."""
    j = span.start - 1
    if j <= sent.start or sent.doc[j].lower_ not in lex.coordinators:
        return False
    return any(other.end == j for other in spans)


def _is_locator(sent: Span, span: Span, spans: list[Span]) -> bool:
    """True for Y in "X of the (straight) Y" where X is itself a body part."""
    j = span.start - 1
    skipped = 0
    while j > sent.start and sent.doc[j].lower_ != "of" and skipped < 3:
        j -= 1
        skipped += 1
    if j <= sent.start or sent.doc[j].lower_ != "of":
        return False
    return any(other.end == j for other in spans)


def _ellipsis(sent: Span, span: Span, spans: list[Span], kb: Knowledge) -> list[str]:
    """'upper, and lower back' names the upper back too; a word that is itself part of another
    body part ("the upper back, hamstring and calf muscles": "back") lends nothing."""
    covered = {i for s in spans if s is not span for i in range(s.start, s.end)}
    words = [t.lower_ for t in sent.doc[max(sent.start, span.start - 4):span.start] if t.i not in covered]
    head = span.text.lower().split()[-1]
    out = []
    for w in words:
        area = kb.body_part(f"{w} {head}")
        if area and area != span.label_:
            out.append(area)
    return out


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def name_targets(name: str, kb: Knowledge) -> list[str]:
    """Body areas a name says it works on: "Rhomboid stretch" -> upper back, "Glutes and Back
    Stretch" -> glutes, back, "Neck rotation" -> neck, "Quads" -> quadriceps.

    A body part counts when it heads the exercise word (`name_target_heads`) or is the whole name;
    one that only says where something goes ("Knee to Chest", "Arm Across Chest") or how
    ("Straight leg calf stretch": the leg) does not. Parentheticals (Sanskrit names, dosages) are
    left out. Read by phrase lookup, without running the spaCy pipeline again.
    """
    lx = kb.lexicon
    heads, links = frozenset(lx["name_target_heads"]), frozenset(lx["name_target_links"])
    locators = frozenset(lx["name_locator_words"])
    text = re.sub(r"\([^)]*\)", " ", name.lower()).replace("-", " ")
    tokens = re.findall(r"[a-z]+(?:['’][a-z]+)*|[&/,+]", text)
    items: list[tuple[str, str]] = []  # ("part", area) | ("link", word) | ("word", word)
    i = 0
    while i < len(tokens):
        for n in range(min(4, len(tokens) - i), 0, -1):
            area = kb.body_part(" ".join(tokens[i:i + n]))
            if area:
                items.append(("part", area))
                i += n
                break
        else:
            items.append(("link" if tokens[i] in links else "word", tokens[i]))
            i += 1
    found: list[str] = []
    i = 0
    while i < len(items):
        if items[i][0] != "part":
            i += 1
            continue
        j = i  # a run of parts and links: "glutes and back", "straight leg calf"
        while j < len(items) and items[j][0] in ("part", "link"):
            j += 1
        before = items[i - 1][1] if i > 0 else None
        after = items[j][1] if j < len(items) else None
        whole = all(kind != "word" for kind, _ in items)
        # "Calf Wall Stretch", "Neck Side Stretch": one word of where or how between the part and the head
        then = items[j + 1][1] if j + 1 < len(items) else None
        modified = after in frozenset(lx["name_target_modifiers"]) and then in heads
        if (whole or after in heads or modified) and before not in locators:
            # coordinated parts all count; of parts side by side, the last is the one stretched
            chunk: list[str] = []
            for kind, value in items[i:j] + [("link", "")]:
                if kind == "part":
                    chunk.append(value)
                elif chunk:
                    found.append(chunk[-1])
                    chunk = []
        i = j
    return _unique(found)
