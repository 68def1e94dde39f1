"""The knowledge base: every data file under pipeline/data, loaded once per process.

Code asks questions of it (`match_exercise`, `body_part`, `looks_like_exercise`); it never
hard-codes stretch names, body parts or phrases itself.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path

from rapidfuzz import fuzz, process

from .config import DATA_DIR, EXTRACT


@dataclass(frozen=True)
class ExerciseEntry:
    canonical_name: str
    aliases: tuple[str, ...]
    position: str | None
    primary_targets: tuple[str, ...]
    secondary_targets: tuple[str, ...]
    kind: str
    source: str


@dataclass(eq=False)  # hashed by identity: one instance per process, used as a cache key
class Knowledge:
    boilerplate_context: dict[str, dict[str, set[str]]]
    boilerplate_phrases: list[tuple[str, re.Pattern, int, bool]]  # reason, pattern, max words, not in <h1>-<h6>
    author_role: re.Pattern
    end_of_article_reasons: set[str]
    exercises: list[ExerciseEntry]
    body_synonyms: dict[str, str]  # lower-case phrase -> canonical area
    body_related: dict[str, set[str]]
    positions: dict
    lexicon: dict
    front_matter_skip_keys: frozenset[str] = frozenset()  # site metadata in front matter, not content
    front_matter_name_keys: tuple[str, ...] = ()  # the key that names an entry of a front-matter list
    _name_index: dict[str, ExerciseEntry] = field(default_factory=dict, repr=False)
    _name_keys: list[str] = field(default_factory=list, repr=False)
    _stretch_keys: list[str] = field(default_factory=list, repr=False)
    _sorted_name_keys: list[str] = field(default_factory=list, repr=False)  # each name's words sorted, for _closest
    _sorted_stretch_keys: list[str] = field(default_factory=list, repr=False)
    _mentions: dict[str, tuple[int, ExerciseEntry]] = field(default_factory=dict, repr=False)  # name -> (rank, entry)
    _mention_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)  # first word -> word counts
    _generic_re: re.Pattern | None = field(default=None, repr=False)
    _stretch_word_re: re.Pattern | None = field(default=None, repr=False)
    _exercise_word_re: re.Pattern | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._generic_re = _word_alternation(self.lexicon["generic_name_words"])
        self._stretch_word_re = _word_alternation(self.lexicon["stretch_name_words"])
        for entry in self.exercises:
            for name in (entry.canonical_name, *entry.aliases):
                self._name_index.setdefault(name_key(name), entry)
        for entry in self.exercises:  # "Figure Four" finds "Figure Four Stretch"
            for name in (entry.canonical_name, *entry.aliases):
                stripped = self.strip_generic(name_key(name))
                if len(stripped) >= 4:
                    self._name_index.setdefault(stripped, entry)
        self._name_keys = list(self._name_index)
        self._stretch_keys = [k for k, e in self._name_index.items() if e.kind.endswith("stretch")]
        self._sorted_name_keys = [_sorted_words(k) for k in self._name_keys]
        self._sorted_stretch_keys = [_sorted_words(k) for k in self._stretch_keys]
        mentionable = [(k, e) for k, e in self._name_index.items()
                       if " " in k or k.endswith("asana") or (e.kind == "strength" and len(k) >= 6)]
        self._mentions = {k: (rank, e) for rank, (k, e) in enumerate(mentionable)}
        lengths: dict[str, set[int]] = {}
        for k, _ in mentionable:
            lengths.setdefault(k.split()[0], set()).add(len(k.split()))
        self._mention_lengths = {word: tuple(sorted(n)) for word, n in lengths.items()}
        words = sorted(self.lexicon["exercise_words"], key=len, reverse=True)
        self._exercise_word_re = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.I)

    # -- exercises ---------------------------------------------------------------------
    def match_exercise(self, name: str, min_score: float | None = None) -> tuple[ExerciseEntry | None, float]:
        return self._match_cached(name, min_score)

    def _match_uncached(self, name: str, min_score: float | None = None) -> tuple[ExerciseEntry | None, float]:
        """Link a heading to a knowledge-base entry: exact alias first, then fuzzy (rapidfuzz).

        "Child's Pose (Balasana)" and "Cobra Pose – Great for Your Lower Back" are tried whole,
        then without the parenthetical, as the parenthetical, and as the part before the subtitle.
        """
        best: tuple[ExerciseEntry | None, float] = (None, 0.0)
        for candidate in _name_candidates(name):
            entry, score = self._match_one(candidate, min_score)
            if entry is not None and score > best[1]:
                best = (entry, score)
            if score == 100.0:
                break
        return best

    def _match_one(self, name: str, min_score: float | None) -> tuple[ExerciseEntry | None, float]:
        key = name_key(name)
        if not key:
            return None, 0.0
        if key in self._name_index:
            return self._name_index[key], 100.0
        stripped = self.strip_generic(key)
        if stripped and stripped in self._name_index:
            return self._name_index[stripped], 99.0
        threshold = EXTRACT.canonical_min_score if min_score is None else min_score
        # a heading that says "stretch" or "pose" only links to a stretch by a fuzzy match
        wants_stretch = stripped != key and bool(self._stretch_word_re.search(key))
        keys, sorted_keys = (self._stretch_keys, self._sorted_stretch_keys) if wants_stretch \
            else (self._name_keys, self._sorted_name_keys)
        best = _closest(key, keys, sorted_keys, threshold)
        if best is None and stripped and stripped != key:
            best = _closest(stripped, keys, sorted_keys, threshold)
        if best is None:
            return None, 0.0
        return self._name_index[best[0]], best[1]

    def strip_generic(self, key: str) -> str:
        """"seated forward bend stretch" -> "seated forward bend": words every name may carry."""
        return re.sub(r"\s+", " ", self._generic_re.sub(" ", key)).strip()

    def names_a_stretch(self, name: str) -> bool:
        return bool(self._stretch_word_re.search(name))

    def find_mentions(self, text: str) -> list[ExerciseEntry]:
        """Knowledge-base exercises named verbatim in a sentence ("from downward dog", "add deadlifts").

        One-word aliases that are everyday words ("chair", "tree", "bridge") name furniture as
        often as poses, so only several-word aliases, Sanskrit names and longer one-word
        strength names ("deadlifts", "pushups") count as mentions.
        """
        # Names are looked up by the runs of words that start with a name's first word, not by a
        # scan of every name (this runs on most sentences); found in the data file's order.
        words = name_key(text).split()
        found = []
        for i, word in enumerate(words):
            for n in self._mention_lengths.get(word, ()):
                hit = self._mentions.get(" ".join(words[i:i + n]))
                if hit is not None:
                    found.append(hit)
        return list(dict.fromkeys(entry for _, entry in sorted(found, key=itemgetter(0))))

    def looks_like_exercise(self, text: str, fuzzy: bool = True) -> bool:
        """An exercise word ("stretch", "pose") or a knowledge-base name; `fuzzy=False` skips the
        fuzzy match (the clean stage's quick guard on every heading of a page)."""
        if self._exercise_word_re.search(text):
            return True
        if not fuzzy:
            for candidate in _name_candidates(text):  # "Bow (Dhanurasana)": the name, the parenthetical...
                key = name_key(candidate)
                if key and (key in self._name_index or self.strip_generic(key) in self._name_index):
                    return True
            return False
        entry, _ = self.match_exercise(text)
        return entry is not None

    @lru_cache(maxsize=8192)  # noqa: B019 - one Knowledge per process; headings repeat across pages
    def _match_cached(self, name: str, min_score: float | None) -> tuple[ExerciseEntry | None, float]:
        return self._match_uncached(name, min_score)

    def boilerplate_phrase_reason(self, text: str, words: int, in_heading: bool = False) -> str | None:
        """The reason of the first widget phrase (in data-file order) found in a block, or None.
        (One search per phrase: each keeps re's literal-prefix scan, which one big alternation loses.)"""
        for reason, pattern, max_words, not_in_headings in self.boilerplate_phrases:
            if (max_words and words > max_words) or (in_heading and not_in_headings):
                continue
            if pattern.search(text):
                return reason
        return None

    @cached_property
    def boilerplate_chrome_rules(self) -> list[tuple[str, frozenset[str], frozenset[str]]]:
        """(reason, tags, classes) for the HTML walk: an element matching one is chrome."""
        return [(reason, frozenset(spec["tags"]), frozenset(spec["classes"]))
                for reason, spec in self.boilerplate_context.items()]

    # -- body parts --------------------------------------------------------------------
    def body_part(self, phrase: str) -> str | None:
        return self.body_synonyms.get(phrase.lower().strip())

    def related_areas(self, area: str) -> set[str]:
        return {area} | self.body_related.get(area, set())


_SUBTITLE = re.compile(r"\s+[–—-]\s+|:\s+|\s+\|\s+")


def _name_candidates(name: str) -> list[str]:
    out = [name]
    inner = re.findall(r"\(([^)]+)\)", name)
    outer = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if outer and outer != name:
        out.append(outer)
    out.extend(inner)
    head = _SUBTITLE.split(outer or name, maxsplit=1)[0].strip()
    if head and head not in out:
        out.append(head)
    return out


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


def _closest(key: str, keys: list[str], sorted_keys: list[str], threshold: float) -> tuple[str, float] | None:
    """The key closest to `key` by rapidfuzz's token_sort_ratio, if at least `threshold`: computed as
    fuzz.ratio between word-sorted strings, which is what token_sort_ratio is, with the names'
    words sorted once instead of on every call (five times faster; first best in list order, the
    same tie-break)."""
    best = process.extractOne(_sorted_words(key), sorted_keys, scorer=fuzz.ratio, score_cutoff=threshold)
    return None if best is None else (keys[best[2]], float(best[1]))


def _word_alternation(words: list[str]) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.I)


