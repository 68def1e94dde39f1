"""Markdown -> Blocks: front matter read as data, the body rendered by markdown-it-py and walked
like HTML (so every later step sees one kind of block whatever the input format).

- YAML (`---`), TOML (`+++`) or JSON front matter: the title, and the content some sites keep
  there (a list of exercises with their durations, a page's steps) become blocks: a heading per
  named entry, labelled fields for its data, list items for its lists. Site metadata (layout,
  tags, dates, image paths) is not content (`front_matter_skip_keys` in boilerplate.json).
- Reader-tool headers ("Title:", "URL Source:") give the title.
- GFM tables, and pipe tables without a header row (which GFM does not read), become tables;
  raw HTML inside the Markdown is kept; hard breaks (`\\` or two trailing spaces) break lines.
- Every block keeps its source line (markdown-it's token map, shifted past the front matter).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, NamedTuple

from ..records import Block
from .blocks import collapse_ws
from .html import html_to_blocks

_FRONT_MATTER = re.compile(r"\A(?P<fence>---|\+\+\+)[ \t]*(?P<lang>\w*)[ \t]*\n(?P<body>.*?)\n(?P=fence)[ \t]*(?:\n|\Z)",
                           re.S)
_READER_HEADER = re.compile(r"^(Title|URL Source|Published Time|Markdown Content|Description):\s*(.*)$")
_HTML_LINE = re.compile(r"^\s{0,3}<(?:[a-zA-Z][^>]*>.*</[a-zA-Z]+|hr\b[^>]*|img\b[^>]*|br\b[^>]*)\s*/?>\s*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
FRONT_MATTER = "front_matter"  # the `tag` of blocks read from front matter
SHORT_SCALAR_WORDS = 3  # a front-matter list of entries this short is one field ("Muscles: core, hip flexors")


# Nesting past FLATTEN_LEVEL (token levels: a list is two, the list and its item; a quote one) is
# flattened: the deeper lines are read as headings and paragraphs in order, their list markers and
# quote marks dropped, never skipped (markdown-it itself drops everything past its maxNesting).
FLATTEN_LEVEL = 40
MAX_NESTING = 100  # markdown-it's own limit, raised from the commonmark preset's 20; above FLATTEN_LEVEL
_NESTING_PREFIX = re.compile(r"^(?:[ \t]*(?:>|[-+*]|\d{1,9}[.)])(?=[ \t]|$))*[ \t]*")
_ATX_HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


@lru_cache(maxsize=1)
def _renderer():
    from markdown_it import MarkdownIt
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
    md.block.ruler.before("table", "flatten_deep", _flatten_deep)
    return md


def _flatten_deep(state, start: int, end: int, silent: bool) -> bool:
    """A markdown-it block rule: the lines of a list item or quote nested past FLATTEN_LEVEL, as
    headings and paragraphs (one pass over the lines, no deeper recursion, so a page nested
    100,000 deep costs what its length costs)."""
    if state.level < FLATTEN_LEVEL or silent:
        return False
    paragraph: list[str] = []
    first = start

    def close_paragraph(line: int) -> None:
        if paragraph:
            _push_block(state, "paragraph", "p", "\n".join(paragraph), first, line)
            paragraph.clear()

    for line in range(start, end):
        text = _NESTING_PREFIX.sub("", state.src[state.bMarks[line]:state.eMarks[line]], count=1).rstrip()
        heading = _ATX_HEADING.match(text)
        if not text or heading:
            close_paragraph(line)
            if heading:
                _push_block(state, "heading", f"h{len(heading.group(1))}", heading.group(2) or "", line, line + 1)
            continue
        if not paragraph:
            first = line
        paragraph.append(text)
    close_paragraph(end)
    state.line = end
    return True


def _push_block(state, kind: str, tag: str, content: str, start: int, end: int) -> None:
    opening = state.push(f"{kind}_open", tag, 1)
    opening.map = [start, end]
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = content, [start, end], []
    state.push(f"{kind}_close", tag, -1)


def markdown_to_blocks(text: str, kb=None) -> tuple[str | None, list[Block]]:
    """The page's title and its blocks: front-matter content first, then the body."""
    if kb is None:
        from ..knowledge import load_knowledge
        kb = load_knowledge()
    title, meta, offset = None, None, 0
    m = _FRONT_MATTER.match(text)
    if m:
        meta = _load_front_matter(m.group("fence"), m.group("body"))
        if isinstance(meta, dict) and meta.get("title"):
            title = collapse_ws(str(meta["title"]))
        offset = text[:m.end()].count("\n")
        text = text[m.end():]
    body_lines = []
    for line in text.split("\n"):
        hm = _READER_HEADER.match(line)
        if hm and len(body_lines) < 12 and not any(ln.strip() for ln in body_lines if not _READER_HEADER.match(ln)):
            if hm.group(1) == "Title" and hm.group(2).strip():
                title = title or collapse_ws(hm.group(2))
            body_lines.append("")  # keep the line count, so source lines stay right
            continue
        body_lines.append(line)
    lines, origin = _close_html_lines(_headerless_tables(body_lines))
    html = _render("\n".join(lines), origin)
    html_title, blocks = html_to_blocks(f"<html><body>{html}</body></html>", kb.boilerplate_chrome_rules,
                                        line_offset=offset)
    front = front_matter_blocks(meta, kb, title) if isinstance(meta, dict) else []
    return title or html_title, front + blocks


