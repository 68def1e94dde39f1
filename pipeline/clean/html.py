"""HTML -> Blocks in reading order, with lxml directly (the hot path: one parse, one walk).

One pass of `lxml.etree.iterwalk` over the tree, with a stack of open block elements:
- text that sits directly in a <div>, <section>, <td> or <body> is a paragraph of its own;
- <br> breaks lines, and lines hard-wrapped mid-sentence are joined again;
- lists keep their numbering (`start=` honoured; an <ol> continued after an image is one list)
  and nesting depth; tables keep row, column and header cells; <dt>/<dd> become labelled fields;
- the boilerplate reason of an element's ancestry (<nav>, .sidebar...) is inherited, not
  recomputed per block, so a page nested 100,000 deep costs a stack entry per level, not a copy
  of its ancestors.
Every step is linear in the size of the page.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from lxml import etree, html as lxml_html

from ..records import Block
from .blocks import (HEADING_MAX_WORDS, classify_line, collapse_ws, field_label, marker_number, normalise_text,
                     rejoin_wrapped, split_marker, word_count)

SKIP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "button", "select", "option",
             "textarea", "input", "canvas", "video", "audio", "map", "object", "head", "math")
BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "pre", "dt", "dd", "td", "th",
    "caption", "summary", "address", "div", "section", "article", "main", "header", "footer", "nav", "aside",
    "form", "ul", "ol", "dl", "figure", "table", "tbody", "thead", "tfoot", "tr", "body", "html", "details",
    "fieldset", "label", "hr", "menu", "center", "legend", "hgroup"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ASCII_NUMBER = re.compile(r"\s*[0-9]{1,9}\s*")
SECTION_H1S = 3  # this many <h1>s title the page's sections, not the page
BREAK = "\x1e"  # a <br> in gathered text (a newline in the HTML source is only white space)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Nesting past this many container elements is flattened (see `flatten_deep`); libxml2 itself
# stops at 256 levels of any element and drops what lies deeper.
FLATTEN_DEPTH = 100
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]{0,2000}>")
# Tags that stay whatever the depth: empty elements, and those that carry the text's own structure
# and never nest (headings, paragraphs). Items and cells (closed by the parser when the next one
# opens) are not counted, and past the depth they go too: their text joins the deepest item kept.
# Every other element is a container, counted and, past the depth, removed.
_KEPT_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "html", "head", "body"})
# Elements whose text is never an enclosing <li>'s: lists and tables hold items and cells of their own.
_OWN_ITEMS = frozenset({"ol", "ul", "menu", "li", "dl", "table"})
_ITEM_TAGS = frozenset({"li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
                        "colgroup", "caption", "rb", "rt", "rp"})


@dataclass
class _Frame:
    """An open block element: the inline text gathered so far and what it is inside."""

    el: object
    tag: str
    chrome: str
    line: int
    chrome_by_tag: bool = False
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    strong_chars: int = 0
    # lists and tables
    group: int = -1
    counter: int = 1
    depth: int = 0
    row: int = -1
    col: int = -1
    in_head: bool = False
    item: _Frame | None = None  # the <li> whose text this <p> holds (Markdown's loose lists: <li><p>...)
    emitted: bool = False  # an <li> that has given its item block
    owner: _Frame | None = None  # the <li> this element sits in (no list or table between): its text is the item's


@dataclass
class _Walk:
    chrome_rules: list[tuple[str, frozenset[str], frozenset[str]]]
    blocks: list[Block] = field(default_factory=list)
    groups: int = 0
    last_list: tuple[int, int, int] | None = None  # (block count, group, next number) of the last closed <ol>


# The last page parsed by `parse_shared`, until `parse` takes it: acquire reads a page's metadata
# from the tree that clean then walks, so an HTML page is parsed once, not twice. Per thread, so
# that pages read on two threads never share a tree.
_shared = threading.local()


def parse_shared(html: str):
    """The parsed page for a reader that only reads it (acquire's page metadata), kept for the
    `parse` of the same text that follows, which then owns it: a reader of this tree must never
    change it (tests/test_metadata.py checks that the metadata reading does not)."""
    root = _parse(html)
    _shared.page = (html, root) if root is not None else None
    return root


def parse_fresh(html: str):
    """A tree of its own, as the first parse of this text was (for a reader that comes later)."""
    return _parse(html)


def parse(html: str):
    """The parsed page, the caller's to change (the walk strips scripts, trafilatura prunes): the
    tree `parse_shared` made of the same text if there is one, else a new parse."""
    shared = getattr(_shared, "page", None)
    _shared.page = None  # handed out once: a second caller gets a tree of its own
    if shared is not None and (shared[0] is html or shared[0] == html):
        return shared[1]
    return _parse(html)


def flatten_deep(html: str, max_depth: int = FLATTEN_DEPTH) -> str:
    """The page with every container tag (div, ul, blockquote, span, table...) nested deeper than
    `max_depth` containers removed, and the item and cell tags in there: the deeper content, its
    text, headings and paragraphs, stays in order inside the deepest item kept (one pass, linear
    in the page; a removed tag leaves a space, so words never run together)."""
    depth = 0
    out: list[str] = []
    last = 0
    for m in _ANY_TAG.finditer(html):
        name = m.group(2).lower()
        if name in _KEPT_TAGS:
            continue
        if name in _ITEM_TAGS:
            keep = depth <= max_depth
        elif m.group(1):  # a closing tag: kept when its opening tag was
            keep = 0 < depth <= max_depth
            depth = max(0, depth - 1)
        elif m.group(0).endswith("/>"):
            continue  # <span/>: nothing nested
        else:
            depth += 1
            keep = depth <= max_depth
        if not keep:
            out.append(html[last:m.start()] + " ")
            last = m.end()
    out.append(html[last:])
    return "".join(out)


def _parse(html: str):
    """Forgiving parse; returns the root element, or None for a page with no markup.

    libxml2 stops at 256 levels of nesting and drops what lies deeper. A page that deep (a
    runaway template, a hostile one, 300 nested lists) is parsed again flattened past a depth
    (`flatten_deep`): no text is lost, and its paragraphs, headings and list items stay."""
    html = _XML_DECL.sub("", html, count=1)  # lxml refuses str input that declares an encoding
    if not html.strip():
        return None
    for attempt in (html, None):
        if attempt is None:
            attempt = flatten_deep(html)
        parser = lxml_html.HTMLParser()
        try:
            root = lxml_html.document_fromstring(attempt, parser=parser)
        except (etree.ParserError, ValueError):
            return None
        if not any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
            break
    return root


def html_title(root) -> str | None:
    og = root.xpath("//meta[@property='og:title']/@content")
    if og and collapse_ws(og[0]):
        return collapse_ws(og[0])
    title = root.find(".//title")
    title_text = collapse_ws(title.text_content()) if title is not None else ""
    h1s = [text for text in (element_text(h1) for h1 in root.iter("h1")) if text]
    if h1s and (len(h1s) < SECTION_H1S or not title_text or _shares_word(h1s[0], title_text)):
        return h1s[0]
    # a page whose <h1>s are a series (one per card or section), the first of them not named in
    # its <title>, is titled by its <title>
    return title_text or None


def _shares_word(a: str, b: str) -> bool:
    words = {w for w in normalise_text(a).split() if len(w) >= 3}
    return any(w in words for w in normalise_text(b).split())


def element_text(el) -> str:
    """An element's text on one line, as a reader sees it: the text of block elements (items,
    cells, paragraphs) and text on either side of a <br> are separated by a space, while inline
    elements keep the source's own spacing ("<a>Home</a> <a>About</a>" has a space, "<b>Str</b>etch"
    is one word). lxml's text_content() runs "<li>Home</li><li>About</li>" into "HomeAbout"."""
    parts: list[str] = []
    stack = [(el, False)]
    while stack:  # no recursion: a page may nest thousands of elements deep
        node, closing = stack.pop()
        tag = node.tag
        if closing:
            if tag in BLOCK_TAGS:
                parts.append(" ")
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        stack.append((node, True))
        if not isinstance(tag, str) or tag in SKIP_TAGS:
            continue  # a comment, a script: only its tail is text
        if tag in BLOCK_TAGS or tag == "br":
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        stack.extend((child, False) for child in reversed(node))
    return collapse_ws("".join(parts))


