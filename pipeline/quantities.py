"""Read hold times, durations, breaths, repetitions and frequency out of one sentence.

Pure functions over strings. Vague amounts ("a few seconds", "several times") give None,
never 0: a consumer must be able to tell "not stated" from a number.
"""
from __future__ import annotations

import re

from .knowledge import load_knowledge
from .records import HoldTime, Range

_WORDS = load_knowledge().lexicon["number_words"]
_VAGUE = {"a few", "few", "several", "some", "many", "a couple"}
_NUM = (r"(?:\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in _WORDS if w not in _VAGUE), key=len, reverse=True))
        + r"|several|a few|few)")
_SEC = r"(?:seconds?|secs?|s)\b"
_MIN = r"(?:minutes?|mins?)\b"
_TIME_UNIT = rf"(?:{_SEC}|{_MIN})"
_BREATH_UNIT = r"(?:(?:slow|deep|long|full|steady|big|calm|complete|even)\s+)*(?:breaths?|breath cycles?|inhales?|exhales?)\b"
_RANGE_SEP = r"(?:-|–|—|to|and|or)"
_QUAL = (r"(?P<qual>at least|no less than|a minimum of|minimum of|minimum|up to|no more than|a maximum of|"
         r"maximum of|as long as|about|around|approximately|roughly|between|somewhere between|anywhere from|from)?")

_TIME_RE = re.compile(  # "20-30 seconds", "15 seconds to 1 minute", "a 30-second hold"
    rf"{_QUAL}\s*(?P<a>{_NUM})\s*(?P<ua>{_TIME_UNIT})?\s*(?:{_RANGE_SEP}\s*(?P<b>{_NUM})\s*)?(?:-\s*)?(?P<ub>{_TIME_UNIT})",
    re.I)
_OR_TWO_RE = re.compile(r"\b(?:a|one)\s+(?P<u>minute|min)\s+or\s+two\b", re.I)  # "a minute or two"
_BREATH_RE = re.compile(
    rf"{_QUAL}\s*(?P<a>{_NUM})\s*(?:{_RANGE_SEP}\s*(?P<b>{_NUM})\s*)?(?P<ub>{_BREATH_UNIT})", re.I)
_UNITS = "|".join(sorted(map(re.escape, load_knowledge().lexicon["repetition_units"]), key=len, reverse=True))
_REPS_RE = re.compile(
    rf"{_QUAL}\s*(?P<a>{_NUM})\s*(?:{_RANGE_SEP}\s*(?P<b>{_NUM})\s*)?"
    rf"(?P<unit>{_UNITS})\b(?!\s+(?:(?:a|per|each|every)\s+(?:day|week)|daily|weekly))", re.I)
_REPS_ADVERB_RE = re.compile(r"\b(?P<a>once|twice|thrice)\b(?!\s+(?:(?:a|per|each|every)\s+(?:day|week)|daily|weekly))", re.I)
_FREQ_RE = re.compile(
    rf"\b(?:(?P<a>{_NUM})\s*(?:{_RANGE_SEP}\s*(?P<b>{_NUM})\s*)?times|once|twice|thrice)\s+(?:a|per|each|every)\s+(?:day|week)\b"
    r"|\b(?:(?P<c>" + _NUM + r")\s*(?:" + _RANGE_SEP + r"\s*(?P<d>" + _NUM + r")\s*)?times\s+)?(?:daily|every day|a day|each day|per day|weekly)\b",
    re.I)


def number(token: str | None) -> float | None:
    """'20' -> 20, 'half a' -> 0.5, 'a few' -> None (vague)."""
    if token is None:
        return None
    t = token.strip().lower()
    if t in _VAGUE:
        return None
    try:
        return float(t)
    except ValueError:
        return float(_WORDS[t]) if t in _WORDS else None


def _seconds(value: float | None, unit: str | None) -> float | None:
    if value is None:
        return None
    return value * 60 if unit and unit.lower().startswith("min") else value


def _apply_qualifier(qual: str | None, lo: float | None, hi: float | None) -> tuple[float | None, float | None]:
    q = (qual or "").lower()
    if q in {"at least", "no less than", "a minimum of", "minimum of", "minimum"}:
        return lo, None
    if q in {"up to", "no more than", "a maximum of", "maximum of", "as long as"}:
        return None, hi if hi is not None else lo
    return lo, hi


_OR_MORE_RE = re.compile(rf"(?P<a>{_NUM})\s*(?:or more|or longer|\+|plus)\s*(?P<u>{_TIME_UNIT})", re.I)


