"""Split a page into Blocks (headings, paragraphs, list items) in reading order.

Three front doors, one block model: plain-text dumps are split on blank lines; HTML is walked
as a DOM (beautifulsoup4 + lxml); Markdown is rendered to HTML by markdown-it-py and walked the
same way, so every later step sees the same kind of blocks whatever the input format.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import yaml
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdown_it import MarkdownIt

from ..records import Block

def _number_words() -> str:
    from ..knowledge import load_knowledge  # the lexicon names the words that number a heading
    return "|".join(map(re.escape, load_knowledge().lexicon["heading_number_words"]))


_NUMBER_WORDS = _number_words()
# "1. Name", "1) Name", "#1 Name", "Step 1:", "Stretch #3:", "• item", "- item"
_MARKER = re.compile(
    rf"^\s*(?P<marker>(?:{_NUMBER_WORDS})\.?\s*#?\s*\d{{1,2}}\s*[:.)\-–—]?"
    r"|#?\d{1,2}\s*[.):]|[•\-*–·▪◦●‣])\s+(?P<rest>\S.*)$",
    re.I,
)
# "Exercise 1", "Move 4": a heading that is only a number
NUMBER_ONLY_TITLE = re.compile(rf"^\s*(?:{_NUMBER_WORDS})\s+(\d{{1,2}})\s*$", re.I)
_TERMINAL = re.compile(r"[.!?:;…]['\"”’)]*$")
_LABEL_LINE = re.compile(r"^[\w' /&-]{2,30}:\s+\S")  # "Works: calves, ankles" is data, not a heading
_WS = re.compile(r"[ \t\u00a0\u200b]+")

HEADING_MAX_WORDS = 14

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "button", "select",
              "option", "textarea", "input", "canvas", "video", "audio", "map", "object", "head"}
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "pre",
               "dt", "dd", "td", "th", "caption", "summary", "address", "div", "section", "article",
               "main", "header", "footer", "nav", "aside", "form", "ul", "ol", "dl", "figure",
               "table", "tbody", "thead", "tr", "body", "html", "details", "fieldset", "label"}
_LEAF_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote",
                    "pre", "dt", "dd", "td", "th", "caption", "summary", "address", "label"}


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200c\u200d\u2060\ufeff"))  # soft hyphen, zero-width joiners, BOM


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text.translate(_INVISIBLE)).strip()


def word_count(text: str) -> int:
    return len(text.split())


def classify_line(line: str, *, context: tuple[str, ...] = (), link_density: float = 0.0,
                  in_list: bool = False) -> Block | None:
    """A single line of text becomes a heading, list item or paragraph block."""
    line = collapse_ws(line)
    if not line:
        return None
    marker, rest = "", line
    m = _MARKER.match(line)
    if m:
        marker, rest = collapse_ws(m.group("marker")), m.group("rest").strip()
    numbered = bool(marker) and any(ch.isdigit() for ch in marker)
    short = word_count(rest) <= HEADING_MAX_WORDS and not _TERMINAL.search(rest)
    if in_list:
        return Block(rest, "list_item", context=context, link_density=link_density, list_marker=marker or "•")
    if NUMBER_ONLY_TITLE.match(line):
        return Block(line, "heading", level=3, context=context, link_density=link_density, list_marker="")
    if numbered and short and not marker.lower().startswith("step"):
        return Block(rest, "heading", level=3, context=context, link_density=link_density, list_marker=marker)
    if marker:
        return Block(rest, "list_item", context=context, link_density=link_density, list_marker=marker)
    if short and not _LABEL_LINE.match(rest):
        return Block(rest, "heading", level=4, context=context, link_density=link_density)
    return Block(rest, "paragraph", context=context, link_density=link_density)


# --------------------------------------------------------------------------- plain text

def text_to_blocks(text: str) -> tuple[str | None, list[Block]]:
    """Blank-line separated chunks; a chunk of short or marked lines is a list."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [ln for ln in chunk.split("\n") if ln.strip()]
        if not lines:
            continue
        if len(lines) == 1:
            block = classify_line(lines[0])
            if block:
                blocks.append(block)
            continue
        caption = lines[0].strip().endswith(":") and word_count(lines[0]) <= 6 and len(lines) > 2
        items = lines[1:] if caption else lines  # "Jump to:" captions the list below it
        listy = all(_MARKER.match(ln) or (word_count(ln) <= 8 and not _TERMINAL.search(ln.strip()))
                    for ln in items)
        if listy:
            if caption:
                blocks.append(Block(collapse_ws(lines[0]), "paragraph"))
            blocks.extend(b for ln in items if (b := classify_line(ln, in_list=True)))
        else:  # a hard-wrapped paragraph
            block = classify_line(" ".join(ln.strip() for ln in lines))
            if block:
                blocks.append(block)
    title = None
    if blocks and blocks[0].kind == "heading":
        title = blocks[0].text
        blocks[0].level = 1
    return title, blocks


# --------------------------------------------------------------------------- HTML

