"""Find an article's exercise sections, its summary list and the count its title claims."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from ..config import EXTRACT
from ..clean.blocks import NUMBER_ONLY_TITLE
from ..clean.tree import continues_item
from ..knowledge import Knowledge, name_key
from ..quantities import find_times
from ..records import Block
from .routines import (as_heading, group_kind, has_dosage, introduces_mentions, is_name_shaped, is_shared_rule, name_item,
                       names_exercise, rest_block, routine_rules, split_item, split_several)


@dataclass
class Section:
    heading: Block
    number: int | None
    name: str
    body: list[Block] = field(default_factory=list)
    # rules the section shares with its routine or group ("hold each for 30 s, both sides",
    # "Upper body (2 minutes)"): data for what the section does not state itself
    shared: list[Block] = field(default_factory=list)
    name_source: str = "heading"  # "heading" (as the page names it) or "derived" (unnamed on the page)
    group_kind: str | None = None  # what the group or label above says its items are ("Strength:")
    item: bool = False  # one item of a routine given as a list or table (admitted by the list's rules)

    @property
    def span(self) -> tuple[int, int]:
        # a bare heading's text may be sentences from above it (candidates._told_before): never ends before it opens
        end = max(self.body[-1].end, self.heading.end) if self.body else self.heading.end
        return self.heading.start, end


def _marker_number(marker: str) -> int | None:
    m = re.search(r"\d+", marker)
    return int(m.group()) if m else None


def _is_instructional(blocks: list[Block], kb: Knowledge) -> bool:
    verbs = set(kb.lexicon["instruction_verbs"])
    for b in blocks[:4]:
        first = re.findall(r"[A-Za-z']+", b.text)[:1]
        if first and first[0].lower() in verbs:
            return True
        if re.search(r"\b(hold|repeat)\b[^.]{0,40}\b(seconds?|minutes?|times|breaths?)\b", b.text, re.I):
            return True
    return False


def _not_exercise(text: str, kb: Knowledge) -> bool:
    return any(re.search(p, text, re.I) for p in kb.lexicon["not_exercise_headings"])


def name_in_heading(text: str, kb: Knowledge) -> str | None:
    """"How to Do Pigeon Pose" -> "Pigeon Pose", when what it names is an exercise."""
    for pattern in kb.lexicon["name_in_heading_patterns"]:
        m = re.match(pattern, text.strip(), re.I)
        if m and kb.looks_like_exercise(m.group("name")):
            return m.group("name").strip()
    return None


def _is_subheading(text: str, kb: Knowledge) -> bool:
    """"How to do it", "Benefits", "Muscles worked": parts of the exercise above."""
    return bool(re.search(kb.lexicon["section_subheading_pattern"], text.strip(), re.I))


def _is_variant(text: str, kb: Knowledge) -> bool:
    """"Beginner version", "Advanced variation": part of the exercise above, not a new one."""
    return bool(re.search(kb.lexicon["variant_heading_pattern"], text, re.I))


def _lead_in_sentence(b: Block) -> bool:
    """A heading-styled sentence that introduces the steps ("To stretch the muscles of your chest:",
    "You can also stretch your neck by turning your head:"): a sentence ending in a colon. Or a
    short unpunctuated line of instructions set as a heading ("Feet straight ahead, shoulders width
    apart, hands on hips"): a name has no run of clauses."""
    words = b.text.split()
    lowered = [w.lower().strip(",") for w in words]
    commas = b.text.count(",")
    if not b.list_marker and (commas >= 2 or (commas == 1 and len(words) >= 6)):
        return True
    return b.text.rstrip().endswith(":") and len(words) >= 5 and (
        "your" in lowered or "you" in lowered or lowered[0] == "to")


def demote_instruction_lines(blocks: list[Block], kb: Knowledge) -> list[Block]:
    """An unpunctuated line that reads as an instruction ("Kneel down with the hands together",
    "2. Tilt your ear toward your shoulder") is a step, not a heading; exercise names that start
    with a verb ("Hug Knees To Chest", "3. Reach and Twist") stay headings. A heading-styled
    lead-in sentence ("To loosen your chest:") and a bare link ("https://youtu.be/...") are text, not names."""
    verbs = set(kb.lexicon["instruction_verbs"])
    out = []
    for b in blocks:
        words = b.text.split()
        lowered = [w.lower() for w in words]
        if b.kind == "heading" and (re.match(r"(https?://|www\.)\S+", b.text) or b.level > 1 and _lead_in_sentence(b)):
            out.append(replace(b, kind="paragraph", level=0))
            continue
        titled = sum(1 for w in words if w[:1].isupper()) * 2 > len(words)
        goal = titled and re.match(kb.lexicon["routine"]["goal_heading_pattern"], b.text, re.I)
        if b.kind == "heading" and b.level > 1 and words and lowered[0] in verbs and not goal:
            sentence_like = len(words) >= 6 or "your" in lowered
            if not b.list_marker and sentence_like:
                b = replace(b, kind="paragraph", level=0)
            elif b.list_marker[:1].isdigit() and (sentence_like or (
                    not kb.looks_like_exercise(b.text) and kb.match_exercise(b.text)[0] is None)):
                b = replace(b, kind="list_item", level=0)  # a numbered step
        out.append(b)
    return out


_LEAD_IN = re.compile(r"^(?P<lead>[A-Z][^:.–—]{1,60}?)\s*(?P<sep>:|\.|\s[–—-])\s+(?P<rest>\S.*)$")


def _lead_in(block: Block, kb: Knowledge) -> re.Match | None:
    """"Cobra Pose: Lie face down..." opens with the exercise's name."""
    if block.kind not in ("paragraph", "list_item"):
        return None
    m = _LEAD_IN.match(block.text)
    if not m or len(m.group("lead").split()) > 6 or len(m.group("rest").split()) < 4:
        return None
    lead = m.group("lead")
    if _not_exercise(lead, kb):
        return None
    linked = kb.match_exercise(lead)[0] is not None
    if m.group("sep") == ".":  # "Stretch slowly. Then..." is an instruction: a full stop needs a known name
        return m if linked else None
    return m if linked or kb.looks_like_exercise(lead) else None


def split_lead_in_names(blocks: list[Block], kb: Knowledge) -> list[Block]:
    """Listicles that name each exercise as a bold lead-in get a heading per exercise, when at
    least two blocks follow the pattern (one alone is just a sentence that starts with a name)."""
    matches = {i: m for i, b in enumerate(blocks) if (m := _lead_in(b, kb))}
    if len(matches) < 2:
        return blocks
    # a list treats its items alike: once two items open with a name, every item of that list
    # that opens with an exercise's name does ("Seated pigeon - Glute stretch" beside longer ones)
    for run in _list_runs(blocks):
        if sum(1 for i in run if i in matches) >= 2:
            for i in run:
                m = _LEAD_IN.match(blocks[i].text)
                if i not in matches and m and m.group("sep") != "." and is_name_shaped(m.group("lead"), kb):
                    matches[i] = m
    out: list[Block] = []
    for i, b in enumerate(blocks):
        m = matches.get(i)
        if m is None:
            out.append(b)
            continue
        marker = b.list_marker if b.list_marker[:1].isdigit() else ""
        lead = m.group("lead").strip()
        out.append(replace(b, text=lead, kind="heading", level=5, list_marker=marker,
                           start=b.start, end=b.start + len(lead)))
        rest_at = m.start("rest")
        out.append(replace(b, text=m.group("rest"), kind="paragraph", level=0, list_marker="",
                           start=b.start + rest_at, end=b.end))
    return out


def find_sections(blocks: list[Block], kb: Knowledge, title: str | None = None) -> list[Section]:
    """Numbered headings in sequence (1, 2, 3...) win; otherwise the heading level whose
    headings name exercises or open instructions. Then the routines given as lists (one
    section per item), and the rules each section shares with its routine or group. A page
    with none of these whose title names an exercise is that one exercise."""
    listed = {b.start for b in blocks if b.kind == "list_item"}
    blocks = split_lead_in_names(demote_instruction_lines(blocks, kb), kb)
    sections = _headed_sections(blocks, kb)
    for s in sections:  # "1. **Deep lunge stretch** - 1 minute each leg": a routine's list item
        s.item = s.item or s.heading.start in listed
    sections = _with_list_items(blocks, sections, kb)
    sections = _with_table_rows(blocks, sections, kb)
    if not sections and title:
        sections = _title_section(blocks, title, kb)
    _attach_shared_rules(blocks, sections, kb)
    return sections


def _title_section(blocks: list[Block], title: str, kb: Knowledge) -> list[Section]:
    """An exercise-library page ("Runners Stretch", then "How to perform" and numbered steps): the
    title names the exercise and the page is its section, without the parts that are about
    something else (FAQ, related exercises), which keep the roles their headings give."""
    name = re.split(r"\s+[|–—:]\s+|\s+-\s+", title.strip())[0].strip()
    if not names_exercise(name, kb) or _is_group_name(name, kb):
        return []
    body: list[Block] = []
    skip_level = 0
    for b in blocks:
        if b.kind == "heading":
            if skip_level and b.level > skip_level:
                continue
            skip_level = 0
            if _not_exercise(b.text, kb) and not _is_subheading(b.text, kb):
                skip_level = b.level
                continue
        elif skip_level:
            continue
        body.append(b)
    if not body:
        return []
    start = body[0].start
    heading = Block(name, "heading", level=1, start=start, end=start)
    return [Section(heading, None, name, body)]


def _headed_sections(blocks: list[Block], kb: Knowledge) -> list[Section]:
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level > 1]
    # numbered headings under "Common Mistakes" or "FAQ" are not exercises, whatever their number
    chosen = _numbered_run(blocks, [i for i in headings if not _under_not_exercise(blocks, i, kb)])
    dosed: set[int] = set()
    if not chosen:
        chosen = _exercise_headings(blocks, headings, kb)
        dosed = set(_dosed_siblings(chosen, blocks, headings, kb))
        chosen = sorted(set(chosen) | dosed)
    else:  # a routine given twice, numbered once and headed once: the headed part counts too
        chosen = sorted(set(chosen) | set(_outside_numbered(chosen, blocks, headings, kb)))
    sections = []
    chosen_set = set(chosen)
    for pos, i in enumerate(chosen):
        head = blocks[i]
        nxt = chosen[pos + 1] if pos + 1 < len(chosen) else len(blocks)
        body = []
        for k in range(i + 1, nxt):
            b = blocks[k]
            if b.kind == "heading" and k not in chosen_set and not _is_variant(b.text, kb) \
                    and not _is_subheading(b.text, kb) and (
                    b.level <= head.level and not b.list_marker or _not_exercise(b.text, kb)):
                break  # "Why stretching helps", "Related posts": the section ends here
            body.append(b)
        number_only = NUMBER_ONLY_TITLE.match(head.text)
        number = _marker_number(head.list_marker) if head.list_marker else \
            _marker_number(head.text) if number_only else None
        name = name_in_heading(head.text, kb) or head.text
        if number_only and body and body[0].kind == "heading":
            name = body[0].text  # "Move 3" then a bold "Pigeon Pose" line: the line is the name
            body = body[1:]
        sections.append(Section(head, number, name, body, item=i in dosed))
    return sections


