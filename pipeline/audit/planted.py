"""Recall by planted faults, precision on pages as they are (`make eval-audit`, issue 16).

Real inconsistencies are rare, so this plants them: for every real stretch page of a corpus
(`expected/<page>.json` names stretches), one fault at a time is written into the page's own
text (a word of a heading or a step replaced, a sentence added after a step, a section pasted
again; never inside a tag), and the page is audited again. A fault counts as caught when a
`warning` or `error` of one of its rules (`pipeline/data/planted.json`) that the original page
did not have points between the planted stretch's heading and the next section's (anywhere on
the page for a changed count). Sites are drawn with a fixed seed, so a run is repeatable.

Precision is read on the unmodified pages (all of them): every `error` is false unless the
corpus labels (`gold.json`'s `true_flags`) name that stretch; warnings are counted per page.

    python -m pipeline.audit.planted ../shared/dev-corpus [--seed N] [--per-page N] [--details]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DATA_DIR
from ..records import Stretch
from .lint import AuditedPage, Finding, lint
from .locate import _GAP, SourceMap

CATCHING = ("warning", "error")


@dataclass(frozen=True)
class Plant:
    """One planted fault: the page's new text and where a finding must point to catch it."""

    fault: str
    page: str  # file name
    stretch: str | None
    text: str
    where: tuple[int, int] | None  # source offsets in `text`; None: anywhere on the page
    renamed: tuple[str, str] | None = None  # (new, old) name of the stretch, for comparing findings
    place: int | None = None  # where in the section, when one section holds several faults of a type


@dataclass
class Section:
    record: Stretch
    start: int  # the heading's element (HTML) or line (text, Markdown) in the source
    end: int  # where the next section's heading starts


@dataclass
class PageView:
    """An original page as audited: its source text and its sections located in it."""

    name: str
    audited: AuditedPage
    sections: list[Section] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.audited.page.text

    @property
    def html(self) -> bool:
        return self.audited.page.format == "html"


@dataclass
class Outcome:
    planted: Counter = field(default_factory=Counter)
    caught: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    pages: int = 0
    errors: int = 0
    false_errors: list[str] = field(default_factory=list)
    warnings: int = 0
    must_not: list[str] = field(default_factory=list)