def html_to_blocks(html: str, chrome_rules=None, line_offset: int = 0) -> tuple[str | None, list[Block]]:
    """The page's title and its blocks. `chrome_rules` are (reason, tags, classes) from the
    knowledge base's boilerplate contexts; `line_offset` shifts source lines (Markdown front matter)."""
    root = parse(html)
    if root is None:
        return None, []
    return tree_to_blocks(root, chrome_rules, line_offset)


def tree_to_blocks(root, chrome_rules=None, line_offset: int = 0) -> tuple[str | None, list[Block]]:
    """As html_to_blocks, on a parsed tree. Scripts, styles and comments are stripped from the
    tree in place (what a main-content extractor would strip first too)."""
    title = html_title(root)
    etree.strip_elements(root, *SKIP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    body = root.find("body")
    walk = _Walk(chrome_rules or [])
    _walk(body if body is not None else root, walk, line_offset)
    return title, walk.blocks


def _own_reason(el, tag: str, rules, in_article: bool) -> tuple[str, bool]:
    """The boilerplate reason of the element itself, and whether its tag (<nav>, <footer>) says so
    rather than a class name (which sites also give whole articles: "nav-wrapper")."""
    classes = el.get("class")
    names = set(classes.lower().split()) if classes else set()
    ident = el.get("id")
    if ident:
        names.add(ident.lower())
    role = el.get("role")
    if role:
        names.add("role:" + role.lower())
    for reason, tags, klass in rules:
        if reason == "header" and in_article:
            continue  # an <article>'s own header holds the title
        if tag in tags:
            return reason, True
        if names and names & klass:
            return reason, False
    return "", False


def _walk(root, walk: _Walk, line_offset: int) -> None:
    # the hot loop of the clean stage: locals, no helper calls for inline elements
    stack: list[_Frame] = []
    links = strong = 0  # open <a> and <strong>/<b> elements around the current text
    in_article = 0  # open <article>/<main> elements: their <header> holds the title, not chrome
    article_els: set = set()
    data_line = None
    rules = walk.chrome_rules
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if tag in BLOCK_TAGS or not stack:
                if tag in ("article", "main") or el.get("role") == "main":
                    in_article += 1
                    article_els.add(el)
                line_attr = el.get("data-line")
                if line_attr is not None:  # Markdown: the source line of the block token
                    data_line = int(line_attr) + 1
                parent = stack[-1] if stack else None
                if parent is not None and parent.parts:
                    _flush(parent, walk, line_offset)
                if parent is not None and parent.chrome:
                    chrome, by_tag = parent.chrome, parent.chrome_by_tag
                else:
                    chrome, by_tag = _own_reason(el, tag, rules, in_article > 0)
                    if by_tag and parent is not None:
                        # <nav>, <footer>, <aside> whole: one block of chrome, not a walk through it
                        _chrome_element(el, tag, chrome, parent, walk, data_line, line_offset)
                        walker.skip_subtree()
                        continue
                frame = _Frame(el, tag, chrome, data_line or (el.sourceline or 0), chrome_by_tag=by_tag)
                _open(frame, parent, stack, walk)
                stack.append(frame)
            elif stack:
                frame = stack[-1]
                if tag == "br":
                    frame.parts.append(BREAK)
                elif tag == "a":
                    links += 1
                elif tag == "strong" or tag == "b":
                    strong += 1
            else:
                continue
            text = el.text
            if text:
                frame.parts.append(text)
                if links:
                    frame.link_chars += len(text.strip())
                if strong:
                    frame.strong_chars += len(text.strip())
            continue
        # end
        if stack and stack[-1].el is el:
            if el in article_els:
                in_article -= 1
            frame = stack.pop()
            if frame.parts:
                _flush(frame, walk, line_offset)
            _close(frame, stack, walk)
        elif tag == "a":
            links -= 1
        elif tag == "strong" or tag == "b":
            strong -= 1
        tail = el.tail
        if tail and stack:
            frame = stack[-1]
            frame.parts.append(tail)
            if links:
                frame.link_chars += len(tail.strip())
            if strong:
                frame.strong_chars += len(tail.strip())


def _chrome_element(el, tag: str, chrome: str, parent: _Frame, walk: _Walk, data_line: int | None,
                    line_offset: int) -> None:
    text = element_text(el)
    if text:
        line = data_line or (el.sourceline or 0)
        walk.blocks.append(Block(text, "paragraph", tag=tag, chrome=chrome, chrome_by_tag=True,
                                 source_line=line + line_offset if line else 0))


def _open(frame: _Frame, parent: _Frame | None, stack: list[_Frame], walk: _Walk) -> None:
    """Set up list, table and item bookkeeping for a block element that starts."""
    tag = frame.tag
    if tag in ("ol", "ul", "menu"):
        frame.depth = sum(1 for f in stack if f.tag in ("ol", "ul", "menu"))
        start = frame.el.get("start")
        explicit = int(start) if start and _ASCII_NUMBER.fullmatch(start) else None  # not "²", not "1e3"
        cont = walk.last_list
        if tag == "ol" and cont and cont[0] == len(walk.blocks) and (explicit is None or explicit == cont[2]):
            frame.group, frame.counter = cont[1], cont[2]  # the same list, interrupted by an image
        else:
            walk.groups += 1
            frame.group, frame.counter = walk.groups, explicit if explicit is not None else 1
    elif tag == "table":
        walk.groups += 1
        frame.group = walk.groups
    elif tag in ("thead",) and parent is not None:
        parent.in_head = True
    elif tag == "tr":
        table = _nearest(stack, "table")
        if table is not None:
            table.row += 1
            table.col = -1
    elif tag in ("td", "th"):
        table = _nearest(stack, "table")
        if table is not None:
            table.col += 1
            frame.group, frame.row, frame.col = table.group, table.row, table.col
            frame.in_head = tag == "th" or any(f.in_head for f in stack if f.tag == "thead")
    elif tag == "li" and parent is not None and parent.tag in ("ol", "ul", "menu"):
        frame.group, frame.depth = parent.group, parent.depth
        frame.counter = parent.counter if parent.tag == "ol" else -1
        parent.counter += 1
    elif tag in ("p", "div") and parent is not None and parent.tag == "li" and not parent.emitted:
        frame.item = parent
    if parent is not None and tag not in _OWN_ITEMS:
        frame.owner = parent if parent.tag == "li" else parent.owner


def _close(frame: _Frame, stack: list[_Frame], walk: _Walk) -> None:
    if frame.tag == "ol":
        walk.last_list = (len(walk.blocks), frame.group, frame.counter)


def _nearest(stack: list[_Frame], tag: str) -> _Frame | None:
    for f in reversed(stack):
        if f.tag == tag:
            return f
    return None


def _flush(frame: _Frame, walk: _Walk, line_offset: int) -> None:
    """Emit the inline text gathered in a frame as blocks, one per line (after re-joining wraps)."""
    raw = "".join(frame.parts)
    frame.parts.clear()
    link_chars, strong_chars = frame.link_chars, frame.strong_chars
    frame.link_chars = frame.strong_chars = 0
    if raw.isspace():
        return
    if frame.tag == "pre":  # preformatted: the source's own newlines break lines
        lines = [ln for ln in raw.replace(BREAK, "\n").split("\n") if ln.strip()]
    elif BREAK in raw:
        lines = rejoin_wrapped([collapse_ws(ln) for ln in raw.split(BREAK)])
    else:  # elsewhere a newline in the source is white space
        lines = [collapse_ws(raw)]
    if not lines:
        return
    total = sum(len(ln) for ln in lines) or 1
    density = min(1.0, link_chars / total)
    tag = frame.tag
    fields = dict(tag=tag, chrome=frame.chrome, chrome_by_tag=frame.chrome_by_tag, link_density=density,
                  source_line=frame.line + line_offset if frame.line else 0)
    blocks = walk.blocks
    owner = frame.owner
    if tag in HEADINGS:
        text = collapse_ws(" ".join(lines))
        marker, rest = split_marker(text)
        numbered = any(ch.isdigit() for ch in marker)
        if numbered:
            text, number = rest, marker_number(marker)
        else:
            marker, number = "", None
        if owner is not None and not owner.emitted:
            # "1. ##### Neck Stretch" over its paragraphs: the heading names the item, and keeps its number
            owner.emitted = True
            if number is None and owner.counter > 0:
                marker, number = f"{owner.counter}.", owner.counter
        blocks.append(Block(text, "heading", level=int(tag[1]), list_marker=marker, number=number, **fields))
        return
    if tag == "dt":  # the label waits for its <dd>
        text = collapse_ws(" ".join(lines))
        blocks.append(Block(text, "field", key=text, **fields))
        return
    item = frame if tag == "li" else frame.item
    if item is not None and not item.emitted:
        item.emitted = True  # the item's first text; later text in the same item continues it
        text = collapse_ws(" ".join(lines))
        number = item.counter if item.counter > 0 else None
        marker = f"{number}." if number is not None else "•"
        own_marker, rest = split_marker(text)
        if number is None and own_marker and any(ch.isdigit() for ch in own_marker):
            marker, number, text = own_marker, marker_number(own_marker), rest  # "<li>3. Cobra</li>" in a <ul>
        blocks.append(Block(text, "list_item", list_marker=marker, number=number, depth=item.depth,
                            group=item.group, **fields))
        return
    if tag == "li":
        blocks.append(Block(collapse_ws(" ".join(lines)), "paragraph", depth=frame.depth, group=frame.group,
                            **fields))
        return
    if tag in ("td", "th"):
        blocks.append(Block(collapse_ws(" ".join(lines)), "cell", group=frame.group, row=frame.row,
                            col=frame.col, header=frame.in_head, **fields))
        return
    if tag == "dd":
        key = blocks[-1].key if blocks and blocks[-1].tag == "dt" else ""
        value = collapse_ws(" ".join(lines))
        if key:
            dt = blocks.pop()  # "<dt>Type</dt><dd>Seated</dd>" is one field: "Type: Seated"
            blocks.append(Block(f"{key}: {value}", "field", key=key, tag="dd", chrome=dt.chrome,
                                chrome_by_tag=dt.chrome_by_tag, link_density=density, source_line=dt.source_line))
        else:
            blocks.append(Block(value, "paragraph", **fields))
        return
    if tag in ("figcaption", "caption"):
        blocks.append(Block(collapse_ws(" ".join(lines)), "caption", **fields))
        return
    if owner is not None and owner.emitted:
        # a further paragraph of a list item (Markdown's loose lists: "1. **Name**", then indented
        # paragraphs): the item's text, in its list, never a heading of its own; a labelled line
        # ("Tip: ...") stays a field of the item
        for line in lines:
            block = classify_line(line, **fields)
            if block is None:
                continue
            if block.kind != "field":
                block.kind, block.level = "paragraph", 0
            block.group, block.depth = owner.group, owner.depth
            blocks.append(block)
        return
    # a paragraph or loose text in a container: one block per line, classified like a text line
    bold_heading = len(lines) == 1 and strong_chars >= 0.9 * total and word_count(lines[0]) <= HEADING_MAX_WORDS \
        and not field_label(lines[0])
    for line in lines:
        block = classify_line(line, **fields)
        if block is None:
            continue
        if bold_heading and block.kind == "paragraph":
            block.kind, block.level = "heading", 4
        blocks.append(block)