def _load_front_matter(fence: str, body: str) -> Any:
    import tomllib  # the parsers only where a page has front matter: an HTML page never needs them

    import yaml

    try:
        if fence == "+++":
            return tomllib.loads(body)
        if body.lstrip().startswith("{"):
            return json.loads(body)
        return yaml.safe_load(body)
    except (yaml.YAMLError, json.JSONDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None  # unreadable front matter (broken, or nested past the parser's depth) is no data


def _render(markdown: str, origin: list[int]) -> str:
    """HTML with each block element's source line as `data-line` (0-based, in the body; `origin`
    maps the prepared lines back to the body's own)."""
    md = _renderer()
    tokens = md.parse(markdown)
    for token in tokens:
        if token.map and token.nesting == 1:
            token.attrSet("data-line", str(origin[min(token.map[0], len(origin) - 1)]))
    return md.renderer.render(tokens, md.options, {})


def _close_html_lines(lines: list[str]) -> tuple[list[str], list[int]]:
    """A line of raw HTML that closes itself (`<p><img src=...></p>`, `<hr>`) followed at once by
    Markdown ("- Raise both hands") would swallow that Markdown into the HTML block (CommonMark ends
    it only at a blank line), so the list would read as one run of text: a blank line goes between.
    Returns the lines and, for each, its line in the input."""
    out: list[str] = []
    origin: list[int] = []
    for n, line in enumerate(lines):
        out.append(line)
        origin.append(n)
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        if _HTML_LINE.match(line) and nxt.strip() and not nxt.lstrip().startswith("<"):
            out.append("")
            origin.append(n)
    return out, origin


def _headerless_tables(lines: list[str]) -> list[str]:
    """Runs of `| a | b |` rows with no `|---|` line under the first are tables GFM will not read:
    give them as HTML tables (cells rendered inline), keeping the line count."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _PIPE_ROW.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _PIPE_ROW.match(lines[j]):
            j += 1
        run = lines[i:j]
        if len(run) >= 2 and _DELIMITER_ROW.match(run[1]):
            out.extend(run)  # a GFM table: markdown-it reads it
        else:
            rows = "".join("<tr>" + "".join(f"<td>{_renderer().renderInline(c.strip())}</td>"
                                            for c in r.strip().strip("|").split("|")) + "</tr>" for r in run)
            out.append(f"<table>{rows}</table>")
            out.extend([""] * (len(run) - 1))
            if j < len(lines) and lines[j].strip():
                out.append("")
        i = j
    return out


# --------------------------------------------------------------------------- front matter as content

class _Keys(NamedTuple):
    skip: frozenset[str]  # site metadata, not content (boilerplate.json front_matter_skip_keys)
    names: tuple[str, ...]  # the key that names an entry (front_matter_name_keys)


def front_matter_blocks(meta: dict, kb, title: str | None) -> list[Block]:
    keys = _Keys(kb.front_matter_skip_keys, kb.front_matter_name_keys)
    blocks: list[Block] = []
    for key, value in meta.items():
        if str(key).lower() in keys.skip or str(key).lower() == "title" or _empty(value):
            continue
        _value_blocks(_label(key), value, 2, blocks, keys)
    if blocks and title:
        blocks.insert(0, Block(title, "heading", level=1, tag=FRONT_MATTER, source_line=1))
    return blocks


def _value_blocks(label: str, value: Any, level: int, out: list[Block], keys: _Keys) -> None:
    if isinstance(value, dict):
        out.append(Block(label, "heading", level=min(level, 6), tag=FRONT_MATTER, source_line=1))
        for k, v in value.items():
            if str(k).lower() not in keys.skip and not _empty(v):
                _value_blocks(_label(k), v, level + 1, out, keys)
    elif isinstance(value, list) and all(_is_short_scalar(v) for v in value):
        out.append(_field(label, ", ".join(str(v) for v in value if not _empty(v))))  # "muscles: [core, hips]"
    elif isinstance(value, list):
        out.append(Block(label, "heading", level=min(level, 6), tag=FRONT_MATTER, source_line=1))
        group = -1000 - len(out)  # a list of its own (negative ids: front matter, never an HTML list's)
        for n, item in enumerate(value, 1):
            if isinstance(item, dict):
                name = next((str(item[k]) for k in keys.names if isinstance(item.get(k), (str, int, float))), None)
                if name:
                    out.append(Block(collapse_ws(name), "heading", level=min(level + 1, 6), tag=FRONT_MATTER,
                                     source_line=1))
                for k, v in item.items():
                    if (name and str(k).lower() in keys.names and str(v) == name) or _empty(v) \
                            or str(k).lower() in keys.skip:
                        continue
                    if isinstance(v, (dict, list)):
                        _value_blocks(_label(k), v, level + 2, out, keys)
                    else:
                        out.append(_field(_label(k), v))
            elif not _empty(item):
                out.append(Block(_plain(str(item)), "list_item", list_marker=f"{n}.", number=n,
                                 group=group, tag=FRONT_MATTER, source_line=1))
    else:
        out.append(_field(label, value))


def _field(label: str, value: Any) -> Block:
    text = "yes" if value is True else _plain(str(value))
    return Block(f"{label}: {text}", "field", key=label, tag=FRONT_MATTER, source_line=1)


def _plain(value: str) -> str:
    """A front-matter value as text. Some sites keep HTML there ("<p>Lie on your <b>back</b></p>"):
    a small fragment, read with beautifulsoup4's forgiving parser (no page-sized tree to build)."""
    if "<" in value and ">" in value:
        from bs4 import BeautifulSoup
        value = BeautifulSoup(value, "html.parser").get_text(" ")
    return collapse_ws(value)


def _label(key: Any) -> str:
    words = re.sub(r"[_\-]+", " ", str(key)).strip()
    return words[:1].upper() + words[1:]


def _is_short_scalar(value: Any) -> bool:
    """A tag-like list entry ("core", "hip flexors"), not a step or an exercise."""
    return not isinstance(value, (dict, list)) and len(str(value).split()) <= SHORT_SCALAR_WORDS


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == {}