def _parent_index(blocks: list[Block], i: int) -> int:
    """The index of the heading a heading sits under (-1 for none)."""
    return _headings(blocks).before(i, blocks[i].level)


def _dosed_siblings(chosen: list[int], blocks: list[Block], headings: list[int], kb: Knowledge) -> list[int]:
    """A routine's entries look alike ("Reach to the Sky" / "Duration: 45" beside "Shoulder Stretch" /
    "Duration: 45"): a heading at the level of two chosen siblings under the same parent, whose
    own text gives a dosage, is an entry too, even when its name alone does not say exercise."""
    count: dict[tuple[int, int], int] = {}
    chosen_set = set(chosen)
    for i in chosen:
        key = (_parent_index(blocks, i), blocks[i].level)
        count[key] = count.get(key, 0) + 1
    out = []
    for i in headings:
        named = blocks[i].tag == "front_matter" or is_name_shaped(blocks[i].text, kb)  # a data file's "name:"
        if i in chosen_set or count.get((_parent_index(blocks, i), blocks[i].level), 0) < 2 or not named \
                or _not_exercise(blocks[i].text, kb) or _is_subheading(blocks[i].text, kb):
            continue
        own = []
        for b in blocks[i + 1:]:
            if b.kind == "heading":
                break
            own.append(b)
        bare = kb.lexicon["routine"]["bare_dosage_max_words"]
        if any(has_dosage(b.text, kb) and (b.kind == "field" or len(b.text.split()) <= bare) for b in own):
            out.append(i)
    return out


