"""Everything on a page that can open a record, each with the span of text it owns.

The sections the rules find (pipeline/extract/sections.py: numbered and exercise headings, bold
lead-in names, routine list items and table rows, unnamed instruction items, front-matter entries,
a library page's title) are candidates, whether or not the rules would keep them; beside them every
other heading below the title and every top-level list item whose name is shaped like an exercise's
name (a body part, an exercise word or a knowledge-base name). Which of them are records is the
decision of pipeline/extract/model.py, over the features of pipeline/extract/features.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..clean.blocks import NUMBER_ONLY_TITLE
from ..clean.tree import continues_item
from ..knowledge import Knowledge, name_key
from ..records import Block
from .routines import as_heading, has_dosage, is_name_shaped, rest_block, split_item
from .sections import (_LEAD_IN, Section, _is_subheading, _is_variant, demote_instruction_lines, find_sections,
                       name_in_heading, split_lead_in_names)

ORIGINS = ("rule", "heading", "list_item")


@dataclass
class Candidate:
    section: Section
    origin: str  # "rule": a section the rules find; "heading" / "list_item": one they pass over
    index: int  # where its opening block sits among the page's blocks (-1 when it has none of its own)


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


def _item_name(b: Block, kb: Knowledge) -> tuple[str, str] | None:
    """A list item's or paragraph's name and the rest: "Pike 1 Min", "Shell stretch 20 second hold.",
    "Calves – Stand straight up...", "Roll down x 3. Last one: ..."."""
    if b.kind == "list_item":
        text = b.text.strip()
        short = text[:-1] if text.endswith(".") and len(text.split()) <= 8 else text
        item = split_item(short, kb)
        if is_name_shaped(item.name, kb) and (_names_body_or_exercise(item.name, kb) or has_dosage(short, kb)):
            return item.name, item.rest
    m = _LEAD_IN.match(b.text.strip())
    if m is None or len(m.group("lead").split()) > 6 or len(m.group("rest").split()) < 2:
        return None
    if m.group("sep") == "." and b.kind != "list_item":
        return None  # a paragraph's first sentence is a sentence, not a name
    lead = m.group("lead").strip()
    return (lead, m.group("rest")) if is_name_shaped(lead, kb) else None


def find_candidates(blocks: list[Block], kb: Knowledge, title: str | None = None) -> list[Candidate]:
    rule = find_sections(blocks, kb, title)
    taken = {s.heading.start for s in rule}

    rule_spans: dict[str, list[tuple[int, int]]] = {}  # by name: a page's many rule sections are not all read per block
    for s in rule:
        rule_spans.setdefault(name_key(s.name), []).append(s.span)

    def owned(start: int, name: str) -> bool:
        """A rule section already opened by this name ("Move 4" then a bold "Single-Leg Balance")."""
        return any(a <= start < b for a, b in rule_spans.get(name_key(name), ()))
    out = [Candidate(s, "rule", -1) for s in rule]
    shaped = split_lead_in_names(demote_instruction_lines(blocks, kb), kb)
    title_key = (title or "").strip().lower()
    # a run-in name in a paragraph ("Calves – Stand straight up") counts where the page repeats the shape
    run_ins = {i for i, b in enumerate(shaped) if b.kind == "paragraph" and _item_name(b, kb) is not None}
    if len(run_ins) < 2:
        run_ins = set()
    for i, b in enumerate(shaped):
        if b.start in taken or not b.text.strip():
            continue
        if b.kind == "heading" and (b.level > 1 or b.text.strip().lower() != title_key):
            body = _own_blocks(shaped, i, kb)
            name = name_in_heading(b.text, kb) or b.text.strip()
            if not body or NUMBER_ONLY_TITLE.match(name) or not is_name_shaped(name, kb) \
                    or not _names_body_or_exercise(name, kb) or owned(b.start, name):
                continue
            out.append(Candidate(Section(b, None, name, body), "heading", i))
        elif (b.kind == "list_item" and b.depth == 0) or i in run_ins:
            named = _item_name(b, kb)
            if named is None:
                continue
            name, rest_text = named
            if owned(b.start, name):
                continue
            rest = rest_block(b, rest_text)
            body = ([rest] if rest is not None else []) + _sub_items(shaped, i)
            number = b.number if b.list_marker[:1].isdigit() else None
            out.append(Candidate(Section(as_heading(b, name, 6), number, name, body, item=True),
                                 "list_item", i))
    _share_like_rules(out, rule)
    return sorted(out, key=lambda c: (c.section.heading.start, ORIGINS.index(c.origin)))


def _share_like_rules(out: list[Candidate], rule: list[Section]) -> None:
    """A candidate the rules passed over, in a run of names of one shape ("Calves – Stand...") after a
    section the rules found, shares what that section shares ("each of the stretches below for 10-20
    seconds"): the routine's rule covers the whole run, up to the next heading."""
    headings = [c.section.heading.start for c in out if c.origin == "heading"]
    for c in out:
        h = c.section.heading
        prev = [s for s in rule if s.heading.start < h.start]
        if c.origin == "rule" or c.section.shared or not prev:
            continue
        last = max(prev, key=lambda s: s.heading.start)
        if last.shared and (last.heading.tag, last.heading.group) == (h.tag, h.group) \
                and not any(last.heading.start < x < h.start for x in headings):
            c.section.shared = list(last.shared)
