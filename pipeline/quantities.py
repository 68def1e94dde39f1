"""Read hold times, durations, breaths, repetitions and frequency out of one sentence.

Pure functions over strings. Vague amounts ("a few seconds", "several times") give None,
never 0: a consumer must be able to tell "not stated" from a number. Every word these patterns
know (units, qualifiers, rest and progression phrases, breath and set words) comes from the
`quantities` block of `pipeline/data/lexicon.json`; numbers are read by one parser, `number`.

Every pattern runs in linear time on any input: each quantifier is bounded (`\\s{0,3}`, at most
four digits), a number cannot start inside a run of digits or a word, and the context checks
(rest, progression, open ends) look at a fixed-size window beside the match, never the whole
sentence. A 5 KB run of digits or of non-breaking spaces, or a 200 KB sentence of "10 seconds",
is read in milliseconds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from .knowledge import Knowledge, load_knowledge
from .records import HoldTime, Range

_S = r"\s{0,3}"  # the gap between a number and its unit, or around a range separator
_S1 = r"\s{1,3}"
_WINDOW = 48  # characters of context beside an amount that the rest/progression/open-end checks see
_TYPO_MIN_LEN = 6  # a unit word this long, one edit from "seconds"/"minutes", is that unit ("senconds")


def _alternation(phrases) -> str:
    """Phrases as one regex alternation, longest first, spaces matching a bounded run of whitespace."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(re.escape(p).replace(r"\ ", _S1) for p in ordered)


def _words(phrases, lead: bool = True) -> str:
    """Word phrases with word boundaries (before only when `lead`: a unit may follow a digit,
    "30s"); symbols ("+", "-") as they are. The boundaries sit outside each group of
    alternatives, so a position inside a word fails on one check instead of one per phrase."""
    groups: dict[tuple[bool, bool], list[str]] = {}
    for p in sorted(set(phrases), key=lambda p: (-len(p), p)):
        groups.setdefault((lead and bool(re.match(r"\w", p)), bool(re.search(r"\w$", p))), []).append(p)
    out = []
    for (before, after), members in sorted(groups.items(), reverse=True):
        out.append((r"\b" if before else "") + f"(?:{_alternation(members)})" + (r"\b" if after else ""))
    return "|".join(out)


@dataclass(frozen=True)
class _Grammar:
    numbers: dict[str, float]
    vague: frozenset[str]
    unit_seconds: dict[str, float]  # spelling -> seconds per unit
    typo_targets: dict[str, float]  # full unit words a misspelling is measured against
    at_least: frozenset[str]
    at_most: frozenset[str]
    set_units: frozenset[str]
    time: re.Pattern
    labelled_seconds: re.Pattern
    or_two: re.Pattern
    or_more: re.Pattern
    open_after: re.Pattern
    rest_before: re.Pattern
    rest_after: re.Pattern
    progression: re.Pattern
    phase: re.Pattern
    breath: re.Pattern
    reps: re.Pattern
    reps_adverb: re.Pattern
    reps_suffix: re.Pattern
    reps_prefix: re.Pattern
    reps_label: re.Pattern
    times_x: re.Pattern
    sets_of: re.Pattern
    sets: re.Pattern
    timed_set: re.Pattern
    breath_tempo: re.Pattern
    repeat_verb: re.Pattern
    frequency: re.Pattern


