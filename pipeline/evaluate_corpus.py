"""The development corpus scored as unseen pages: leave-one-site-out grouped cross-validation.

`make eval` prints two lines of one shape:

    devcorpus grouped-cv: sites 57 pages 64 records P 0.xxx R 0.xxx F1 0.xxx position 0.xxx ... negatives-with-records K/M
    devcorpus in-sample: ...

The pages are ../shared/dev-corpus/pages (the group of a page is the `site` column of its SOURCES.tsv) and the recipe
pages of ../shared/dev-negatives/recipes (each its own site). A page's labels are gold.json's where it labels the page,
else the hand labels of tests/devcorpus/<page>.json. Everything learned is fitted inside the fold, without the held-out
site: the expensive per-page work (cleaning, candidates, their features and records) is done once and cached; only
the decision over candidates is refitted per fold. Matching rules are those of ../shared/tools/score_gold.py: names
normalised and paired as it pairs them (exact, then close spelling or one name's words inside the other's), a name
emitted more often than the page lists it is one extra record per copy, fields scored on paired records only.
Negatives: pages with no labelled stretch (the corpus's own and the recipes); K/M counts those with any record.
"""
from __future__ import annotations

import csv
import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
FIELD_ORDER = ("position", "hold", "per_side", "reps", "targets", "steps")
_GENERIC = frozenset({"the", "a", "pose", "stretch", "stretches"})


def shared_folder() -> Path | None:
    """../shared beside the clone (CI keeps it there), or STRETCHPIPE_SHARED; a worktree nested one
    level deeper finds it beside an ancestor."""
    env = os.environ.get("STRETCHPIPE_SHARED")
    if env:
        return Path(env) if (Path(env) / "dev-corpus").is_dir() else None
    for parent in REPO.parents:
        if (parent / "shared" / "dev-corpus").is_dir():
            return parent / "shared"
    return None


# --- matching rules of ../shared/tools/score_gold.py
def norm(s) -> str:
    s = re.sub(r"[\u2018\u2019']", "'", str(s or "")).lower()
    s = re.sub(r"^\s*(\d+[.)]|step \d+:?)\s*", "", s)
    return " ".join(re.sub(r"[^a-z0-9/' ]+", " ", s).split())