def name_key(name: str) -> str:
    name = name.lower().replace("’", "'").replace("'s", "s").replace("'", "")
    return re.sub(r"[^a-z0-9]+", " ", name).strip()


def _read_csv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


@lru_cache(maxsize=4)
def load_knowledge(data_dir: str | None = None) -> Knowledge:
    base = Path(data_dir) if data_dir else DATA_DIR
    boiler = json.loads((base / "boilerplate.json").read_text(encoding="utf-8"))
    context = {reason: {"tags": set(spec["tags"]), "classes": set(spec["classes"])}
               for reason, spec in boiler["context"].items()}
    phrases = [(p["reason"], re.compile(p["pattern"], re.I), int(p.get("max_words", 0)), bool(p.get("not_in_headings")))
               for p in boiler["phrases"]]
    exercises = [
        ExerciseEntry(row["canonical_name"], _split(row["aliases"]), row["position"] or None,
                      _split(row["primary_targets"]), _split(row["secondary_targets"]), row["kind"], row["source"])
        for row in _read_csv(base / "stretches.csv")
    ]
    synonyms: dict[str, str] = {}
    related: dict[str, set[str]] = {}
    for row in _read_csv(base / "body_parts.csv"):
        canonical = row["canonical"]
        synonyms[canonical] = canonical
        for syn in _split(row["synonyms"]):
            synonyms[syn.lower()] = canonical
        related[canonical] = set(_split(row["related"]))
    return Knowledge(
        boilerplate_context=context,
        boilerplate_phrases=phrases,
        author_role=re.compile(boiler["author_roles"], re.I),
        end_of_article_reasons=set(boiler["end_of_article_reasons"]),
        exercises=exercises,
        body_synonyms=synonyms,
        body_related=related,
        positions=json.loads((base / "positions.json").read_text(encoding="utf-8")),
        lexicon=json.loads((base / "lexicon.json").read_text(encoding="utf-8")),
        front_matter_skip_keys=frozenset(k.lower() for k in boiler.get("front_matter_skip_keys", [])),
        front_matter_name_keys=tuple(k.lower() for k in boiler.get("front_matter_name_keys", [])),
    )