@lru_cache(maxsize=4)
def _grammar(kb: Knowledge) -> _Grammar:
    q = kb.lexicon["quantities"]
    vague = frozenset(q["vague_amounts"])
    adverbs = q["count_adverbs"]
    numbers = {w: float(v) for w, v in kb.lexicon["number_words"].items() if w not in vague}
    words = [w for w in numbers if w not in adverbs] + list(vague)
    # a number never starts inside a run of digits or a word, and has at most four digits; a fraction
    # ("1/2 minute", "1 1/2 minutes", "½ minute", "1½ minutes") is one number, read before its digits
    # are (else "1/2 minute" is "2 minute")
    vulgar = "".join(_VULGAR_FRACTIONS)
    fraction = (rf"(?<![\d./])(?:\d{{1,2}}[ -])?\d/\d{{1,2}}(?![\d/])"
                rf"|(?<![\d.])\d{{0,2}}[{vulgar}](?!\d)")
    num = rf"(?:{fraction}|(?<![\d.])\d{{1,4}}(?:\.\d{{1,2}})?(?!\d)|{_words(words)})"
    unit_seconds = {s: float(u["seconds"]) for u in q["time_units"] for s in u["spellings"]}
    units = rf"(?:{_words(unit_seconds, lead=False)})"
    # without a first unit ("5 to 30 senconds"), any word of 6-9 letters may be the unit; it is read
    # as one only when it is one edit from a unit spelling (checked in code)
    unit_or_typo = rf"(?(ua){units}|(?:{units}|[a-zA-Z]{{{_TYPO_MIN_LEN},9}}\b))"
    sep = rf"(?:{_words(q['range_separators'])})"
    qual_words = list(q["at_least"]) + list(q["at_most"]) + list(q["approximately"])
    qual = rf"(?:(?P<qual>{_words(qual_words)}){_S})?"
    per = _words(q["frequency_per"])
    period = _words(q["frequency_periods"])
    per_period = rf"(?:{per}){_S1}(?:{period})"
    adverb = _words(adverbs)
    freq_adverbs = _words(q["frequency_adverbs"])
    not_frequency = rf"(?!{_S1}(?:{per_period}|{freq_adverbs}))"
    rep_units = _words(kb.lexicon["repetition_units"], lead=False)
    times_sign = _alternation(q["multiplication_signs"])
    rep_manner = _words(q["repetition_manner_words"], lead=False)
    breath = rf"(?:(?:{_words(q['breath_adjectives'])}){_S1}){{0,3}}(?:{_words(q['breath_units'], lead=False)})"
    return _Grammar(
        numbers=numbers,
        vague=vague,
        unit_seconds=unit_seconds,
        typo_targets={s: v for s, v in unit_seconds.items() if len(s) >= _TYPO_MIN_LEN},
        at_least=frozenset(q["at_least"]),
        at_most=frozenset(q["at_most"]),
        set_units=frozenset(q["set_units"]),
        # "20-30 seconds", "15 seconds to 1 minute", "a 30-second hold", "5 to 30 senconds"
        time=re.compile(rf"{qual}(?P<a>{num}){_S}(?P<ua>{units})?{_S}(?:(?P<sep>{sep}){_S}(?P<b>{num}){_S})?"
                        rf"(?:-{_S})?(?P<ub>{unit_or_typo})", re.I),
        # "duration: 45" (a timer's field, no unit): seconds
        labelled_seconds=re.compile(rf"^\W{{0,3}}(?:{_words(q['unitless_time_labels'])}){_S}[:=]{_S}(?P<a>{num})"
                                    rf"(?:{_S}(?:{sep}){_S}(?P<b>{num}))?\W{{0,3}}$", re.I),
        or_two=re.compile(q["unit_or_two_pattern"].replace("{unit}", units), re.I),  # "a minute or two"
        or_more=re.compile(rf"(?P<a>{num}){_S}(?:{_words(q['open_end_markers'])}){_S}(?P<u>{units})", re.I),
        open_after=re.compile(q["open_end_after_pattern"], re.I),
        rest_before=re.compile(q["rest_before_pattern"], re.I),
        rest_after=re.compile(q["rest_after_pattern"], re.I),
        progression=re.compile(q["progression_before_pattern"], re.I),
        phase=re.compile(_words(q["phase_cues"]), re.I),
        breath=re.compile(rf"{qual}(?P<a>{num}){_S}(?:{sep}{_S}(?P<b>{num}){_S})?(?P<ub>{breath})", re.I),
        # "8 slow rounds", "10 gentle circles": a word of manner may stand between the count and its unit
        reps=re.compile(rf"{qual}(?P<a>{num}){_S}(?:{sep}{_S}(?P<b>{num}){_S})?(?:(?:{rep_manner}){_S1}){{0,2}}"
                        rf"(?P<unit>{rep_units}){not_frequency}", re.I),
        # "3-4x", "~5x", "3x each": a count written with a multiplication sign and no amount after it
        reps_suffix=re.compile(rf"(?P<a>{num})(?:{_S}{sep}{_S}(?P<b>{num}))?{_S}(?:{_alternation(q['count_suffixes'])})"
                               rf"(?!\w|{_S}{num}){not_frequency}", re.I),
        # "x10", "× 5 per side": a sign then a count, not after a number ("3 x 30 sec" is read above)
        reps_prefix=re.compile(rf"(?<![\w.])(?<!\d\s)(?:{_alternation(q['count_suffixes'])}){_S}(?P<a>{num})(?!{_S}-?{_S}{units})"
                               rf"{not_frequency}", re.I),
        reps_adverb=re.compile(rf"(?P<a>{adverb})(?:{_S1}(?:{sep}){_S1}(?P<b>{adverb}))?{not_frequency}", re.I),
        reps_label=re.compile(rf"(?:{_words(q['rep_labels'])}){_S}[:\-–]{_S}(?P<a>{num}){_S}(?:{sep}{_S}(?P<b>{num}))?",
                              re.I),
        # "3 x 30 sec", "30 seconds x 3": the multiplier is the repetitions
        times_x=re.compile(rf"(?P<a>{num}){_S}(?:{times_sign})(?={_S}{num}{_S}-?{_S}{units})"
                           rf"|{units}{_S}(?:{times_sign}){_S}(?P<b>{num})(?!\w)", re.I),
        # "2 sets of 8 to 10" (not "3 sets of 30-second hangs": a timed set, whose time is the hold)
        sets_of=re.compile(rf"{num}{_S1}(?:{_words(q['set_units'])}){q['set_of_pattern']}"
                           rf"(?P<a>{num}){_S}(?:{sep}{_S}(?P<b>{num}))?(?!{_S}-?{_S}(?:{units}))", re.I),
        # the number of sets: "2 sets of 5", "10 reps x 3 sets", "3 x 10 reps", "3 rounds"
        sets=re.compile(rf"(?P<a>{num}){_S}(?:{sep}{_S}(?P<b>{num}){_S})?(?:{_words(q['set_units'], lead=False)})\b"
                        rf"|(?P<x>{num}){_S}(?:{times_sign}){_S}{num}{_S}(?:{rep_units})", re.I),
        timed_set=re.compile(rf"{q['set_of_pattern']}(?:an?{_S1})?{num}{_S}-?{_S}(?:{units})", re.I),
        # "breathe in for 4, out for 6", "inhale for 4 seconds": a breathing tempo, not a hold
        breath_tempo=re.compile(q["breath_tempo_before_pattern"], re.I),
        repeat_verb=re.compile(_words(q["repeat_verbs"]), re.I),
        frequency=re.compile(
            rf"(?:(?P<a>{num}){_S}(?:{sep}{_S}(?P<b>{num}){_S})?times|{adverb}){_S1}{per_period}\b"
            rf"|(?:{num}{_S}(?:{sep}{_S}{num}{_S})?times{_S1})?(?:{freq_adverbs})", re.I),
    )