def _under_not_exercise(blocks: list[Block], i: int, kb: Knowledge) -> bool:
    parent = _heading_before(blocks, i, blocks[i].level)
    return parent is not None and parent.level > 1 and _not_exercise(parent.text, kb) \
        and not name_in_heading(parent.text, kb)


def _outside_numbered(chosen: list[int], blocks: list[Block], headings: list[int], kb: Knowledge) -> list[int]:
    """Exercise headings that sit under another parent heading than every numbered one (a
    "Full version" beside a numbered "Quick version") and name a linked exercise with a dosage."""
    numbered_parents = {_parent_index(blocks, i) for i in chosen}
    chosen_set = set(chosen)
    out = []
    for i in _exercise_headings(blocks, headings, kb):
        b = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        dosage = has_dosage(split_item(b.text, kb).rest, kb) or (nxt is not None and has_dosage(nxt.text, kb))
        if _parent_index(blocks, i) in numbered_parents or _parent_index(blocks, i) in chosen_set or b.list_marker or not dosage:
            continue
        out.append(i)
    return out


def _numbered_run(blocks: list[Block], headings: list[int]) -> list[int]:
    """Headings numbered 1, 2, 3... in order. An article may hold several such lists ("Beginner
    routine" 1-5, "Advanced routine" 1-4): every run of two or more at the level of the longest
    run is kept."""
    runs: list[list[int]] = []
    run: list[int] = []
    expected = 1
    for i in headings:
        b = blocks[i]
        n = _marker_number(b.list_marker) if b.list_marker else None
        if n is None:
            m = NUMBER_ONLY_TITLE.match(b.text)
            n = int(m.group(1)) if m else None
        if n is None:
            continue
        if n == expected:
            run.append(i)
            expected += 1
        elif n == 1:
            runs.append(run)
            run, expected = [i], 2
    runs.append(run)
    runs = [r for r in runs if len(r) >= 2]
    if not runs:
        return []
    level = blocks[max(runs, key=len)[0]].level
    return sorted(i for r in runs if blocks[r[0]].level == level for i in r)