_REST_BEFORE = re.compile(r"(\brest\s*[:\-–]\s*|\b(rest|recover|recovery|break)\b[^.]{0,20}\bbetween\b[^.]{0,20}|\brest( for)?\s*)$", re.I)
_REST_AFTER = re.compile(r"^\s*(of (rest|recovery)|rest\b|between (sets|reps|rounds|each))", re.I)


def find_times(sentence: str) -> list[HoldTime]:
    """Every time amount in a sentence, as seconds ("15 seconds to 1 minute" -> 15, 60).

    Rest periods ("Rest: 30 sec", "rest 60 seconds between sets") are not holds and are skipped.
    """
    out = []
    for m in _OR_TWO_RE.finditer(sentence):
        out.append(HoldTime(60, 120, m.group(0)))
    for m in _OR_MORE_RE.finditer(sentence):  # "10 or more seconds": open-ended
        out.append(HoldTime(_seconds(number(m.group("a")), m.group("u")), None, m.group(0).strip()))
    for m in _TIME_RE.finditer(sentence):
        if _REST_BEFORE.search(sentence[:m.start()]) or _REST_AFTER.match(sentence[m.end():]):
            continue
        if m.group("ub").lower() == "s" and not re.match(r"\d", m.group("a") or ""):
            continue  # "a s" is not a time
        if any(o.text in m.group(0) or m.group(0) in o.text for o in out):
            continue  # already read as "a minute or two" or "10 or more seconds"
        a, b = number(m.group("a")), number(m.group("b"))
        if a is None and b is None:
            continue
        unit_b = m.group("ub")
        unit_a = m.group("ua") or unit_b
        lo, hi = _seconds(a, unit_a), _seconds(b, unit_b) if b is not None else _seconds(a, unit_a)
        lo, hi = _apply_qualifier(m.group("qual"), lo, hi)
        out.append(HoldTime(lo, hi, m.group(0).strip()))
    return out


def find_breaths(sentence: str) -> Range | None:
    m = _BREATH_RE.search(sentence)
    if not m:
        return None
    a, b = number(m.group("a")), number(m.group("b"))
    if a is None:
        return None
    lo, hi = _apply_qualifier(m.group("qual"), a, b if b is not None else a)
    return Range(lo, hi, m.group(0).strip())


_REPS_LABEL_RE = re.compile(rf"\b(?:reps|repetitions)\s*[:\-–]\s*(?P<a>{_NUM})\s*(?:{_RANGE_SEP}\s*(?P<b>{_NUM}))?", re.I)
_TIMES_X_RE = re.compile(  # "3 x 30 sec", "30 seconds x 3": the multiplier is the repetitions
    rf"\b(?P<a>{_NUM})\s*[x×]\s*(?={_NUM}\s*-?\s*{_TIME_UNIT})|{_TIME_UNIT}\s*[x×]\s*(?P<b>{_NUM})\b", re.I)
_SETS_OF_RE = re.compile(rf"\b{_NUM}\s+(?:sets?|rounds?)\s+of\s+(?P<a>{_NUM})\s*(?:{_RANGE_SEP}\s*(?P<b>{_NUM}))?", re.I)


def find_repetitions(sentence: str) -> Range | None:
    times_x = _TIMES_X_RE.search(sentence)
    if times_x and number(times_x.group("a") or times_x.group("b")) is not None:
        n = number(times_x.group("a") or times_x.group("b"))
        return Range(n, n, times_x.group(0).strip())
    sets_of = _REPS_LABEL_RE.search(sentence) or _SETS_OF_RE.search(sentence)  # "Reps: 10", "2 sets of 8 to 10"
    if sets_of and number(sets_of.group("a")) is not None:
        a, b = number(sets_of.group("a")), number(sets_of.group("b"))
        return Range(a, b if b is not None else a, sets_of.group(0).strip())
    matches = list(_REPS_RE.finditer(sentence))
    # "3 sets of 12 reps": the repetitions are the reps, not the sets
    m = next((x for x in matches if x.group("unit").lower() not in {"sets", "rounds", "cycles"}), None) \
        or (matches[0] if matches else None)
    if m:
        a, b = number(m.group("a")), number(m.group("b"))
        if a is None:
            return None  # "several times"
        lo, hi = _apply_qualifier(m.group("qual"), a, b if b is not None else a)
        return Range(lo, hi, m.group(0).strip())
    m = _REPS_ADVERB_RE.search(sentence)
    if m and re.search(r"\b(repeat|do|perform)\b", sentence, re.I):
        n = number(m.group("a"))
        return Range(n, n, m.group(0))
    return None


def find_frequency(sentence: str) -> str | None:
    m = _FREQ_RE.search(sentence)
    return m.group(0).strip() if m else None