def number(token: str | None, kb: Knowledge | None = None) -> float | None:
    """The project's number parser: '20' -> 20, 'half a' -> 0.5, 'a few' -> None (vague)."""
    return _number(token, _grammar(kb or load_knowledge()))


def _number(token: str | None, g: _Grammar) -> float | None:
    if token is None:
        return None
    t = re.sub(r"\s+", " ", token.strip().lower())
    if t in g.vague:
        return None
    try:
        return float(t)
    except ValueError:
        pass
    fraction = _FRACTION.fullmatch(t)
    if fraction:
        if fraction["vulgar"]:
            return float(fraction["lead"] or 0) + _VULGAR_FRACTIONS[fraction["vulgar"]]
        whole = float(fraction["whole"] or 0)
        num, den = int(fraction["num"]), int(fraction["den"])
        return whole + num / den if den and num < den else None
    return g.numbers.get(t)


# the vulgar fraction characters a page may write an amount with, and their values
_VULGAR_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
# "1/2", "1 1/2", "1-1/2", "½", "1½": a proper fraction, after an optional whole number ("30/60" is none)
_FRACTION = re.compile(r"(?:(?P<whole>\d{1,2})[ -])?(?P<num>\d)/(?P<den>\d{1,2})|(?P<lead>\d{1,2})?(?P<vulgar>[½¼¾⅓⅔])")