def _exercise_headings(blocks: list[Block], headings: list[int], kb: Knowledge) -> list[int]:
    by_level: dict[int, list[int]] = {}
    parents: dict[int, Block] = {}  # the latest heading at each level, to know what a heading sits under
    for i in headings:
        b = blocks[i]
        parents = {lv: h for lv, h in parents.items() if lv < b.level}
        parent = parents[max(parents)] if parents else None
        parents[b.level] = b
        named = name_in_heading(b.text, kb)
        if not named and (_not_exercise(b.text, kb) or _is_variant(b.text, kb) or _is_subheading(b.text, kb)):
            continue
        if parent is not None and parent.level > 1 and not name_in_heading(parent.text, kb) and (
                _not_exercise(parent.text, kb) or _is_subheading(parent.text, kb)) \
                and (kb.match_exercise(b.text)[1] < 100 or _is_variant(parent.text, kb)):
            continue  # "Letting the hips tilt" under "Common Mistakes" is a mistake; "Knee Circles" under "Variations" a variant
        following = []
        for k in range(i + 1, len(blocks)):
            if blocks[k].kind == "heading" and blocks[k].level <= b.level:
                break
            following.append(blocks[k])
        if not following:
            continue
        if named or kb.looks_like_exercise(b.text) or _is_instructional(following, kb):
            by_level.setdefault(b.level, []).append(i)
    # Pages mix levels ("## Cat-Cow" then a bold "Sphinx Pose" line): every qualifying heading counts,
    # except a group heading ("Hip Stretches") whose scope holds deeper exercise headings.
    chosen = sorted(i for found in by_level.values() for i in found)
    chosen_set = set(chosen)
    return [i for i in chosen if not _groups_others(i, chosen_set, blocks, kb)]


def _groups_others(i: int, chosen: set[int], blocks: list[Block], kb: Knowledge) -> bool:
    """A heading with deeper exercise headings in its scope and no instructions of its own."""
    level = blocks[i].level
    own: list[Block] = []
    for k in range(i + 1, len(blocks)):
        b = blocks[k]
        if b.kind == "heading" and b.level <= level:
            return False
        if k in chosen and b.level > level:
            return not _is_instructional(own, kb)
        own.append(b)
    return False


def _list_runs(blocks: list[Block]) -> list[list[int]]:
    """Each top-level list's items, in order: the items of one list (`group`), or consecutive
    list items where the page gives no lists. Sub-list items are notes of the item above them."""
    runs: list[list[int]] = []
    by_group: dict[int, list[int]] = {}
    run: list[int] = []
    for i, b in enumerate(blocks):
        if b.kind == "list_item" and b.depth > 0:
            continue
        if b.kind == "list_item" and b.group != -1:
            if b.group not in by_group:
                by_group[b.group] = []
                runs.append(by_group[b.group])
            by_group[b.group].append(i)
        elif b.kind == "list_item":
            run.append(i)
            continue
        if run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return sorted(runs, key=lambda r: r[0])


