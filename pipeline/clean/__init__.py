"""Stage 2, clean: split a page into blocks, drop boilerplate and duplicates, account for each.

Each filter is a small object with one job: given a block (and its neighbours) it returns a
reason string such as "boilerplate:credit" or None to keep it. The reasons become counters in
the run statistics and the `removed` list of every article, so nothing disappears unexplained.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..config import CLEAN, CleanConfig
from ..knowledge import Knowledge, load_knowledge
from ..records import Block, CleanDocument, Page, RemovedBlock
from .blocks import normalise_text, word_count
from .html import HEADINGS, parse as parse_html, tree_to_blocks
from .main_content import OUTSIDE_MAIN_CONTENT, main_content_flags
from .markdown import FRONT_MATTER, markdown_to_blocks
from .text import text_to_blocks
from .tree import build_tree

__all__ = ["clean_page", "split_blocks", "render_blocks"]


def split_blocks(page: Page, kb: Knowledge | None = None) -> tuple[str | None, list[Block]]:
    """The page's title and its blocks, before any filter."""
    title, blocks, _ = _read(page, kb or load_knowledge())
    return title, blocks


def _read(page: Page, kb: Knowledge):
    """Title, blocks and (HTML only) the parsed tree, which the main-content extractor reuses."""
    if page.format == "markdown":
        return (*markdown_to_blocks(page.text, kb), None)
    if page.format != "html":
        return (*text_to_blocks(page.text), None)
    root = parse_html(page.text)
    if root is None:
        return None, [], None
    return (*tree_to_blocks(root, kb.boilerplate_chrome_rules), root)


# --------------------------------------------------------------------------- block filters

@dataclass
class StructuralFilter:
    """HTML ancestry: blocks inside <nav>, <footer>, <aside>, comment forms, author boxes..."""

    kb: Knowledge
    by_tag_only: bool = False  # only <nav>, <footer>, <aside>...: not what a class name suggests

    def __call__(self, block: Block) -> str | None:
        if self.by_tag_only and not block.chrome_by_tag:
            return None
        return block.chrome or None  # the HTML walk inherits it from the element's ancestry


@dataclass
class PhraseFilter:
    """Known widget phrases (credits, promos, comment forms, newsletters...) from the data file."""

    kb: Knowledge

    def __call__(self, block: Block) -> str | None:
        text = block.text
        reason = self.kb.boilerplate_phrase_reason(text, word_count(text), block.tag in HEADINGS)
        if reason:
            return reason
        if self.kb.author_role.match(text.strip()):
            return "author"
        return None


@dataclass
class LinkDensityFilter:
    """Short blocks made mostly of links are menus, tag clouds and link lists.

    A linked list item that names an exercise is the article's own table of contents, kept; a
    marked-up heading that is a link (`### [Incline Press](/press)`) titles its section, kept.
    """

    kb: Knowledge
    config: CleanConfig = CLEAN

    def __call__(self, block: Block) -> str | None:
        if block.link_density > self.config.max_link_density and word_count(block.text) <= self.config.link_block_max_words:
            if block.kind == "list_item" and self.kb.looks_like_exercise(block.text, fuzzy=False):
                return None
            if block.tag in HEADINGS:
                return None  # <h3><a href="/cobra">Cobra Pose</a></h3> is still the section's heading
            return "navigation"
        return None


# --------------------------------------------------------------------------- the cleaner

TOO_LONG = "too-long"  # a block over CleanConfig.max_block_chars


