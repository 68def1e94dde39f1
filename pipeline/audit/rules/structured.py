"""What the page's structured data says against what it shows: structured-data-mismatch."""
from __future__ import annotations

from collections.abc import Iterator

from rapidfuzz import fuzz

from ...config import EXTRACT
from ...records import HowTo, Page, Stretch
from ..registry import Context, Hit, rule


@rule("structured-data-mismatch", "warning", scope="article")
def structured_data_mismatch(ctx: Context) -> Iterator[Hit]:
    """The page's JSON-LD HowTo steps put the reader in another position than its visible text.

    Search engines and voice assistants read the JSON-LD, readers the page: when they disagree
    (a HowTo step "Sit tall" for a section whose text says "Stand tall") one of them is wrong. The
    HowTo's steps are read by the same extraction as the page, so both sides use one set of rules."""
    meta = ctx.article.metadata
    if meta is None or not meta.howto:
        return
    for howto in meta.howto:
        structured = _read_howto(howto, ctx)
        if structured is None or structured.position is None:
            continue
        visible = _matching(structured, ctx.article.records, single=len(meta.howto) == 1)
        if visible is None or visible.position is None:
            continue
        allowed = {visible.position, *visible.position_options}
        if structured.position in allowed:
            continue
        said = next((m.sentence.text for m in structured.evidence.start_positions
                     if m.label == structured.position), structured.steps[0] if structured.steps else "")
        shown = tuple(m.sentence for m in visible.evidence.start_positions if m.label == visible.position)[:1]
        yield Hit(f"the page's JSON-LD HowTo '{howto.name or visible.name}' starts {structured.position} "
                  f"(\"{said}\") but the visible text starts {visible.position}",
                  shown, texts=(f"JSON-LD: {said}",), stretch=visible.name)


def _read_howto(howto: HowTo, ctx: Context) -> Stretch | None:
    """The HowTo as a one-section text page, through clean and extract."""
    from ...clean import clean_page
    from ...extract import extract_article

    name = howto.name or "Exercise"
    text = f"{name}\n\n1. {name}\n\n" + "\n\n".join(howto.steps) + "\n"
    article = extract_article(clean_page(Page(source="<json-ld>", format="text", text=text), ctx.kb), ctx.kb)
    return article.records[0] if len(article.records) == 1 else None


def _matching(structured: Stretch, records: list[Stretch], *, single: bool) -> Stretch | None:
    """The visible record the HowTo describes: same canonical exercise, else a close name, else
    the page's only record when the page has one HowTo."""
    if structured.canonical_name:
        same = [r for r in records if r.canonical_name == structured.canonical_name]
        if len(same) == 1:
            return same[0]
    scored = [(fuzz.token_set_ratio(structured.name.lower(), r.name.lower()), r) for r in records]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    if best[0] >= EXTRACT.list_match_score:
        return best[1]
    return records[0] if single and len(records) == 1 else None