def _bare_word_runs(blocks: list[Block], sections: list[Section], kb: Knowledge) -> list[tuple[list[int], Block]]:
    """"10. Leg stretches" over the lines "calf", "groin", "hamstring", "other side": a group
    heading's body of one- to three-word lines is a list, however the page marks it up."""
    at = {id(b): i for i, b in enumerate(blocks)}
    runs = []
    for s in sections:
        if not _is_group_name(s.name, kb):
            continue
        # the first run of adjacent short lines right under the heading (or its one-line lead-in)
        run: list[int] = []
        for k, b in enumerate(s.body):
            short = (id(b) in at and b.kind in ("heading", "paragraph") and not b.list_marker
                     and 1 <= len(b.text.split()) <= 3 and not re.search(r"[.!?:;,]$", b.text.strip()))
            if short:
                run.append(at[id(b)])
            elif run or k > 0:
                break
        if len(run) >= 2:
            runs.append((run, s.heading))
    return runs


def _sub_items(blocks: list[Block], i: int) -> list[Block]:
    """The sub-list items under list item i ("- Back knee down, sink into the hip flexor") and the
    item's further paragraphs (a loose list's item spans several)."""
    out = []
    for b in blocks[i + 1:]:
        if continues_item(b, blocks[i]):
            out.append(b)
            continue
        if b.kind != "list_item" or b.depth <= blocks[i].depth:
            break
        out.append(replace(b, kind="paragraph", list_marker=""))
    return out


def _heading_before(blocks: list[Block], i: int, below_level: int = 7) -> Block | None:
    k = _headings(blocks).before(i, below_level)
    return blocks[k] if k >= 0 else None


class _Headings:
    """The headings above every position of a block list, from one pass, so that "the nearest
    heading before block i above level L" costs the depth of the outline, not the blocks before i.

    Before each position it keeps the open outline: the headings whose levels rise from the
    top (each the latest of its level or above); the nearest heading above a level is the
    innermost of them above it, since every later heading that closed an outer one is at its
    level or deeper."""

    def __init__(self, blocks: list[Block]):
        self.blocks = blocks
        self.size = len(blocks)
        self.open: list[tuple[int, ...]] = []
        outline: list[int] = []
        for i, b in enumerate(blocks):
            self.open.append(tuple(outline))
            if b.kind == "heading":
                while outline and blocks[outline[-1]].level >= b.level:
                    outline.pop()
                outline.append(i)
        self.open.append(tuple(outline))  # after the last block

    def before(self, i: int, below_level: int = 7) -> int:
        """The index of the nearest heading before position i whose level is under below_level, or -1."""
        for k in reversed(self.open[min(i, self.size)]):
            if self.blocks[k].level < below_level:
                return k
        return -1


_outline: list = [None]  # the last block list's _Headings: find_sections asks about one list many times


def _headings(blocks: list[Block]) -> _Headings:
    index = _outline[0]
    if index is None or index.blocks is not blocks or index.size != len(blocks):
        index = _outline[0] = _Headings(blocks)
    return index


class _Owners:
    """`_owner` for many blocks against one list of sections: the first section (in list order)
    with a body whose text holds the block, found by bisection when the list is in page order."""

    def __init__(self, sections: list[Section]):
        self.sections = sections
        self.with_body = [s for s in sections if s.body]
        self.starts = [s.heading.start for s in self.with_body]
        self.ordered = all(a <= b for a, b in zip(self.starts, self.starts[1:]))
        self.reach: list[int] = []  # the furthest end of any section up to each one (non-decreasing)
        for s in self.with_body:
            self.reach.append(max(self.reach[-1], s.span[1]) if self.reach else s.span[1])

    def __call__(self, block: Block) -> Section | None:
        if not self.ordered:
            return _owner(self.sections, block)
        # the sections that start at or before the block are a prefix; the first of them that
        # reaches past the block's end is the first where the running furthest end does
        opened = bisect_right(self.starts, block.start)
        k = bisect_left(self.reach, block.end, 0, opened)
        return self.with_body[k] if k < opened else None


def _owner(sections: list[Section], block: Block) -> Section | None:
    """The headed section whose text holds the block."""
    for s in sections:
        if s.body and s.heading.start <= block.start and block.end <= s.span[1]:
            return s
    return None