def html_to_blocks(html: str) -> tuple[str | None, list[Block]]:
    soup = BeautifulSoup(html, "lxml")
    title = _html_title(soup)
    for tag in soup.find_all(_SKIP_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    root = soup.body or soup
    blocks: list[Block] = []
    _walk(root, blocks)
    return title, blocks


def _html_title(soup: BeautifulSoup) -> str | None:
    og = soup.find("meta", attrs={"property": "og:title"})
    if og and og.get("content"):
        return collapse_ws(og["content"])
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        return collapse_ws(h1.get_text(" "))
    if soup.title and soup.title.string:
        return collapse_ws(soup.title.string)
    return None


def _context_of(tag: Tag) -> tuple[str, ...]:
    parts = [tag.name]
    parts.extend(c.lower() for c in tag.get("class", []) or [])
    if tag.get("id"):
        parts.append(str(tag["id"]).lower())
    if tag.get("role"):
        parts.append("role:" + str(tag["role"]).lower())
    return tuple(parts)


def _walk(root: Tag, out: list[Block]) -> None:
    """Depth-first over the DOM with an explicit stack: real pages nest thousands of <div>s deep,
    past Python's recursion limit. Inline runs between block elements become blocks of their own."""
    stack: list[tuple[tuple[str, ...], Iterator, list]] = [(_context_of(root), iter(root.children), [])]
    while stack:
        ctx, children, inline = stack[-1]
        child = next(children, None)
        if child is None:
            if inline:
                _emit_inline(inline, ctx, out, in_list=False)
            stack.pop()
            continue
        if not isinstance(child, Tag):
            inline.append(child)
        elif child.name in _LEAF_BLOCK_TAGS and not _has_block_children(child):
            _flush(inline, ctx, out)
            _emit_leaf(child, ctx, out)
        elif child.name in _BLOCK_TAGS or _has_block_children(child):
            _flush(inline, ctx, out)
            stack.append((ctx + _context_of(child), iter(child.children), []))
        else:
            inline.append(child)


def _flush(inline: list, ctx: tuple[str, ...], out: list[Block]) -> None:
    if inline:
        _emit_inline(list(inline), ctx, out, in_list=False)
        inline.clear()


def _has_block_children(tag: Tag) -> bool:
    return any(isinstance(c, Tag) and c.name in _BLOCK_TAGS for c in tag.children)


def _emit_leaf(tag: Tag, context: tuple[str, ...], out: list[Block]) -> None:
    ctx = context + _context_of(tag)
    name = tag.name
    if name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
        text = collapse_ws(_text_with_breaks(tag).replace("\n", " "))
        if text:
            m = _MARKER.match(text)
            marker = ""
            if m and any(ch.isdigit() for ch in m.group("marker")):
                marker, text = collapse_ws(m.group("marker")), m.group("rest").strip()
            out.append(Block(text, "heading", level=int(name[1]), context=ctx,
                             link_density=_link_density(tag), list_marker=marker))
        return
    if name == "li":
        marker = "•"
        parent = tag.parent
        if parent is not None and parent.name == "ol":
            siblings = [c for c in parent.find_all("li", recursive=False)]
            start = int(parent.get("start", 1)) if str(parent.get("start", "1")).isdigit() else 1
            marker = f"{siblings.index(tag) + start}." if tag in siblings else "1."
        text = collapse_ws(_text_with_breaks(tag).replace("\n", " "))
        if text:
            out.append(Block(text, "list_item", context=ctx, link_density=_link_density(tag), list_marker=marker))
        return
    _emit_inline(list(tag.children), ctx, out, in_list=False)


def _emit_inline(nodes: list, context: tuple[str, ...], out: list[Block], *, in_list: bool) -> None:
    """Inline content becomes one block per <br>-separated line (classified like text lines)."""
    texts: list[str] = []
    link_chars = 0
    strong_chars = 0
    for node in nodes:
        if isinstance(node, Tag):
            if node.name == "br":
                texts.append("\n")
                continue
            t = _text_with_breaks(node)
            texts.append(t)
            link_chars += sum(len(a.get_text()) for a in ([node] if node.name == "a" else node.find_all("a")))
            if node.name in {"strong", "b"} or node.find(["strong", "b"]):
                strong_chars += len(collapse_ws(t))
        else:
            texts.append(str(node))
    raw = "".join(texts)
    total = len(collapse_ws(raw)) or 1
    density = min(1.0, link_chars / total)
    lines = [ln for ln in raw.split("\n") if ln.strip()]
    # A paragraph that is only bold text is how many pages title a section.
    bold_heading = len(lines) == 1 and strong_chars >= 0.9 * total and word_count(lines[0]) <= HEADING_MAX_WORDS
    for line in lines:
        block = classify_line(line, context=context, link_density=density, in_list=in_list)
        if block is None:
            continue
        if bold_heading and block.kind == "paragraph":
            block.kind, block.level = "heading", 4
        out.append(block)


def _text_with_breaks(tag: Tag) -> str:
    parts: list[str] = []
    for el in tag.descendants:
        if isinstance(el, NavigableString) and not isinstance(el, Comment):
            parts.append(str(el))
        elif isinstance(el, Tag) and el.name == "br":
            parts.append("\n")
    return "".join(parts)


def _link_density(tag: Tag) -> float:
    total = len(collapse_ws(tag.get_text(" "))) or 1
    links = sum(len(collapse_ws(a.get_text(" "))) for a in tag.find_all("a"))
    return min(1.0, links / total)


# --------------------------------------------------------------------------- Markdown

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_READER_HEADER = re.compile(r"^(Title|URL Source|Published Time|Markdown Content|Description):\s*(.*)$")
_MD = MarkdownIt("commonmark", {"html": True})


def markdown_to_blocks(text: str) -> tuple[str | None, list[Block]]:
    title = None
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError:
            meta = {}
        if isinstance(meta, dict) and meta.get("title"):
            title = collapse_ws(str(meta["title"]))
        text = text[m.end():]
    body_lines = []
    for line in text.split("\n"):
        hm = _READER_HEADER.match(line)
        if hm and len(body_lines) < 12 and not any(ln.strip() for ln in body_lines if not _READER_HEADER.match(ln)):
            if hm.group(1) == "Title" and hm.group(2).strip():
                title = title or collapse_ws(hm.group(2))
            continue
        body_lines.append(line)
    html = _MD.render("\n".join(body_lines))
    html_title, blocks = html_to_blocks(f"<html><body>{html}</body></html>")
    return title or html_title, blocks