def _unit_seconds(unit: str | None, g: _Grammar) -> float | None:
    """Seconds per unit for a spelling ("mins" -> 60) or a one-edit misspelling ("senconds" -> 1)."""
    if not unit:
        return None
    u = unit.lower()
    if u in g.unit_seconds:
        return g.unit_seconds[u]
    if len(u) < _TYPO_MIN_LEN:
        return None
    return next((v for target, v in g.typo_targets.items() if OSA.distance(u, target, score_cutoff=1) <= 1), None)


def _apply_qualifier(qual: str | None, lo: float | None, hi: float | None,
                     g: _Grammar) -> tuple[float | None, float | None]:
    q = re.sub(r"\s+", " ", (qual or "").lower())
    if q in g.at_least:
        return lo, None
    if q in g.at_most:
        return None, hi if hi is not None else lo
    return lo, hi


@dataclass(frozen=True)
class _Found:
    lo: float | None
    hi: float | None
    start: int
    end: int
    qual: str  # "at_least", "at_most" or ""


def _scan_times(sentence: str, g: _Grammar) -> list[_Found]:
    found: list[_Found] = []
    for m in g.or_two.finditer(sentence):  # "a minute or two"
        per = g.unit_seconds[m.group("u").lower()]
        found.append(_Found(per, 2 * per, m.start(), m.end(), ""))
    for m in g.or_more.finditer(sentence):  # "10 or more seconds": open-ended
        a = _number(m.group("a"), g)
        if a is not None:
            found.append(_Found(a * g.unit_seconds[m.group("u").lower()], None, m.start(), m.end(), "at_least"))
    labelled = g.labelled_seconds.match(sentence[:80])
    if labelled and _number(labelled.group("a"), g) is not None:
        a, b = _number(labelled.group("a"), g), _number(labelled.group("b"), g)
        found.append(_Found(a, b if labelled.group("b") else a, labelled.start(), labelled.end(), ""))
    special = sorted((f.start, f.end) for f in found)
    tempo: list[tuple[int, int]] = []
    for m in g.time.finditer(sentence):
        per_b = _unit_seconds(m.group("ub"), g)
        if per_b is None:
            continue  # "10 squats": not a time
        if m.group("ub").lower() == "s" and not m.group("a")[:1].isdigit():
            continue  # "a s" is not a time
        if any(s < m.end() and m.start() < e for s, e in special):
            continue  # already read as "a minute or two" or "10 or more seconds"
        before = sentence[max(0, m.start() - _WINDOW):m.start()]
        after = sentence[m.end():m.end() + _WINDOW]
        if g.rest_before.search(before) or g.rest_after.match(after):
            continue  # "Rest: 30 sec", "60 seconds between sets"
        if g.progression.search(sentence[max(0, m.start("a") - _WINDOW):m.start("a")]):
            continue  # "increase the hold by 5 seconds", "work up to 60 seconds": a goal, not the hold
        if g.breath_tempo.search(sentence[max(0, m.start() - _WINDOW):m.start()]):
            tempo.append((m.start(), m.end()))
            continue  # "breathe in for 4 seconds": how long one breath lasts
        a, b = _number(m.group("a"), g), _number(m.group("b"), g)
        if a is None:
            continue  # "a few seconds"
        per_a = g.unit_seconds[m.group("ua").lower()] if m.group("ua") else per_b
        lo = a * per_a
        if m.group("b") is None:
            hi = lo
        else:
            hi = None if b is None else b * per_b  # "20 seconds to a few minutes": a vague upper end stays open
        qual = re.sub(r"\s+", " ", (m.group("qual") or "").lower())
        lo, hi = _apply_qualifier(qual, lo, hi, g)
        if hi is not None and g.open_after.match(after):
            hi = None  # "20 seconds, longer if you like"
        kind = "at_least" if qual in g.at_least or hi is None else "at_most" if qual in g.at_most else ""
        found.append(_Found(lo, hi, m.start(), m.end(), kind))
    if len(tempo) >= 2:  # "inhale 4 s, hold 4 s, exhale 4 s": a breath held inside a breathing pattern
        found = [f for f in found if not (tempo[0][0] < f.start and f.end < tempo[-1][1])]
    found.sort(key=lambda f: f.start)
    return _join_bounds(found, sentence)