def _is_group_name(name: str, kb: Knowledge) -> bool:
    """"Stretch routine", "Lower Body Stretches", "Stretch Sequence:", "Bonus:": a name for several
    (a label ending in a colon names what the list under it holds)."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    totals = kb.lexicon["routine"]["group_total_words"]
    return (bool(words & set(kb.lexicon["category_name_words"])) or not kb.looks_like_exercise(name)
            or name.rstrip().endswith(":")
            or any(re.search(rf"\b{re.escape(w)}\b", name, re.I) for w in totals))


def _marker_of(block: Block) -> int | None:
    return _marker_number(block.list_marker) if block.list_marker[:1].isdigit() else None


def _with_list_items(blocks: list[Block], sections: list[Section], kb: Knowledge) -> list[Section]:
    """Routines given as lists: every item that names an exercise becomes a section ("Groin
    stretch", "Quad stretch - 30 sec each", "Hip flexor, hamstring and calf stretching" -> three);
    a numbered list whose items each carry their own hold ("3. Hold for 20 seconds") is a list of
    unnamed exercises. The headed section that only groups such items is not an exercise itself.
    Lists that name exercises in passing ("Pairs well with:", "Related", "Stretches to avoid"), lists
    inside an exercise's own section and summary lists of the headed sections stay as they are."""
    rules = routine_rules(kb)
    headed = [name_key(s.name) for s in sections]
    added: list[Section] = []
    groups: set[int] = set()
    runs = [(run, None) for run in _list_runs(blocks)] + _bare_word_runs(blocks, sections, kb)
    owner_of = _Owners(sections)
    for run, group_heading in runs:
        first = blocks[run[0]]
        heading = group_heading or _heading_before(blocks, run[0])
        intro = blocks[run[0] - 1] if run[0] > 0 and blocks[run[0] - 1].kind == "paragraph" else None
        if any(b is not None and introduces_mentions(b, kb) for b in (heading, intro)):
            continue
        if heading is not None and _not_exercise(heading.text, kb):
            continue
        owner = owner_of(first)
        if owner is not None and not _is_group_name(owner.name, kb):
            continue  # an exercise's own list: its steps, or what it mentions
        if heading is not None and not _is_group_name(split_item(heading.text, kb).name, kb):
            continue  # under an exercise's heading ("Deep lunge stretch"): its notes, not new exercises
        kind = group_kind(heading.text, kb) if heading is not None else None
        in_routine = kind == "static-stretch"
        items = [(i, name_item(blocks[i].text, kb, in_routine)) for i in run]
        side_at = {i for i in run if rules.side_word.fullmatch(blocks[i].text.strip(" .:"))}
        sides = [replace(blocks[i], kind="paragraph", level=0) for i in sorted(side_at)]
        items = [(i, item) for i, item in items if item and i not in side_at]
        strong = sum(1 for _, item in items if names_exercise(item.name, kb))
        if owner is not None and owner.heading.text.rstrip().endswith(":") and owner.body \
                and owner.body[0] is first:
            groups.add(id(owner))  # "Bonus:" over a list: a label for the list, not an exercise
        if not items or len(items) * 3 < len(run) - len(sides) or (strong < 2 and not in_routine):
            added.extend(_unnamed_items(blocks, run, kb) if owner is None else [])
            continue
        if sum(1 for _, item in items if any(fuzz.token_sort_ratio(name_key(item.name), h) >= EXTRACT.list_match_score
                                             for h in headed)) * 2 >= len(items):
            continue  # the summary list of the headed sections
        for i, item in items:
            block = blocks[i]
            rest = rest_block(block, item.rest)
            body = ([rest] if rest is not None else []) + _sub_items(blocks, i)
            for name in split_several(item.name, kb):
                added.append(Section(as_heading(block, name, 6), _marker_of(block), name,
                                     list(body), list(sides), group_kind=kind, item=True))
        if owner is not None:
            groups.add(id(owner))
    kept = [s for s in sections if id(s) not in groups]
    return sorted(kept + added, key=lambda s: s.heading.start)


_NUMBERED_CELL = re.compile(r"^\s*(\d{1,3})[.)]\s+(\S.*)$")


def _tables(blocks: list[Block]) -> list[list[list[int]]]:
    """Each table's rows, as lists of cell indices, in reading order."""
    tables: dict[int, dict[int, list[int]]] = {}
    for i, b in enumerate(blocks):
        if b.kind == "cell":
            tables.setdefault(b.group, {}).setdefault(b.row, []).append(i)
    return [[rows[r] for r in sorted(rows)] for rows in tables.values()]


_ORDER_CELL = re.compile(r"^\s*#?\d{1,3}[.)]?\s*$")


def _order_columns(blocks: list[Block], rows: list[list[int]]) -> int:
    """How many leading columns only number the rows ("| # | Stretch | Time |" with 1, 2, 3 under
    "#"): the exercise's name is in the column after them, never a bare row number."""
    width = min((len(r) for r in rows), default=0)
    skip = 0
    while skip < width - 1 and all(_ORDER_CELL.match(blocks[r[skip]].text) for r in rows):
        skip += 1
    return skip


def _with_table_rows(blocks: list[Block], sections: list[Section], kb: Knowledge) -> list[Section]:
    """Routines given as tables: a row per exercise ("Pigeon | each side | 5 min per side") is a
    section named by its first cell, the other cells its dosage (under their column's header,
    "Hold: 30 s"); a grid of numbered cells that each give only a dosage ("4. Hold for 20
    seconds") is a routine of unnamed exercises. The label over the table ("Strength:",
    "Stretches:") says what its rows are; overview tables of the headed sections are left alone."""
    headed = [name_key(s.name) for s in sections]
    added: list[Section] = []
    groups: set[int] = set()
    owner_of = _Owners(sections)
    for rows in _tables(blocks):
        first = blocks[rows[0][0]]
        heading = _heading_before(blocks, rows[0][0])
        if heading is not None and (introduces_mentions(heading, kb) or _not_exercise(heading.text, kb)):
            continue
        owner = owner_of(first)
        if owner is not None and not _is_group_name(owner.name, kb):
            continue  # a table inside an exercise's own section: its facts
        cells = [i for row in rows for i in row]
        numbered = [i for i in cells if _NUMBERED_CELL.match(blocks[i].text)]
        if len(numbered) * 3 >= len(cells) * 2:
            items = [replace(blocks[i], kind="list_item", list_marker=_NUMBERED_CELL.match(blocks[i].text).group(1) + ".",
                             text=_NUMBERED_CELL.match(blocks[i].text).group(2)) for i in numbered]
            found = _unnamed_items(items, list(range(len(items))), kb)
            added.extend(found)
            if found and owner is not None:
                groups.add(id(owner))
            continue
        labels = {blocks[i].col: blocks[i].text for i in rows[0] if blocks[i].header}
        body_rows = rows[1:] if labels else rows
        kind = group_kind(heading.text, kb) if heading is not None else None
        found = []
        skip = _order_columns(blocks, body_rows)
        for row in body_rows:
            row = row[skip:] if len(row) > skip else row
            name_cell, rest = blocks[row[0]], [blocks[i] for i in row[1:] if blocks[i].text.strip()]
            dosed = any(has_dosage(c.text, kb) for c in rest)
            item = name_item(name_cell.text, kb, in_routine=kind is not None or dosed)
            if item is None:
                continue
            body = [replace(c, kind="paragraph", text=f"{labels[c.col]}: {c.text}" if c.col in labels else c.text)
                    for c in rest]
            note = rest_block(name_cell, item.rest)
            found.append(Section(as_heading(name_cell, item.name, 6), None, item.name,
                                 ([note] if note is not None else []) + body, group_kind=kind, item=True))
        strong = sum(1 for f in found if names_exercise(f.name, kb))
        if not found or (strong == 0 and kind is None):
            continue
        if sum(1 for f in found if any(fuzz.token_sort_ratio(name_key(f.name), h) >= EXTRACT.list_match_score
                                       for h in headed)) * 2 >= len(found):
            continue  # the overview table of the headed sections
        added.extend(found)
        if owner is not None:
            groups.add(id(owner))
    kept = [s for s in sections if id(s) not in groups]
    return sorted(kept + added, key=lambda s: s.heading.start)


def _unnamed_items(blocks: list[Block], run: list[int], kb: Knowledge) -> list[Section]:
    """"1. Hold for 30 seconds and repeat with the opposite leg", "2. Hold for 20 seconds"...: a
    numbered list whose items each carry their own hold is a list of exercises the page shows
    (a picture each) but does not name; each gets a name derived from its number."""
    numbered = [i for i in run if _marker_of(blocks[i]) is not None]
    lx = kb.lexicon["routine"]
    if len(numbered) < lx["unnamed_min_items"] or len(numbered) < len(run):
        return []
    timed = sum(1 for i in numbered if find_times(blocks[i].text))
    if timed * 3 < len(numbered) * 2:
        return []
    out = []
    for i in numbered:
        b = blocks[i]
        n = _marker_of(b)
        name = lx["derived_name_template"].format(number=n)
        heading = replace(b, text=name, kind="heading", level=6, end=b.start)
        out.append(Section(heading, n, name, [replace(b, kind="paragraph", list_marker="")], name_source="derived"))
    return out


def _attach_shared_rules(blocks: list[Block], sections: list[Section], kb: Knowledge) -> None:
    """Give each section the rules it shares: its group heading's dosage ("Upper body (2 minutes)")
    and the routine's rule stated once for all ("Hold each stretch for 30-45 seconds"), the
    nearest one before the section, else the first after it."""
    spans = sorted(s.span for s in sections)
    los = [lo for lo, _ in spans]
    reach: list[int] = []  # the furthest end of the spans that open at or before each one
    for _, hi in spans:
        reach.append(max(reach[-1], hi) if reach else hi)

    def inside(b: Block) -> bool:
        opened = bisect_right(los, b.start)
        return opened > 0 and reach[opened - 1] >= b.end

    rules = [b for b in blocks if b.kind in ("paragraph", "list_item", "heading") and not inside(b)
             and is_shared_rule(b, kb)]
    starts = [b.start for b in blocks]
    in_order = all(a <= b for a, b in zip(starts, starts[1:]))
    rule_starts = [r.start for r in rules]
    rule_ends = [r.end for r in rules]
    rules_in_order = all(a <= b for a, b in zip(rule_starts, rule_starts[1:])) and \
        all(a <= b for a, b in zip(rule_ends, rule_ends[1:]))
    for s in sections:
        at = bisect_left(starts, s.heading.start) if in_order else _index_of(blocks, s.heading)
        group = _heading_before(blocks, at, s.heading.level)
        if group is not None and group.level > 1 and not inside(group):
            item = split_item(group.text, kb)
            total = any(re.search(rf"\b{re.escape(w)}\b", item.name, re.I)
                        for w in kb.lexicon["routine"]["group_total_words"])
            if item.rest and has_dosage(item.rest, kb) and not (total and not routine_rules(kb).side_word.search(item.rest)):
                s.shared.append(replace(group, text=item.rest, kind="paragraph"))
        if rules_in_order:  # the last rule that ends before the section, else the first at or after it
            k = bisect_right(rule_ends, s.heading.start)
            j = bisect_left(rule_starts, s.heading.start)
            rule = rules[k - 1] if k else (rules[j] if j < len(rules) else None)
        else:
            before = [r for r in rules if r.end <= s.heading.start]
            after = [r for r in rules if r.start >= s.heading.start]
            rule = before[-1] if before else (after[0] if after else None)
        if rule is not None and rule not in s.shared:
            s.shared.append(replace(rule, kind="paragraph", level=0))


def _index_of(blocks: list[Block], block: Block) -> int:
    """Where a section's heading sits among the blocks (by position: item headings are copies)."""
    return next((i for i, b in enumerate(blocks) if b.start >= block.start), len(blocks))


def find_summary_list(blocks: list[Block], sections: list[Section]) -> list[str]:
    """A run of list items before the first section whose items name the sections."""
    if not sections:
        return []
    first = sections[0].heading.start
    names = [name_key(s.name) for s in sections]
    runs: list[list[Block]] = []
    run: list[Block] = []
    for b in blocks:
        if b.start >= first:
            break
        if b.kind == "list_item":
            run.append(b)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    best: list[str] = []
    for r in runs:
        hits = sum(1 for b in r if any(fuzz.token_sort_ratio(name_key(b.text), n) >= EXTRACT.list_match_score
                                       for n in names))
        if len(r) >= 2 and hits * 2 >= len(r) and len(r) > len(best):
            best = [b.text for b in r]
    return best


def claimed_count(title: str | None, blocks: list[Block], kb: Knowledge) -> int | None:
    """'13 Stretches for Lower Back Pain' -> 13. The title or a heading may state the count
    anywhere; in prose only an announcement counts ("Here are 8 stretches"), not any number
    ("I tried 3 exercises last week")."""
    words = kb.lexicon["number_words"]
    nouns = "|".join(sorted((re.escape(n) for n in kb.lexicon["count_nouns"]), key=len, reverse=True))
    num = r"(\d{1,3}|" + "|".join(re.escape(w) for w in words if len(w) > 2 and w not in {"once", "twice", "thrice", "half", "half a", "hundred"}) + ")"
    # the nearest number counts: "2 sets of 5 stretches" claims 5, not 2
    gap = r"(?:(?!\d)[\w'’-]+\s+){0,4}?"
    pattern = re.compile(rf"\b{num}\s+{gap}({nouns})\b", re.I)
    announce = "|".join(sorted(map(re.escape, kb.lexicon["count_announcements"]), key=len, reverse=True))
    announced = re.compile(rf"\b(?:{announce})\s+{num}\s+{gap}({nouns})\b", re.I)
    candidates = [(title or "", pattern)] + [
        (b.text, pattern if b.kind == "heading" else announced)
        for b in blocks[:40] if b.kind in ("heading", "paragraph")]
    for text, rx in candidates:
        for m in rx.finditer(text):
            token = m.group(1).lower()
            value = int(token) if token.isdigit() else int(words[token])
            if value > 1 and not m.group(2).lower().endswith("s"):
                continue  # "Figure Four Stretch" names a stretch; a count takes the plural
            return value
    return None