def clean_page(page: Page, kb: Knowledge | None = None, config: CleanConfig = CLEAN, reading=None) -> CleanDocument:
    """`reading`: what the early exit read of this page (clean/gate.py), taken on instead of a second
    parse and walk; the same title, blocks and tree `_read` gives."""
    kb = kb or load_knowledge()
    title, blocks, root = (reading.title, reading.blocks, reading.root) if reading is not None else _read(page, kb)
    reasons: list[str | None] = [None] * len(blocks)
    for i, block in enumerate(blocks):  # reported with its text in the removed blocks, not read for steps
        if len(block.text) > config.max_block_chars:
            reasons[i] = TOO_LONG
    # HTML: the main-content extractor's view first, so that the structural filters below need not
    # guard exercise lists against removal (what the extractor keeps, stays)
    inside = main_content_flags(root, blocks, kb, config) if root is not None else None
    if inside is not None:  # out of the main content and in a chrome element: that is reason enough
        for i, block in enumerate(blocks):
            if not inside[i] and block.chrome:
                reasons[i] = "boilerplate:" + block.chrome

    # Widget phrases, chrome elements (<nav>, <aside>, <footer>) and paragraphs of links are removed
    # wherever they sit, whatever a main-content extractor thinks.
    _apply(PhraseFilter(kb), blocks, reasons)
    _apply(StructuralFilter(kb, by_tag_only=True), blocks, reasons)
    _apply(LinkDensityFilter(kb, config), blocks, reasons)
    strong = [r is not None for r in reasons]
    _mark_author_boxes(blocks, reasons, kb)
    _mark_related_lists(blocks, reasons)
    # Then the page's structure: ancestry (<nav>, .sidebar), link density, the tail, menu runs.
    guard = inside is None  # with the extractor's view, what it keeps stays anyway
    _apply(StructuralFilter(kb), blocks, reasons)
    _mark_page_tail(blocks, reasons, kb)
    _mark_menu_runs(blocks, reasons, kb, config, guard)
    if inside is not None:
        # The main-content extractor outranks the structural guesses (a whole article can sit in a
        # <div class="nav-wrapper">), not the widget phrases; what it leaves out is out, with the most
        # specific reason we have.
        for i, block in enumerate(blocks):
            if inside[i] and not strong[i]:
                reasons[i] = None
                block.kept = block.kept or "main_content"
            elif not inside[i] and reasons[i] is None:
                reasons[i] = OUTSIDE_MAIN_CONTENT
    for i, block in enumerate(blocks):  # front matter is the author's data, never page chrome
        if block.tag == FRONT_MATTER and reasons[i] and reasons[i].startswith("boilerplate:"):
            reasons[i] = None
    _mark_duplicates(blocks, reasons, config)

    removed = [RemovedBlock(i, r, blocks[i].text, blocks[i].source_line) for i, r in enumerate(reasons) if r]
    kept_at = [i for i, r in enumerate(reasons) if not r]
    kept = [blocks[i] for i in kept_at]
    removed.extend(_drop_repeated_sentences(kept, kept_at, config))
    kept = [b for b in kept if b.text.strip()]
    for b in kept:
        b.kept = b.kept or "content"
    if title is None:  # a text dump may open with a cookie banner: the first kept heading is the title
        title = next((b.text for b in kept if b.kind == "heading"), None)
    heading = _title_heading(kept, title)
    if heading is not None:  # the title is the document's, not a block of its body
        kept.remove(heading)
        removed.append(RemovedBlock(blocks.index(heading), "title", heading.text, heading.source_line))
    text = render_blocks(kept)
    return CleanDocument(page.source, title, kept, removed, text, page.format, build_tree(kept))


def _title_heading(blocks: list[Block], title: str | None) -> Block | None:
    """The heading that repeats the page title (an <h1>, a dump's first line; the title may add a
    site name: "Neck Relief | Health Site")."""
    if not title:
        return None
    want = normalise_text(title)
    for block in blocks[:20]:
        if block.kind == "heading" and block.level <= 1:
            text = normalise_text(block.text)
            return block if text and (text == want or want.startswith(text + " ")) else None
    return None


def _apply(flt, blocks: list[Block], reasons: list[str | None]) -> None:
    for i, block in enumerate(blocks):
        if reasons[i] is None and (reason := flt(block)):
            reasons[i] = "boilerplate:" + reason