def _join_bounds(found: list[_Found], sentence: str) -> list[_Found]:
    """"Minimum 20 seconds, up to 60 seconds" and "20 seconds, up to 2 minutes" are one range:
    a lower bound (or a single amount) followed closely by an upper bound."""
    out: list[_Found] = []
    for f in found:
        prev = out[-1] if out else None
        if prev is not None and f.qual == "at_most" and prev.lo is not None and f.hi is not None \
                and prev.qual != "at_most" and f.hi >= prev.lo \
                and re.fullmatch(r"[\s,;(]{0,4}(?:and|but|or)?[\s,;]{0,3}", sentence[prev.end:f.start]):
            out[-1] = _Found(prev.lo, f.hi, prev.start, f.end, "")
        else:
            out.append(f)
    return out


_CACHED_CHARS = 2000  # sentences longer than this are scanned each time, never kept in the cache


def _times_in(sentence: str, kb: Knowledge) -> tuple[_Found, ...]:
    """One scan per sentence and knowledge base: extraction asks several questions of one sentence."""
    if len(sentence) > _CACHED_CHARS:
        return tuple(_scan_times(sentence, _grammar(kb)))
    return _cached_times(sentence, kb)


@lru_cache(maxsize=4096)
def _cached_times(sentence: str, kb: Knowledge) -> tuple[_Found, ...]:
    return tuple(_scan_times(sentence, _grammar(kb)))


def find_times(sentence: str, kb: Knowledge | None = None) -> list[HoldTime]:
    """Every time amount in a sentence, as seconds ("15 seconds to 1 minute" -> 15, 60).

    Rest periods ("Rest: 30 sec", "rest 60 seconds between sets") and progressions ("increase
    the hold by 5 seconds") are not holds and are skipped.
    """
    return [HoldTime(f.lo, f.hi, sentence[f.start:f.end].strip()) for f in _times_in(sentence, kb or load_knowledge())]


def find_phased_time(sentence: str, kb: Knowledge | None = None) -> HoldTime | None:
    """The time a sentence gives a hold, phases included: "10 s easy, then 20-30 s deeper" is one
    hold of 10-30 s whose text keeps both phases. Amounts not joined by a phase cue ("then",
    "followed by") stay apart, and the first is the sentence's time."""
    kb = kb or load_knowledge()
    g = _grammar(kb)
    found = list(_times_in(sentence, kb))
    if not found:
        return None
    first = last = found[0]
    for f in found[1:]:
        if not g.phase.search(sentence[last.end:f.start]):
            break
        last = f
    if last is first:
        return HoldTime(first.lo, first.hi, sentence[first.start:first.end].strip())
    phases = found[found.index(first):found.index(last) + 1]
    lows = [f.lo for f in phases if f.lo is not None]
    highs = [f.hi for f in phases]
    hi = None if any(h is None for h in highs) else max(highs)
    return HoldTime(min(lows) if lows else None, hi, sentence[first.start:last.end].strip())


def find_breaths(sentence: str, kb: Knowledge | None = None) -> Range | None:
    kb = kb or load_knowledge()
    return _breaths_in(sentence, kb) if len(sentence) > _CACHED_CHARS else _cached_breaths(sentence, kb)


@lru_cache(maxsize=4096)  # extraction asks it of one sentence several times (steps, then all usable text)
def _cached_breaths(sentence: str, kb: Knowledge) -> Range | None:
    return _breaths_in(sentence, kb)


def _breaths_in(sentence: str, kb: Knowledge) -> Range | None:
    g = _grammar(kb)
    for m in g.breath.finditer(sentence):
        a, b = _number(m.group("a"), g), _number(m.group("b"), g)
        if a is None:
            continue  # "a few deep breaths"
        lo, hi = _apply_qualifier(m.group("qual"), a, b if m.group("b") is not None else a, g)
        return Range(lo, hi, m.group(0).strip())
    return None