def load_plan() -> dict:
    return json.loads((DATA_DIR / "planted.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- locating text in the source

def _in_markup(text: str, at: int, html: bool) -> bool:
    if not html:
        return False
    return text.rfind("<", 0, at) > text.rfind(">", 0, at)


def _words_rx(words: list[str]) -> re.Pattern:
    return re.compile(_GAP.join(re.escape(w) for w in words), re.I)


def _quote_span(view: PageView, start: int, end: int) -> tuple[int, int] | None:
    """Source offsets of the first and past the last word of a cleaned-text span."""
    quote = view.audited.doc.text[start:end]
    words = re.findall(r"[^\W_]+", quote)
    if not words:
        return None
    smap = SourceMap(view.text, view.audited.doc)
    at = smap.locate_span(start, end)
    head = _words_rx(words[:6]).search(view.text, at)
    if head is None or head.start() - at > 200:
        return None
    tail = _words_rx(words[-4:]).search(view.text, head.start())
    if tail is None or tail.end() - head.start() > 4 * len(quote) + 400:
        return None
    stop = tail.end()
    if stop < len(view.text) and view.text[stop] in ".!?" and quote.rstrip()[-1:] in ".!?":
        stop += 1
    return head.start(), stop


def _find_word(view: PageView, span: tuple[int, int], word_rx: re.Pattern) -> re.Match | None:
    for m in word_rx.finditer(view.text, span[0], span[1]):
        if not _in_markup(view.text, m.start(), view.html):
            return m
    return None


def _element_start(view: PageView, at: int) -> int:
    """Where the heading whose text starts at `at` begins: its tag (HTML) or its line."""
    if view.html:
        opened = [m.start() for m in re.finditer(r"<h[1-6]\b", view.text[max(0, at - 400):at], re.I)]
        return max(0, at - 400) + opened[-1] if opened else at
    return view.text.rfind("\n", 0, at) + 1


def locate_sections(view: PageView) -> None:
    doc = view.audited.doc
    smap = SourceMap(view.text, doc)
    starts = []
    for r in view.audited.article.records:
        h = r.evidence.heading
        if h is None:
            continue
        span = _quote_span(view, h.start, h.end)
        at = span[0] if span else smap.locate_span(h.start, h.end)
        starts.append((_element_start(view, at), r))
    starts.sort(key=lambda pair: pair[0])
    for i, (at, r) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(view.text)
        if end > at:
            view.sections.append(Section(r, at, end))


def _replace(view: PageView, a: int, b: int, new: str) -> str:
    return view.text[:a] + new + view.text[b:]


def _same_case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def _stretch_sections(view: PageView) -> list[Section]:
    return [s for s in view.sections if s.record.kind in ("static-stretch", "dynamic-stretch")]


def _shifted(s: Section, delta: int) -> tuple[int, int]:
    return s.start, s.end + delta


# --------------------------------------------------------------------------- the faults

def plant_name_position(view: PageView, plan: dict, rng: random.Random) -> Iterator[Plant]:
    """"Seated ..." over steps that start standing."""
    for s in _stretch_sections(view):
        r = s.record
        if not r.evidence.start_positions or r.evidence.name_positions or not r.position:
            continue
        words = [w for w in plan["name_word_against"].get(r.position, [])]
        h = r.evidence.heading
        span = _quote_span(view, h.start, h.end)
        if not span or not words:
            continue
        first = re.findall(r"[^\W_]+", r.name)
        m = _find_word(view, span, re.compile(r"\b" + re.escape(first[0]) + r"\b")) if first else None
        if m is None:
            continue
        word = rng.choice(words)
        new = _replace(view, m.start(), m.start(), word + " ")
        yield Plant("name-position", view.name, r.name, new, _shifted(s, len(word) + 1),
                    renamed=(f"{word} {r.name}", r.name))


def plant_first_step_position(view: PageView, plan: dict) -> Iterator[Plant]:
    """"Sit" in the first step where the rest of the section stands."""
    verbs = plan["verb_against"]
    rx = re.compile(r"\b(" + "|".join(re.escape(v) for v in verbs if not v.startswith("_")) + r")\b", re.I)
    for s in _stretch_sections(view):
        r = s.record
        starts = [m for m in r.evidence.start_positions if m.sentence.role == "step"]  # a step, not a label
        if not starts or starts[0].label != r.position:
            continue
        first = starts[0]
        # the rest must say the position too: the name, or another sentence's cue
        again = r.evidence.name_positions and first.label in r.evidence.name_positions or any(
            m.label == first.label and m.sentence.start != first.sentence.start for m in r.evidence.positions)
        if not again:
            continue
        span = _quote_span(view, first.sentence.start, first.sentence.end)
        m = _find_word(view, span, rx) if span else None
        if m is None or not s.start <= m.start() < s.end:
            continue
        new_word = _same_case(verbs[m.group(1).lower()], m.group(1))
        yield Plant("first-step-position", view.name, r.name, _replace(view, m.start(), m.end(), new_word),
                    _shifted(s, len(new_word) - len(m.group(1))))


def _hold_sentence(r: Stretch):
    if r.hold is None:
        return None
    return next((q for q in r.evidence.sentences if r.hold.text in q.text and q.role == "step"),
                next((q for q in r.evidence.sentences if r.hold.text in q.text), None))


def plant_hold_unit(view: PageView, plan: dict) -> Iterator[Plant]:
    """"30 minutes" for "30 seconds"."""
    units = plan["unit_to_minutes"]
    rx = re.compile(r"(?<=\d)\s*(" + "|".join(sorted(map(re.escape, units), key=len, reverse=True)) + r")\b", re.I)
    for s in _stretch_sections(view):
        r = s.record
        q = _hold_sentence(r)
        if q is None or r.hold.min_seconds is None and r.hold.max_seconds is None or not rx.search(r.hold.text):
            continue
        span = _quote_span(view, q.start, q.end)
        m = _find_word(view, span, rx) if span else None
        if m is None or not s.start <= m.start() < s.end:
            continue
        unit = m.group(1)
        new_unit = _same_case(units[unit.lower()], unit)
        yield Plant("hold-unit", view.name, r.name, _replace(view, m.start(1), m.end(1), new_unit),
                    _shifted(s, len(new_unit) - len(unit)))


def plant_second_hold(view: PageView, plan: dict, rng: random.Random) -> Iterator[Plant]:
    """A second hold, different from the one the section states, added after it."""
    for s in _stretch_sections(view):
        r = s.record
        q = _hold_sentence(r)
        if q is None or r.hold.max_seconds is None and r.hold.min_seconds is None:
            continue
        top = r.hold.max_seconds if r.hold.max_seconds is not None else r.hold.min_seconds
        n = 15 if top >= 45 else 60
        span = _quote_span(view, q.start, q.end)
        # the sentence must end where its own last word does: a quote whose span runs past it (a table
        # cell's "Time: 45s each", labelled from its column) would put the hold into the next row
        at = _sentence_end(view, span[1]) if span and _ends_with_word_of(view, span, q.text) else None
        if at is None or not s.start <= at <= s.end:  # the hold's words found in another section (a table row)
            continue
        sentence = _after(view, at) + rng.choice(plan["second_hold"]).format(n=n)
        yield Plant("second-hold", view.name, r.name, _replace(view, at, at, sentence),
                    _shifted(s, len(sentence)))


def _ends_with_word_of(view: PageView, span: tuple[int, int], text: str) -> bool:
    found, said = re.findall(r"[^\W_]+", view.text[span[0]:span[1]]), re.findall(r"[^\W_]+", text)
    return bool(found and said) and found[-1].lower() == said[-1].lower()


def _sentence_end(view: PageView, at: int) -> int | None:
    """Where a sentence may be added after the one ending at `at`: past its full stop, never inside
    a word (a quote matched short of the page's own spelling), markup, or front matter (data, not
    prose a reader sees)."""
    if at < len(view.text) and view.text[at] in ".!?" and view.text[at - 1:at].isalnum():
        at += 1
    if view.text[at:at + 1].isalnum() or _in_markup(view.text, at, view.html) or at < _front_matter_end(view):
        return None
    return at


def _front_matter_title(view: PageView, at: int) -> bool:
    """Whether `at` is on the front matter's `title:` line (the page's title; its other keys are data)."""
    line = view.text[view.text.rfind("\n", 0, at) + 1:at]
    return bool(re.match(r"\s*title\s*:", line, re.I))


def _front_matter_end(view: PageView) -> int:
    if view.html or not view.text.startswith("---"):
        return 0
    m = re.compile(r"^(?:---|\.\.\.)\s*$", re.M).search(view.text, 3)
    return m.end() if m else 0


def _after(view: PageView, at: int) -> str:
    """What goes between a sentence and one added after it: a full stop where the page's own line
    has none (a list item "Hold 20-30 seconds"), then a space."""
    return " " if view.text[:at].rstrip()[-1:] in ".!?" else ". "


def _after_last_step(view: PageView, s: Section) -> int | None:
    steps = [q for q in s.record.evidence.sentences if q.role == "step" and not q.variant]
    if not steps:
        return None
    span = _quote_span(view, steps[-1].start, steps[-1].end)
    at = _sentence_end(view, span[1]) if span else None
    if at is None or not s.start <= at <= s.end:
        return None
    return at


def _plant_sentence(view: PageView, fault: str, sentences: list[str], rng: random.Random,
                    kinds: tuple[str, ...]) -> Iterator[Plant]:
    for s in _stretch_sections(view):
        if s.record.kind not in kinds:
            continue
        at = _after_last_step(view, s)
        if at is None:
            continue
        sentence = _after(view, at) + rng.choice(sentences)
        yield Plant(fault, view.name, s.record.name, _replace(view, at, at, sentence), _shifted(s, len(sentence)))


def plant_unsafe(view: PageView, plan: dict, rng: random.Random) -> Iterator[Plant]:
    yield from _plant_sentence(view, "unsafe", plan["unsafe"], rng, ("static-stretch",))


def plant_strength(view: PageView, plan: dict, rng: random.Random) -> Iterator[Plant]:
    yield from _plant_sentence(view, "strength", plan["strength"], rng, ("static-stretch", "dynamic-stretch"))


def plant_pasted_section(view: PageView, plan: dict) -> Iterator[Plant]:
    """A section pasted again right after itself (not the last one: its end is the page's end)."""
    for s in view.sections[:-1]:
        if s.record.kind not in ("static-stretch", "dynamic-stretch"):
            continue
        chunk = view.text[s.start:s.end]
        if not chunk.endswith("\n") and not view.html:
            chunk += "\n"
        yield Plant("pasted-section", view.name, s.record.name, _replace(view, s.end, s.end, chunk),
                    (s.start, s.end + len(chunk)))


def plant_count(view: PageView, plan: dict, rng: random.Random) -> Iterator[Plant]:
    """The count in the title or intro changed: in every place the page states it, or in one of them
    only (the title says 7 where the intro still says 6); in digits or in words as the page writes it."""
    article = view.audited.article
    n = article.claimed_count
    if n is None or not article.records:
        return
    words = plan["number_words"]
    first_record = min((s.start for s in view.sections), default=len(view.text))
    units = "|".join(map(re.escape, plan["not_counts"]))
    said = [str(n)] + ([words[n]] if n < len(words) else [])
    rx = re.compile(rf"\b({'|'.join(said)})\b(?!\s+(?:{units})\b)(?=\s+(?:[\w'’-]+\s+){{0,4}}?[A-Za-z-]+s\b)",
                    re.I)
    front = _front_matter_end(view)
    hits = [m for m in rx.finditer(view.text) if not _in_markup(view.text, m.start(), view.html)
            and m.start() < first_record and (m.start() >= front or _front_matter_title(view, m.start()))]
    if not hits:
        return
    other = n + rng.choice([-2, -1, 1, 2] if n > 3 else [1, 2])

    def changed(ms: list[re.Match]) -> str:
        text = view.text
        for m in reversed(ms):
            new = str(other) if m.group(1).isdigit() else _same_case(words[other], m.group(1)) \
                if other < len(words) else str(other)
            text = text[:m.start()] + new + text[m.end():]
        return text

    yield Plant("count", view.name, None, changed(hits), None)
    if len(hits) > 1:  # one place alone: the page now disagrees with itself as well as with its sections
        for m in hits:
            yield Plant("count", view.name, None, changed([m]), None, place=m.start())


# a side, not "a right angle", "right away", "right here": flipping those plants no side fault
_SIDE = re.compile(r"\b(left|right)\b(?!\s+(?:angles?|away|now|here|there|after|before|above|below)\b)", re.I)


def plant_side_flip(view: PageView, plan: dict, rng: random.Random) -> Iterator[Plant]:
    """One side word flipped in a step that names a side twice."""
    for s in _stretch_sections(view):
        for q in s.record.evidence.sentences:
            if q.role != "step" or len(_SIDE.findall(q.text)) < 2:
                continue
            span = _quote_span(view, q.start, q.end)
            if span is None:
                continue
            sides = [m for m in _SIDE.finditer(view.text, span[0], span[1])
                     if not _in_markup(view.text, m.start(), view.html)]
            if len(sides) < 2:
                continue
            for m in sides:  # each side word flipped is a fault of its own (one at a time)
                flipped = _same_case("right" if m.group(1).lower() == "left" else "left", m.group(1))
                yield Plant("side-flip", view.name, s.record.name, _replace(view, m.start(), m.end(), flipped),
                            _shifted(s, len(flipped) - len(m.group(1))), place=m.start())
            break


PLANTERS: dict[str, Callable[..., Iterator[Plant]]] = {
    "name-position": plant_name_position,
    "first-step-position": lambda v, p, rng: plant_first_step_position(v, p),
    "hold-unit": lambda v, p, rng: plant_hold_unit(v, p),
    "second-hold": plant_second_hold,
    "count": plant_count,
    "pasted-section": lambda v, p, rng: plant_pasted_section(v, p),
    "unsafe": plant_unsafe,
    "strength": plant_strength,
    "side-flip": plant_side_flip,
}


def plants(view: PageView, plan: dict, seed: int, per_page: int) -> list[Plant]:
    """Up to `per_page` faults of each type on one page, drawn with a seed of the page's name."""
    out = []
    for fault, planter in PLANTERS.items():
        rng = random.Random(f"{seed}:{view.name}:{fault}")
        candidates = [p for p in planter(view, plan, rng) if p.text != view.text]
        # one fault per section (per place, where a section holds several): the first candidate of each
        by_stretch = list({(p.stretch, p.place): p for p in reversed(candidates)}.values())[::-1]
        out += rng.sample(by_stretch, min(per_page, len(by_stretch)))
    return out


# --------------------------------------------------------------------------- scoring

def _offset(text_lines: list[int], f: Finding) -> int:
    return text_lines[f.line - 1] + f.column - 1 if 0 < f.line <= len(text_lines) else -1


def _key(f: Finding, renamed: tuple[str, str] | None = None) -> tuple:
    message, stretch = f.message, f.stretch
    if renamed:
        message = message.replace(renamed[0], renamed[1])
        stretch = renamed[1] if stretch == renamed[0] else stretch
    return f.rule, stretch, message


def caught(plant: Plant, original: list[Finding], audited: AuditedPage, rules: set[str]) -> bool:
    before = Counter(_key(f) for f in original)
    lines = [0] + [m.end() for m in re.finditer(r"\n", audited.page.text)]
    for f in audited.findings:
        if f.rule not in rules or f.severity not in CATCHING:
            continue
        key = _key(f, plant.renamed)
        if before[key] > 0:
            before[key] -= 1
            continue
        at = _offset(lines, f)
        if plant.where is None or plant.where[0] <= at < plant.where[1]:
            return True
    return False


def _label_key(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", re.sub(r"^\s*\d+[.)]\s*", "", name.lower())))


def evaluate(corpus: Path, seed: int = 16, per_page: int = 2, details: bool = False) -> Outcome:
    plan = load_plan()
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))["articles"]
    pages = sorted(p for p in (corpus / "pages").iterdir() if p.is_file())
    result = lint([str(p) for p in pages])
    outcome = Outcome()
    views: list[PageView] = []
    for audited in result.pages:
        path = Path(audited.page.source)
        labels = gold.get(path.name, {})
        true = {_label_key(t["stretch"]) for t in labels.get("true_flags", [])}
        outcome.pages += 1
        for f in audited.findings:
            if f.severity == "error":
                outcome.errors += 1
                if _label_key(f.stretch or "") not in true or not f.stretch:
                    outcome.false_errors.append(f"{path.name}:{f.line}: {f.rule} [{f.stretch}] {f.message}")
            elif f.severity == "warning":
                outcome.warnings += 1
            if f.severity in CATCHING and f.rule in labels.get("must_not_flag", {}).get(f.stretch or "", []):
                outcome.must_not.append(f"{path.name}:{f.line}: {f.rule} [{f.stretch}] {f.message}")
        expected = corpus / "expected" / f"{path.stem}.json"
        if expected.is_file() and json.loads(expected.read_text(encoding="utf-8")).get("stretches"):
            view = PageView(path.name, audited)
            locate_sections(view)
            views.append(view)
    planned = [p for v in views for p in plants(v, plan, seed, per_page)]
    originals = {v.name: v.audited.findings for v in views}
    with tempfile.TemporaryDirectory(prefix="stretchpipe-planted-") as tmp:
        paths = []
        for i, p in enumerate(planned):
            path = Path(tmp) / f"{i:04d}" / p.page
            path.parent.mkdir()
            path.write_text(p.text, encoding="utf-8")
            paths.append(str(path))
        planted_result = lint(paths)
        by_source = {a.page.source: a for a in planted_result.pages}
        for p, path in zip(planned, paths):
            outcome.planted[p.fault] += 1
            audited = by_source.get(path)
            if audited is not None and caught(p, originals[p.page], audited, set(plan["rules"][p.fault])):
                outcome.caught[p.fault] += 1
            elif details:
                outcome.misses.append(f"missed {p.fault} in {p.page} [{p.stretch}]")
    return outcome


