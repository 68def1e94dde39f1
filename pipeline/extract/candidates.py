"""Everything on a page that can open a record, each with the span of text it owns.

The sections the rules find (pipeline/extract/sections.py: numbered and exercise headings, bold
lead-in names, routine list items and table rows, unnamed instruction items, front-matter entries,
a library page's title) are candidates, whether or not the rules would keep them; beside them every
other heading below the title and every top-level list item whose name is shaped like an exercise's
name (a body part, an exercise word or a knowledge-base name). A page gives its stretches in one form
(headings of one level, the items of one list, a run of "Name – text" paragraphs, whether the rules
split them into headings or not): in a form most of whose members name exercises, a run-in name is a
candidate, a section ends where the next member begins ("Hamstring – ..." does not run on into
"Calves – ..."), and a routine's rule stated once for its members ("each of the stretches below for
10-20 seconds") holds for every member. Which of them are records is the decision of
pipeline/extract/model.py, over the features of pipeline/extract/features.py.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from ..clean.blocks import NUMBER_ONLY_TITLE
from ..clean.tree import continues_item
from ..knowledge import Knowledge, name_key
from ..records import Block
from .routines import as_heading, has_dosage, is_name_shaped, rest_block, routine_rules, split_item
from .sections import (_LEAD_IN, Section, _is_subheading, _is_variant, demote_instruction_lines, find_sections,
                       name_in_heading, split_lead_in_names)

ORIGINS = ("rule", "heading", "list_item")


@dataclass
class Candidate:
    section: Section
    origin: str  # "rule": a section the rules find; "heading" / "list_item": one they pass over
    index: int  # where its opening block sits among the page's blocks (-1 when it has none of its own)
    # the name of the detailed section below that this summary item repeats ("Hip flexor — half-kneel,
    # 2×30 s/side" at the top, "Half-kneel hip flexor" taught below): one record, the detailed one
    same_as: str | None = None


def _names_body_or_exercise(name: str, kb: Knowledge) -> bool:
    """"Calves", "Glute stretch", "Pigeon": an exercise word, a body part or a knowledge-base name."""
    if kb.looks_like_exercise(name):
        return True
    words = re.findall(r"[a-z]+", name.lower())
    return any(kb.body_part(w) for w in words) or any(kb.body_part(f"{a} {b}") for a, b in zip(words, words[1:]))


def _own_blocks(blocks: list[Block], i: int, kb: Knowledge) -> list[Block]:
    """The blocks a heading owns: up to the next heading at its level or above that is not one of
    its parts ("Movement:", "How to do it", "Beginner version" may sit a level above the name in a
    site's markup), as the rules' sections end (sections._headed_sections)."""
    out = []
    for b in blocks[i + 1:]:
        if b.kind == "heading" and b.level <= blocks[i].level \
                and not _is_subheading(b.text, kb) and not _is_variant(b.text, kb):
            break
        out.append(b)
    return out


def _sub_items(blocks: list[Block], i: int) -> list[Block]:
    out = []
    for b in blocks[i + 1:]:
        if continues_item(b, blocks[i]):  # the item's further paragraphs
            out.append(b)
            continue
        if b.kind != "list_item" or b.depth <= blocks[i].depth:
            break
        out.append(b)
    return out


def _item_name(b: Block, kb: Knowledge, shaped=None) -> tuple[str, str] | None:
    """A list item's or paragraph's name and the rest: "Pike 1 Min", "Shell stretch 20 second hold.",
    "Calves – Stand straight up...", "Roll down x 3. Last one: ...". `shaped` tests the name
    (is_name_shaped unless given)."""
    shaped = shaped or is_name_shaped
    if b.kind == "list_item":
        text = b.text.strip()
        short = text[:-1] if text.endswith(".") and len(text.split()) <= 8 else text
        item = split_item(short, kb)
        if shaped(item.name, kb) and (_names_body_or_exercise(item.name, kb) or has_dosage(short, kb)
                                      or shaped is not is_name_shaped):
            return item.name, item.rest
    m = _LEAD_IN.match(b.text.strip())
    if m is None or len(m.group("lead").split()) > 6 or len(m.group("rest").split()) < 2:
        return None
    if m.group("sep") == "." and b.kind != "list_item":
        return None  # a paragraph's first sentence is a sentence, not a name
    lead = m.group("lead").strip()
    return (lead, m.group("rest")) if shaped(lead, kb) else None


def _plain_name(name: str, kb: Knowledge) -> bool:
    """Short and no sentence: what a name needs when its form-mates are exercises. The words that make
    is_name_shaped refuse a name alone ("of", "with", a verb first: "Back of the Neck Stretch", "Cross
    body reach") are left to the decision; a group, tip or benefit heading still is none."""
    words = name.split()
    if not words or len(words) > routine_rules(kb).max_name_words or not re.search(r"[A-Za-z]", name):
        return False
    if re.search(r"[.!?;]\s|https?:|www\.", name) or re.search(r"[.!?]$", name) or NUMBER_ONLY_TITLE.match(name):
        return False
    return not any(re.search(p, name, re.I) for p in kb.lexicon["not_exercise_headings"])


def _form(b: Block) -> tuple:
    """The shape a block gives a name in: a heading of its level, an item of its list, or a run-in
    paragraph ("Calves – Stand...", split into a heading or not)."""
    if re.fullmatch(r"h[1-6]", b.tag or ""):
        return ("h", b.level)
    if b.kind == "list_item" or (b.kind == "heading" and b.group >= 0):
        return ("li", b.group, b.depth)
    return ("p", b.tag)


def _trimmed(section: Section, stops: dict[tuple, set[int]]) -> Section:
    """A section's body up to the next name of its own form ("Hamstring – ..." does not run on into
    "Calves – ...", a run-in its rules passed over)."""
    own = stops.get(_form(section.heading), set())
    for k, b in enumerate(section.body):
        if b.start in own and b.start != section.heading.start:
            return replace(section, body=section.body[:k])
    return section


def _form_rules(section: Section, mates: list[Section]) -> list[Block]:
    """The rules a routine states once ("each of the stretches below: 10-20 seconds") hold for every
    member of its form: those of the nearest form-mate the rules found, before the section, else after."""
    before = [s for s in mates if s.heading.start < section.heading.start]
    after = [s for s in mates if s.heading.start > section.heading.start]
    mate = before[-1] if before else (after[0] if after else None)
    return list(mate.shared) if mate is not None else []


def _name_words(text: str, kb: Knowledge) -> frozenset[str]:
    """The words that tell one stretch from another: no stop words, no "stretch"/"pose", no numbers,
    plurals as singulars ("Hamstrings" is "hamstring")."""
    skip = _skip_words(kb)
    words = (w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
             for w in re.findall(r"[a-z]+", name_key(text)))
    return frozenset(w for w in words if len(w) > 1 and w not in skip)


@lru_cache(maxsize=4)
def _skip_words(kb: Knowledge) -> frozenset[str]:
    return frozenset(STOP_WORDS) | frozenset(kb.lexicon["generic_name_words"]) | frozenset(kb.lexicon["stretch_name_words"])


def _mark_summaries(cands: list[Candidate], kb: Knowledge) -> None:
    """A list whose items come back, in order, as sections further down (a routine at the top, then
    one section per move) is a summary: each item is the same stretch as the section it repeats, in
    the same words or others ("Calf (gastroc) — wall, straight knee" then "Gastroc calf"): the same
    name, or every word of one name in the other's name or text and two of them shared, and the
    section says more than the item. Most of the list's items must come back, so a routine list that
    shares a body part with a later section ("Seated quad stretch", then a table's "Quad stretch") is
    no summary."""
    forms: dict[tuple, list[int]] = {}
    for k, c in enumerate(cands):
        form = _form(c.section.heading)
        if form[0] == "li":
            forms.setdefault(form, []).append(k)
    for members in forms.values():
        if len(members) < 3:
            continue
        last = cands[members[-1]].section.heading.start
        listed = set(members)
        later = [k for k, c in enumerate(cands) if c.section.heading.start > last and k not in listed]
        names = {k: _name_words(cands[k].section.name, kb) for k in later}
        sizes = {k: sum(len(b.text) for b in cands[k].section.body) for k in later}
        matched: list[tuple[int, int]] = []
        after = -1  # the sections come back in the list's order
        for m in members:
            item = cands[m].section
            own = _name_words(item.name, kb)
            told = own | _name_words(" ".join(b.text for b in item.body[:1]), kb)
            size = sum(len(b.text) for b in item.body)
            fits = [k for k in later if k > after and names[k] and own
                    and (names[k] == own or len(names[k] & told) >= 2 and (names[k] <= told or own <= names[k]))
                    and sizes[k] > size]
            if fits:
                best = max(fits, key=lambda k: (len(names[k] & told), -k))
                matched.append((m, best))
                after = best
        if len(matched) >= 3 and 3 * len(matched) >= 2 * len(members):
            for m, k in matched:
                cands[m].same_as = cands[k].section.name


def find_candidates(blocks: list[Block], kb: Knowledge, title: str | None = None) -> list[Candidate]:
    rule = find_sections(blocks, kb, title)
    taken = {s.heading.start for s in rule}

    rule_spans: dict[str, list[tuple[int, int]]] = {}  # by name: a page's many rule sections are not all read per block
    for s in rule:
        rule_spans.setdefault(name_key(s.name), []).append(s.span)

    def owned(start: int, name: str) -> bool:
        """A rule section already opened by this name ("Move 4" then a bold "Single-Leg Balance")."""
        return any(a <= start < b for a, b in rule_spans.get(name_key(name), ()))
    shaped = split_lead_in_names(demote_instruction_lines(blocks, kb), kb)
    title_key = (title or "").strip().lower()

    def opening(i: int, b: Block, test) -> tuple[str, list[Block], str] | None:
        """(name, body, origin) when block i can open a record whose name passes `test`."""
        if b.kind == "heading" and (b.level > 1 or b.text.strip().lower() != title_key):
            body = _own_blocks(shaped, i, kb)
            name = name_in_heading(b.text, kb) or b.text.strip()
            if not body or NUMBER_ONLY_TITLE.match(name) or not test(name, kb):
                return None
            return name, body, "heading"
        if (b.kind == "list_item" and b.depth == 0) or b.kind == "paragraph":
            named = _item_name(b, kb, test)
            if named is None or (b.kind == "paragraph" and not named[1].strip()):
                return None
            rest = rest_block(b, named[1])
            return named[0], ([rest] if rest is not None else []) + _sub_items(shaped, i), "list_item"
        return None

    def strict(name: str, kb: Knowledge) -> bool:
        return is_name_shaped(name, kb) and _names_body_or_exercise(name, kb)

    # every block that could name a stretch, by form, and how many of them name an exercise
    members: dict[tuple, int] = {}
    exercise_named: dict[tuple, int] = {}
    verb_first: dict[tuple, int] = {}
    verbs = set(kb.lexicon["instruction_verbs"])
    found: dict[int, tuple[str, list[Block], str, bool]] = {}
    rule_names = {s.heading.start: s.name for s in rule}
    for i, b in enumerate(shaped):
        if not b.text.strip():
            continue
        form = _form(b)
        if b.start in taken:
            name = rule_names[b.start]
        else:
            loose = opening(i, b, _plain_name)
            if loose is None:
                continue
            sure = opening(i, b, strict if b.kind == "heading" else is_name_shaped)
            found[i] = (*(sure or loose), sure is not None)
            name = loose[0]
        members[form] = members.get(form, 0) + 1
        exercise_named[form] = exercise_named.get(form, 0) + int(strict(name, kb))
        verb_first[form] = verb_first.get(form, 0) + int(name.split()[0].lower() in verbs)
    liked = {form for form, n in members.items() if _names_exercises(n, exercise_named[form], verb_first[form])}
    bare = _bare_headings(shaped, found, taken, title_key, kb)
    bare_liked = set()
    for form in {_form(shaped[i]) for i in bare}:
        names = [n for i, n in bare.items() if _form(shaped[i]) == form]
        if _names_exercises(members.get(form, 0) + len(names),
                            exercise_named.get(form, 0) + sum(strict(x, kb) for x in names),
                            verb_first.get(form, 0) + sum(x.split()[0].lower() in verbs for x in names)):
            bare_liked.add(form)
    stops = {form: {b.start for i, b in enumerate(shaped) if _form(b) == form and (i in found or b.start in taken)}
             for form in liked}
    # a run-in name in a paragraph ("Calves – Stand straight up") counts where the page repeats the shape
    run_ins = sum(1 for i, f in found.items() if shaped[i].kind == "paragraph" and f[3])
    out = [Candidate(_trimmed(s, stops), "rule", -1) for s in rule]
    rule_by_form: dict[tuple, list[Section]] = {}
    for s in rule:
        rule_by_form.setdefault(_form(s.heading), []).append(s)
    for i, (name, body, origin, sure_ok) in sorted(found.items()):
        b = shaped[i]
        if owned(b.start, name):
            continue
        if not sure_ok or (b.kind == "paragraph" and run_ins < 2 and _form(b) not in liked):
            continue  # counted in its form, not a candidate; a run-in counts where the page repeats the shape
        if origin == "heading":
            section = _trimmed(Section(b, None, name, body), stops)
        else:
            number = b.number if b.list_marker[:1].isdigit() else None
            section = Section(as_heading(b, name, 6), number, name, body, item=True)
        if _form(b) in liked:
            section.shared = _form_rules(section, rule_by_form.get(_form(b), []))
        out.append(Candidate(section, origin, i))
    for i, name in bare.items():
        if _form(shaped[i]) in bare_liked and strict(name, kb) and not owned(shaped[i].start, name):
            out.append(Candidate(Section(shaped[i], None, name, _told_before(shaped, i, name)), "heading", i))
    _share_like_rules(out, rule)
    out.sort(key=lambda c: (c.section.heading.start, ORIGINS.index(c.origin)))
    _mark_summaries(out, kb)
    return out


def _names_exercises(members: int, exercise_named: int, verb_first: int) -> bool:
    """A form most of whose members name exercises, and not a list of steps ("Lie on back", "Cross
    ankle over knee", "Hold 45 seconds") that names a body part here and there."""
    return exercise_named >= 2 and 2 * exercise_named >= members and 2 * verb_first < members


def _bare_headings(shaped: list[Block], found: dict, taken: set[int], title_key: str, kb: Knowledge) -> dict[int, str]:
    """Headings with nothing of their own below them ("Child's Pose" over only a photo), by block
    index, with the name each gives. They are counted apart from the forms above, so they neither end
    their neighbours' sections nor change which forms name exercises; among headings of stretches
    (with them counted) each is a candidate whose text is what the page said of it before."""
    out = {}
    for i, b in enumerate(shaped):
        if b.kind != "heading" or i in found or b.start in taken or not b.text.strip() \
                or (b.level == 1 and b.text.strip().lower() == title_key):
            continue
        name = name_in_heading(b.text, kb) or b.text.strip()
        if not NUMBER_ONLY_TITLE.match(name) and _plain_name(name, kb) and not _own_blocks(shaped, i, kb):
            out[i] = name
    return out


def _told_before(shaped: list[Block], i: int, name: str) -> list[Block]:
    """What the page says of a bare heading's stretch before it: the sentences of the paragraphs above
    that name it ("Seated Forward Fold helps stretch tight hamstrings" in an intro over the headings)."""
    key = f" {name_key(name)} "
    out = []
    for b in shaped[:i]:
        if b.kind != "paragraph":
            continue
        for m in re.finditer(r"[^.!?]+[.!?]*", b.text):
            if key in f" {name_key(m.group())} ":
                text = m.group().strip()
                start = b.start + m.start() + (len(m.group()) - len(m.group().lstrip()))
                out.append(replace(b, text=text, start=start, end=start + len(text)))
    return out


def _share_like_rules(out: list[Candidate], rule: list[Section]) -> None:
    """A candidate the rules passed over, in a run of names of one shape ("Calves – Stand...") after a
    section the rules found, shares what that section shares ("each of the stretches below for 10-20
    seconds"): the routine's rule covers the whole run, up to the next heading."""
    headings = sorted(c.section.heading.start for c in out if c.origin == "heading")
    ordered = sorted(rule, key=lambda s: s.heading.start)  # stable: sections opening at one place keep their order
    starts = [s.heading.start for s in ordered]
    for c in out:
        h = c.section.heading
        if c.origin == "rule" or c.section.shared:
            continue
        before = bisect.bisect_left(starts, h.start)  # the rules' sections opening before this candidate
        if before == 0:
            continue
        last = ordered[bisect.bisect_left(starts, starts[before - 1])]  # the latest to open, the first of a tie
        inside = bisect.bisect_right(headings, last.heading.start) < bisect.bisect_left(headings, h.start)
        if last.shared and (last.heading.tag, last.heading.group) == (h.tag, h.group) and not inside:
            c.section.shared = list(last.shared)