def find_repetitions(sentence: str, kb: Knowledge | None = None) -> Range | None:
    kb = kb or load_knowledge()
    return _repetitions_in(sentence, kb) if len(sentence) > _CACHED_CHARS else _cached_repetitions(sentence, kb)


@lru_cache(maxsize=4096)
def _cached_repetitions(sentence: str, kb: Knowledge) -> Range | None:
    return _repetitions_in(sentence, kb)


def _repetitions_in(sentence: str, kb: Knowledge) -> Range | None:
    g = _grammar(kb)
    times_x = g.times_x.search(sentence)
    if times_x and times_x.group("b") and re.match(rf"{_S}(?:{'|'.join(sorted(g.set_units))})\b",
                                                    sentence[times_x.end():], re.I):
        times_x = None  # "10 reps x 3 sets": the 3 counts sets
    if times_x and _number(times_x.group("a") or times_x.group("b"), g) is not None:
        n = _number(times_x.group("a") or times_x.group("b"), g)
        return Range(n, n, times_x.group(0).strip())
    sets_of = g.reps_label.search(sentence) or g.sets_of.search(sentence)  # "Reps: 10", "2 sets of 8 to 10"
    if sets_of and _number(sets_of.group("a"), g) is not None:
        a, b = _number(sets_of.group("a"), g), _number(sets_of.group("b"), g)
        return Range(a, b if b is not None else a, sets_of.group(0).strip())
    # "3 sets of 12 reps": the repetitions are the reps, not the sets
    first = chosen = None
    for m in g.reps.finditer(sentence):
        if m.group("unit").lower() in g.set_units and g.timed_set.match(sentence, m.end()):
            continue  # "3 sets of 30-second hangs": sets of a hold, not repetitions
        first = first or m
        if m.group("unit").lower() not in g.set_units:
            chosen = m
            break
    m = chosen or first
    if m:
        a, b = _number(m.group("a"), g), _number(m.group("b"), g)
        if a is None:
            return None  # "several times"
        lo, hi = _apply_qualifier(m.group("qual"), a, b if b is not None else a, g)
        return Range(lo, hi, m.group(0).strip())
    m = g.reps_suffix.search(sentence)
    if m and _number(m.group("a"), g) is not None:
        a, b = _number(m.group("a"), g), _number(m.group("b"), g)
        return Range(a, b if b is not None else a, m.group(0).strip())
    m = g.reps_prefix.search(sentence)
    if m and _number(m.group("a"), g) is not None:
        n = _number(m.group("a"), g)
        return Range(n, n, m.group(0).strip())
    m = g.reps_adverb.search(sentence)
    if m and g.repeat_verb.search(sentence):  # "Repeat twice", "repeat once or twice"
        a, b = _number(m.group("a"), g), _number(m.group("b"), g)
        return Range(a, b if b is not None else a, m.group(0))
    return None


def find_sets(sentence: str, kb: Knowledge | None = None) -> Range | None:
    """How many sets: "2 sets of 5" -> 2, "10 reps x 3 sets" -> 3, "3 x 10 reps" -> 3. None when
    the sentence names no sets (a count alone is repetitions)."""
    g = _grammar(kb or load_knowledge())
    for m in g.sets.finditer(sentence[:_CACHED_CHARS]):
        a = _number(m.group("a") or m.group("x"), g)
        if a is None:
            continue  # "a few rounds"
        b = _number(m.group("b"), g) if m.group("b") else a
        return Range(a, b if b is not None else a, m.group(0).strip())
    return None


def find_frequency(sentence: str, kb: Knowledge | None = None) -> str | None:
    kb = kb or load_knowledge()
    return _frequency_in(sentence, kb) if len(sentence) > _CACHED_CHARS else _cached_frequency(sentence, kb)


@lru_cache(maxsize=4096)  # a page's sentences are asked again for each record they belong to
def _cached_frequency(sentence: str, kb: Knowledge) -> str | None:
    return _frequency_in(sentence, kb)


def _frequency_in(sentence: str, kb: Knowledge) -> str | None:
    m = _grammar(kb).frequency.search(sentence)
    return m.group(0).strip() if m else None