def table(outcome: Outcome, details: bool = False) -> str:
    lines = [f"{'fault planted':<22} {'planted':>7} {'caught':>6} {'recall':>7}"]
    for fault in PLANTERS:
        n, c = outcome.planted[fault], outcome.caught[fault]
        lines.append(f"{fault:<22} {n:>7} {c:>6} {c / n if n else 0:>7.3f}")
    n, c = sum(outcome.planted.values()), sum(outcome.caught.values())
    lines.append(f"{'all':<22} {n:>7} {c:>6} {c / n if n else 0:>7.3f}")
    lines.append("")
    lines.append(f"unmodified pages: {outcome.pages}; errors: {outcome.errors}, outside true_flags: "
                 f"{len(outcome.false_errors)}; warnings: {outcome.warnings} "
                 f"({outcome.warnings / max(1, outcome.pages):.2f} per page); "
                 f"must_not_flag findings: {len(outcome.must_not)}")
    if details:
        lines += [""] + [f"false error {e}" for e in outcome.false_errors] + \
                 [f"must_not_flag {e}" for e in outcome.must_not] + outcome.misses
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.audit.planted", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default="../shared/dev-corpus",
                        help="folder with pages/, expected/ and gold.json")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--per-page", type=int, default=2, help="faults of each type planted per page")
    parser.add_argument("--details", action="store_true", help="list false errors and missed faults")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not (corpus / "pages").is_dir() or not (corpus / "gold.json").is_file():
        print(f"error: {corpus} has no pages/ folder and gold.json (the development corpus)", file=sys.stderr)
        return 2
    print(table(evaluate(corpus, args.seed, args.per_page, args.details), args.details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