def render_blocks(blocks: Sequence[Block]) -> str:
    """Join blocks into the cleaned text and record each block's span in it.

    Blocks are separated by blank lines; list items are indented by depth; the cells of one table
    row share a line, separated by " | "."""
    out: list[str] = []
    pos = 0
    prev: Block | None = None
    for block in blocks:
        same_row = prev is not None and block.kind == "cell" and prev.kind == "cell" \
            and (prev.group, prev.row) == (block.group, block.row)
        if same_row:
            prefix = " | "
        elif block.kind == "cell" and prev is not None and prev.kind == "cell" and prev.group == block.group:
            prefix = "\n"
        elif block.kind == "list_item":
            prefix = ("\n\n" if out else "") + "  " * (block.depth + 1) + f"{block.list_marker or '•'} "
        elif block.list_marker:
            prefix = ("\n\n" if out else "") + f"{block.list_marker} "
        else:
            prefix = "\n\n" if out else ""
        out.append(prefix)
        pos += len(prefix)
        block.start, block.end = pos, pos + len(block.text)
        out.append(block.text)
        pos = block.end
        prev = block
    return "".join(out) + ("\n" if out else "")


def _is_short_line(block: Block, max_words: int) -> bool:
    return word_count(block.text) <= max_words and not block.text.endswith((".", "!", "?"))


def _mark_author_boxes(blocks: list[Block], reasons: list[str | None], kb: Knowledge) -> None:
    """An author role line ("Writer & Blogger", "About Me") takes the name above it and the bio below it."""
    for i in range(len(blocks)):
        if reasons[i] != "boilerplate:author":
            continue
        j = i - 1
        while j >= 0 and reasons[j] is None and _is_short_line(blocks[j], 4) and i - j <= 2:
            reasons[j] = "boilerplate:author"
            j -= 1
        k = i + 1
        while k < len(blocks) and (reasons[k] in (None, "boilerplate:author")):
            nxt = blocks[k]
            if nxt.kind == "heading" and not _is_person_name(nxt.text) and not kb.author_role.match(nxt.text):
                break
            if nxt.kind == "heading" and nxt.list_marker:
                break  # a numbered section heading: the article resumes
            reasons[k] = "boilerplate:author"
            k += 1


def _mark_related_lists(blocks: list[Block], reasons: list[str | None]) -> None:
    """Below "More from Mobility" / "You may also like" come headline links: short title-like lines."""
    for i in range(len(blocks)):
        if reasons[i] != "boilerplate:related":
            continue
        k = i + 1
        while k < len(blocks) and reasons[k] is None and blocks[k].kind != "paragraph" \
                and not (blocks[k].list_marker[:1].isdigit() and blocks[k].kind == "heading") \
                and _is_short_line(blocks[k], 14):
            reasons[k] = "boilerplate:related"
            k += 1


def _is_person_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words)


def _mark_page_tail(blocks: list[Block], reasons: list[str | None], kb: Knowledge) -> None:
    """Past the article's end (comment form, author box, copyright in the last half), all is chrome."""
    total = sum(len(b.text) for b in blocks) or 1
    seen = 0
    content_seen = False
    for i, block in enumerate(blocks):
        if reasons[i] is None and block.kind == "paragraph" and word_count(block.text) >= 20:
            content_seen = True
        if (content_seen and seen / total >= 0.5 and reasons[i]
                and reasons[i].split(":", 1)[1] in kb.end_of_article_reasons):
            for k in range(i + 1, len(blocks)):
                if reasons[k] is None:
                    reasons[k] = "boilerplate:page_tail"
            return
        seen += len(block.text)


def _mark_menu_runs(blocks: list[Block], reasons: list[str | None], kb: Knowledge, config: CleanConfig,
                    guard_exercises: bool = True) -> None:
    """Runs of short unpunctuated lines that do not name exercises are menus."""
    i = 0
    n = len(blocks)
    while i < n:
        j = i
        while (j < n and reasons[j] is None and _is_short_line(blocks[j], config.menu_item_max_words)
               and not (blocks[j].list_marker and blocks[j].list_marker[0].isdigit())
               and blocks[j].kind not in ("cell", "field")  # a table's cells and data lines are short by nature
               and not (blocks[j].kind == "list_item" and blocks[j].group != -1)  # an authored <ul>/<ol>
               and blocks[j].tag not in HEADINGS):  # marked-up headings are structure
            j += 1
        run = list(range(i, j))
        if len(run) >= config.menu_run_min:
            exercise_like = sum(1 for k in run if kb.looks_like_exercise(blocks[k].text, fuzzy=False)) if guard_exercises else 0
            if exercise_like * 2 < len(run):
                for k in run:
                    reasons[k] = "boilerplate:navigation"
        i = max(j, i + 1)


