"""The record decision: which candidates are stretch records, from a model learned on real pages.

Gradient-boosted trees (or a logistic regression) over the candidates' features (pipeline/extract/features.py), trained by
`make train` (scripts/train_model.py) on the labelled development corpus and its recipe negatives,
stored as data (pipeline/data/model/record_decision.json: feature names, trees or weights, threshold)
and applied with plain Python: no training library is needed at run time (scikit-learn is the
`train` extra). A candidate is a record when its probability reaches the threshold; where the
page gives one name twice (a summary list at the top and detailed sections below, a routine
re-listed after a library) the fuller candidate is the record, the surer one on a tie.
"""
from __future__ import annotations

import bisect
import json
import math
from functools import lru_cache
from pathlib import Path

from .features import FEATURES

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "model" / "record_decision.json"
SEED = 15


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> dict:
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise ValueError(f"{path}: trained on other features than pipeline/extract/features.py computes; "
                         "run `make train`")
    return model


def probability(model: dict, features: dict[str, float]) -> float:
    x = [features[name] for name in model["features"]]
    if model.get("kind") == "gradient_boosting":
        z = model["init"] + model["learning_rate"] * sum(_leaf(tree, x) for tree in model["trees"])
    else:
        z = model["bias"] + sum(w * v for w, v in zip(model["weights"], x))
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def _leaf(tree: dict, x: list[float]) -> float:
    node = 0
    while tree["left"][node] >= 0:
        node = tree["left"][node] if x[tree["feature"][node]] <= tree["threshold"][node] else tree["right"][node]
    return tree["value"][node]


def choose(model: dict, rows: list[dict[str, float]], keys: list[str], sizes: list[int],
           spans: list[tuple[int, int]] | None = None) -> list[tuple[int, float]]:
    """(index, probability) of the candidates that are records, one per name, in page order. A kept
    candidate whose text holds two or more other kept ones is their group ("Upper body", "Warm up"),
    not a record."""
    probs = [probability(model, f) for f in rows]
    kept = [i for i, p in enumerate(probs) if p >= model["threshold"]]
    if spans is not None:
        # how many kept candidates open strictly inside each one's span (never itself: it opens where its span does)
        opened = sorted(spans[j][0] for j in kept)
        kept = [i for i in kept
                if bisect.bisect_left(opened, spans[i][1]) - bisect.bisect_right(opened, spans[i][0]) < 2]
    best: dict[str, int] = {}
    for i in kept:
        j = best.get(keys[i])
        # a name listed in a summary or a routine table and taught in a section: the section (the fuller
        # text) first, as the labels teach it (evaluate_corpus.candidate_labels)
        if j is None or (sizes[i], probs[i]) > (sizes[j], probs[j]):
            best[keys[i]] = i
    return [(i, probs[i]) for i in sorted(best.values())]


C_GRID = (0.03, 0.1, 0.3)  # the pull toward small weights, chosen inside every fit (nested in make eval's folds)
INNER_FOLDS = 3


def fit(rows: list[list[float]], labels: list[int], kind: str = "logistic", groups: list[str] | None = None) -> dict:
    """Train the decision (needs scikit-learn: `pip install -e '.[train]'`). Seeded and deterministic;
    stored as plain numbers, rounded so a retrain gives the same file. Logistic regression by default:
    under grouped cross-validation it generalises better than gradient-boosted trees (record F1 0.826
    against 0.776 on 2026-12-03; the trees fit the pages in view, in-sample 0.943). Its regularisation C
    is chosen from C_GRID by grouped cross-validation over the training pages' sites (`groups`; log loss),
    inside this fit: under `make eval` every held-out site's C is chosen without it."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=int)
    about = ("Record decision (pipeline/extract/model.py) over the features of pipeline/extract/features.py, "
             "trained by `make train` on ../shared/dev-corpus, ../shared/dev-negatives and the written cases "
             "(tests/data). Regenerate, never edit by hand.")
    common = {"_about": about, "kind": kind, "features": list(FEATURES), "threshold": 0.5, "seed": SEED,
              "examples": int(len(y)), "positives": int(y.sum())}
    with threadpool_limits(1):  # a small problem: threads only contend (ten times slower on a busy machine)
        if kind == "gradient_boosting":
            from sklearn.ensemble import GradientBoostingClassifier
            clf = GradientBoostingClassifier(n_estimators=120, max_depth=3, learning_rate=0.1, random_state=SEED)
            clf.fit(x, y)
            prior = float(np.log(y.mean() / (1 - y.mean())))
            trees = [_tree(est[0].tree_) for est in clf.estimators_]
            return {**common, "init": round(prior, 8), "learning_rate": 0.1, "trees": trees}
        from sklearn.linear_model import LogisticRegression
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
        z = (x - mean) / scale
        c = choose_c(z, y, groups) if groups is not None else 0.1
        clf = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
        clf.fit(z, y)
    w = clf.coef_[0] / scale
    b = float(clf.intercept_[0] - (clf.coef_[0] * mean / scale).sum())
    return {**common, "C": c, "weights": [round(float(v), 6) for v in w], "bias": round(b, 6)}


def choose_c(z, y, groups: list[str]) -> float:
    """The C of C_GRID with the lowest held-out log loss over INNER_FOLDS folds of whole sites (a site's
    pages never on both sides), the smaller C on a tie."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    g = np.asarray(groups)
    loss = np.zeros(len(C_GRID))
    for train, test in GroupKFold(n_splits=INNER_FOLDS).split(z, y, g):
        for i, c in enumerate(C_GRID):
            clf = LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit(z[train], y[train])
            p = np.clip(clf.predict_proba(z[test])[:, 1], 1e-9, 1 - 1e-9)
            loss[i] -= float(np.sum(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p)))
    return float(C_GRID[int(np.argmin(np.round(loss, 6)))])


def _tree(t) -> dict:
    return {"feature": [int(f) for f in t.feature], "threshold": [round(float(v), 8) for v in t.threshold],
            "left": [int(c) for c in t.children_left], "right": [int(c) for c in t.children_right],
            "value": [round(float(v), 8) for v in t.value[:, 0, 0]]}