def pair_names(want_names: list[str], got_names: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    free = set(got_names)
    for w in want_names:
        if w in free:
            pairs[w] = w
            free.discard(w)
    for w in want_names:
        if w in pairs:
            continue
        best, score = None, 0.0
        tw = {x for x in w.split() if x not in _GENERIC}
        for g in sorted(free):  # sorted: ties resolve the same way in every run
            r = difflib.SequenceMatcher(None, w, g).ratio()
            tg = {x for x in g.split() if x not in _GENERIC}
            if tw and tg and (tw <= tg or tg <= tw):
                r = max(r, 0.85)
            if r > score:
                best, score = g, r
        if best is not None and score >= 0.8:
            pairs[w] = best
            free.discard(best)
    return pairs
# --- end matching rules


@dataclass
class CorpusPage:
    path: Path
    site: str
    stretches: list[dict]  # in score_gold's label shape (position/hold lists of accepted values, ...)
    optional: list[str] = field(default_factory=list)

    @property
    def negative(self) -> bool:
        return not self.stretches


def _from_hand_labels(spec: dict) -> list[dict]:
    """tests/devcorpus labels in score_gold's shape; a field the label leaves out is not scored."""
    out = []
    for s in spec["stretches"]:
        g: dict = {"name": s["name"], "targets_any": list(s.get("targets") or [])}
        if "position" in s:
            g["position"] = [s["position"]]
        if "hold" in s:
            g["hold"] = None if s["hold"] is None else [list(s["hold"])]
        g["per_side"] = s.get("per_side")
        g["reps"] = s.get("repetitions")
        out.append(g)
    return out


def load_corpus(shared: Path, labels: Path | None = None) -> list[CorpusPage]:
    """Every development page and every recipe negative, with its site and labels."""
    labels = labels or REPO / "tests" / "devcorpus"
    dev = shared / "dev-corpus"
    gold = json.loads((dev / "gold.json").read_text(encoding="utf-8"))["articles"]
    with open(dev / "SOURCES.tsv", encoding="utf-8", newline="") as fh:
        sites = {row["file"]: row["site"] for row in csv.DictReader(fh, delimiter="\t")}
    pages = []
    for path in sorted((dev / "pages").iterdir()):
        if path.name in gold:
            g = gold[path.name]
            pages.append(CorpusPage(path, sites[path.name], g["stretches"], g.get("optional", [])))
            continue
        spec = labels / f"{path.stem}.json"
        if not spec.exists():
            raise FileNotFoundError(f"no labels for {path.name} (gold.json or {spec})")
        pages.append(CorpusPage(path, sites[path.name], _from_hand_labels(json.loads(spec.read_text(encoding="utf-8")))))
    for path in sorted((shared / "dev-negatives" / "recipes").iterdir()):
        if path.name.endswith((".html", ".html.gz", ".md", ".txt")):
            pages.append(CorpusPage(path, "recipe:" + path.name, []))
    return pages


def written_pages(folder: Path | None = None) -> list[CorpusPage]:
    """The written cases (tests/data: pages in the project's own words, one shape each, every stretch
    named): training pages for every fold, never scored here (tests/test_cases.py checks them)."""
    from .config import SUPPORTED_EXTENSIONS
    folder = folder or REPO / "tests" / "data"
    pages = []
    for spec_path in sorted(folder.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        inputs = [REPO / p for p in spec["inputs"]] if "inputs" in spec else sorted(
            p for p in folder.glob(spec_path.stem + ".*") if p.suffix in SUPPORTED_EXTENSIONS)
        for path in inputs:
            pages.append(CorpusPage(path, "written", [{"name": s["name"]} for s in spec.get("stretches", [])]))
    return pages


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in FIELD_ORDER})
    negatives: int = 0
    negatives_with_records: int = 0
    corpus_negatives_with_records: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def ratios(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        out = {"record_precision": p, "record_recall": r, "record_f1": 2 * p * r / (p + r) if p + r else 0.0}
        out.update({k: (a / b if b else 1.0) for k, (a, b) in self.fields.items()})
        return out


def _hold_ok(rec: dict, accepted) -> bool:
    h = rec.get("hold") or {}
    got = [h.get("min_seconds"), h.get("max_seconds")] if h else [None, None]
    if accepted is None:
        return got[0] is None
    return any(got == list(a) for a in accepted)


def score_page(page: CorpusPage, records: list[dict], score: Score) -> None:
    """score_gold's rules for one page: `records` are emitted records as stretches.json holds them."""
    name = page.path.name
    if page.negative:
        score.negatives += 1
        if records:
            score.negatives_with_records += 1
            if not name.endswith(".gz"):
                score.corpus_negatives_with_records.append(name)
    got = {norm(r.get("name")): r for r in records}
    want = {norm(s["name"]): s for s in page.stretches}
    pairs = pair_names(list(want), list(got))
    optional = [norm(n) for n in page.optional]
    opt_pairs = pair_names(optional, [n for n in got if n not in pairs.values()])
    for n in got:
        if n not in pairs.values() and n not in opt_pairs.values():
            score.fp += 1
            score.misses.append(f"{name}: extra {n!r}")
    seen: dict[str, int] = {}
    for r in records:
        seen[norm(r.get("name"))] = seen.get(norm(r.get("name")), 0) + 1
    listed: dict[str, int] = {}
    for s in page.stretches:
        listed[norm(s["name"])] = listed.get(norm(s["name"]), 0) + 1
    for n, k in seen.items():
        extra = k - max(1, listed.get(n, 0))
        if extra > 0:
            score.fp += extra
            score.misses.append(f"{name}: {n!r} emitted {k} times")
    for key, s in want.items():
        r = got.get(pairs.get(key))
        if r is None:
            score.fn += 1
            score.misses.append(f"{name}: missing {s['name']!r}")
            continue
        score.tp += 1

        def mark(fld: str, ok: bool, detail: str, label: str = s["name"]) -> None:
            score.fields[fld][1] += 1
            score.fields[fld][0] += ok
            if not ok:
                score.misses.append(f"{name}: {label}: {fld} {detail}")

        if "position" in s:
            mark("position", r.get("position") in s["position"], f"{r.get('position')!r} not in {s['position']}")
        if "hold" in s:
            mark("hold", _hold_ok(r, s["hold"]), f"{r.get('hold')!r} vs {s['hold']}")
        if s.get("per_side") is not None:
            mark("per_side", bool(r.get("per_side")) == s["per_side"], f"{r.get('per_side')!r}")
        if s.get("reps"):
            rp = r.get("repetitions") or {}
            mark("reps", [rp.get("min"), rp.get("max")] == list(s["reps"]), f"{rp!r} vs {s['reps']}")
        if "step_must" in s:  # as score_gold: a gold stretch with no phrase to find counts as right
            steps = " | ".join(norm(x) for x in r.get("steps") or [])
            mark("steps", all(norm(x) in steps for x in s["step_must"]), f"lack {s['step_must']}")
        if s.get("targets_any"):
            tg = {norm(t) for t in r.get("targets") or []}
            mark("targets", bool(tg & {norm(t) for t in s["targets_any"]}), f"{sorted(tg)} vs {s['targets_any']}")


def score_all(pages: list[CorpusPage], emitted: dict[Path, list[dict]]) -> Score:
    score = Score()
    for page in pages:
        if page.site == "written":
            continue
        score_page(page, emitted.get(page.path, []), score)
    return score


def summary_line(prefix: str, pages: list[CorpusPage], score: Score) -> str:
    dev = [p for p in pages if "/dev-corpus/" in str(p.path) and p.site != "written"]
    q = score.ratios()
    fields = " ".join(f"{k} {q[k]:.3f}" for k in ("position", "hold", "per_side", "reps", "targets", "steps"))
    return (f"devcorpus {prefix}: sites {len({p.site for p in dev})} pages {len(dev)} records "
            f"P {q['record_precision']:.3f} R {q['record_recall']:.3f} F1 {q['record_f1']:.3f} {fields} "
            f"negatives-with-records {score.negatives_with_records}/{score.negatives}")


# --- the per-page work, done once
_PREPARED: dict[tuple[Callable, Path], object] = {}


def prepare(pages: list[CorpusPage], prepare_page: Callable[[Path], object]) -> dict[Path, object]:
    """What each page costs to read once (cleaning, candidates, features), keyed by its path; kept for
    the life of the process, so `make eval`'s lines, the tests and a retrain read each page once."""
    for p in pages:
        if (prepare_page, p.path) not in _PREPARED:
            _PREPARED[prepare_page, p.path] = prepare_page(p.path)
    return {p.path: _PREPARED[prepare_page, p.path] for p in pages}


def grouped_cv(pages: list[CorpusPage], prepared: dict[Path, object],
               fit: Callable[[list[CorpusPage], dict[Path, object]], object],
               decide: Callable[[object, object], list[dict]]) -> dict[Path, list[dict]]:
    """Leave one site out: fit on every other site's pages, decide the held-out site's; pooled."""
    by_site: dict[str, list[CorpusPage]] = {}
    for p in pages:
        by_site.setdefault(p.site, []).append(p)
    emitted: dict[Path, list[dict]] = {}
    for site in sorted(by_site):  # each recipe page is its own site, so its own fold
        if site == "written":
            continue  # the written cases teach shapes in every fold and are scored elsewhere
        model = fit([p for p in pages if p.site != site], prepared)
        for p in by_site[site]:
            emitted[p.path] = decide(model, prepared[p.path])
    return emitted


def in_sample(pages: list[CorpusPage], prepared: dict[Path, object],
              fit: Callable[[list[CorpusPage], dict[Path, object]], object],
              decide: Callable[[object, object], list[dict]]) -> dict[Path, list[dict]]:
    model = fit(pages, prepared)
    return {p.path: decide(model, prepared[p.path]) for p in pages}


# --- the record decision, as make eval and make train fit it
@dataclass
class PreparedPage:
    """What a page's candidates cost once: their features, names, sizes, the rules' verdict and records."""
    features: list[dict[str, float]]
    keys: list[str]
    sizes: list[int]
    rule_ok: list[bool]
    records: list[dict]
    spans: list[tuple[int, int]]
    labels: list[int | None] | None = None  # candidate_labels, once per page (every fold reads them)
    rows: list[tuple[list[float], int]] | None = None  # the labelled candidates' feature vectors, once per page
    intro_targets: list[tuple[int, list[str]]] = field(default_factory=list)  # "Targets: ..." lines (extract)
    title: str | None = None  # the page's title (the records it names take those targets)


def prepare_page(path: Path) -> PreparedPage:
    from .acquire import read_pages
    from .clean import clean_page
    from .extract import intro_target_lines, page_candidates
    from .extract.values import clean_title
    from .knowledge import load_knowledge
    kb = load_knowledge()
    out = PreparedPage([], [], [], [], [], [])
    for page in read_pages(str(path)):  # one page per corpus file (a WARC would give several)
        doc = clean_page(page, kb)
        pc = page_candidates(doc, kb)
        out.intro_targets += intro_target_lines(doc, kb)
        out.title = out.title or clean_title(doc.title, kb)
        out.features += pc.features
        out.keys += pc.keys
        out.sizes += pc.sizes
        out.rule_ok += pc.rule_ok
        out.spans += pc.spans
        out.records += [r.to_dict() for r in pc.records]
    return out


def candidate_labels(page: CorpusPage, prep: PreparedPage) -> list[int | None]:
    """1 for a candidate whose name pairs with a labelled stretch (as the scorer pairs them), None
    for one that pairs only with an optional name (not learned from), 0 for the rest."""
    got = sorted({norm(r.get("name")) for r in prep.records})
    want = [norm(s["name"]) for s in page.stretches]
    paired = set(pair_names(want, got).values())
    optional = set(pair_names([norm(n) for n in page.optional], [g for g in got if g not in paired]).values())
    labels = [1 if norm(r.get("name")) in paired else None if norm(r.get("name")) in optional else 0
              for r in prep.records]
    # a stretch the page gives twice (a summary entry, then its section) is one record: the fullest
    # copy is the example to learn from; the others are left out, not taught as stretches too
    fullest: dict[str, int] = {}
    for i, y in enumerate(labels):
        if y == 1:
            j = fullest.get(prep.keys[i])
            if j is None or prep.sizes[i] > prep.sizes[j]:
                fullest[prep.keys[i]] = i
    return [None if y == 1 and fullest[prep.keys[i]] != i else y for i, y in enumerate(labels)]


def fit_decision(train: list[CorpusPage], prepared: dict[Path, PreparedPage]) -> dict:
    from .extract.features import vector
    from .extract.model import fit
    rows, labels, groups = [], [], []
    for page in train:
        prep = prepared[page.path]
        if prep.labels is None:
            prep.labels = candidate_labels(page, prep)
        if prep.rows is None:  # once per page: every fold reads them
            prep.rows = [(vector(f), y) for f, y in zip(prep.features, prep.labels) if y is not None]
        for row, y in prep.rows:
            rows.append(row)
            labels.append(y)
            groups.append(page.site)
    return fit(rows, labels, groups=groups)


def decide_model(model: dict, prep: PreparedPage) -> list[dict]:
    """The kept candidates that are stretches (as extract's decided_records: a candidate the rules read
    as an exercise of another kind keeps that kind)."""
    from .extract.model import choose
    kept = [i for i, _ in choose(model, prep.features, prep.keys, prep.sizes, prep.spans)
            if not (prep.features[i]["rule_exercise"] and prep.features[i]["kind_other"])]  # as decided_records
    return _with_intro_targets([prep.records[i] for i in kept], [prep.spans[i][0] for i in kept], prep)


def _with_intro_targets(records: list[dict], starts: list[int], prep: PreparedPage) -> list[dict]:
    """As extract_article: targets stated once above the kept records ("Targets: ...") go to the one
    record or to variants of one exercise that name none themselves."""
    from .extract import takes_intro_targets
    first = min(starts, default=0)
    found = list(dict.fromkeys(t for end, areas in prep.intro_targets if end <= first for t in areas))
    takes = takes_intro_targets([r.get("name") or "" for r in records], [r.get("targets_source") == "text" for r in records],
                                prep.title)
    return [{**r, "targets": found} if found and take else r for r, take in zip(records, takes)]


def decide_rules(model, prep: PreparedPage) -> list[dict]:
    return [r for r, ok in zip(prep.records, prep.rule_ok) if ok]