def _mark_duplicates(blocks: list[Block], reasons: list[str | None], config: CleanConfig) -> None:
    """Second copies: long blocks on their own, short ones only as part of a repeated run.

    A lone short repeat ("Hold for 30 seconds.") can be legitimate in two sections; a whole
    pasted-again section (heading, list, paragraphs) comes as a run.
    """
    seen: set[str] = set()
    long_seen: list[str] = []  # earlier long blocks, for near-duplicate copies ("!" for ".", a fixed typo)
    is_dup = [False] * len(blocks)
    for i, block in enumerate(blocks):
        if reasons[i] or block.kind == "cell":  # a table repeats its values by nature
            continue
        norm = normalise_text(block.text)
        key = f"{block.kind}|{norm}"
        if key in seen:
            is_dup[i] = True
        elif len(norm.split()) >= config.duplicate_min_words:
            if process.extractOne(norm, long_seen, scorer=fuzz.ratio, score_cutoff=config.near_duplicate_score):
                is_dup[i] = True
            long_seen.append(norm)
        seen.add(key)
    kept_idx = [i for i in range(len(blocks)) if not reasons[i]]
    run: list[int] = []
    for i in kept_idx + [None]:  # None closes the last run
        if i is not None and is_dup[i]:
            run.append(i)
            continue
        long_enough = len(run) >= config.duplicate_run_min
        for k in run:
            if long_enough or word_count(blocks[k].text) >= config.duplicate_min_words:
                reasons[k] = "duplicate"
        run = []


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“‘(])")


def _drop_repeated_sentences(kept: list[Block], page_index: list[int],
                             config: CleanConfig = CLEAN) -> list[RemovedBlock]:
    """A sentence said twice word for word in one block keeps its first copy. Across blocks, a
    repeat goes only where it is a paste, by the rules `_mark_duplicates` applies to whole blocks:
    a block made of earlier sentences (a lead pasted again as the closing line, a teaser that
    re-runs the article in one paragraph) loses them when they are long enough to stand alone or
    a run of several making up most of it. The same closing line after each item of a list set as
    paragraphs ("Do this for both sides." after each bold run-in name) is the list's format, not a
    paste: one short sentence, kept with every item."""
    removed: list[RemovedBlock] = []
    earlier: set[str] = set()  # sentences of the blocks before, as comparison keys
    for idx, block in enumerate(kept):
        if block.kind not in ("paragraph", "list_item"):
            continue  # a table's cells and a page's fields repeat values by nature
        sentences = _SENTENCE_SPLIT.split(block.text)
        keys = [normalise_text(sent) for sent in sentences]
        counted = [key for key in keys if len(key.split()) >= 4]
        repeats = [key for key in counted if key in earlier]
        repeat_words = sum(len(key.split()) for key in repeats)
        pasted = bool(repeats) and (
            (len(repeats) == len(counted) and repeat_words >= config.duplicate_min_words)
            or (len(repeats) >= config.duplicate_run_min and 2 * repeat_words >= sum(len(k.split()) for k in keys)))
        seen: set[str] = set()
        out = []
        for sent, key in zip(sentences, keys):
            if len(key.split()) >= 4 and (key in seen or (pasted and key in earlier)):
                removed.append(RemovedBlock(page_index[idx], "duplicate:sentence", sent, block.source_line))
                continue
            seen.add(key)
            out.append(sent)
        earlier.update(counted)
        if len(out) != len(sentences):
            block.text = " ".join(out)
    return removed
