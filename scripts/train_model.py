"""Train the record decision (`make train`): pipeline/data/model/record_decision.json.

Reads the development corpus (../shared/dev-corpus, labels from gold.json and tests/devcorpus) and the
recipe negatives (../shared/dev-negatives), builds every page's candidates once, and fits the
logistic regression of pipeline/extract/model.py on all of them (seeded, deterministic). Needs the
`train` extra (scikit-learn). `make eval` scores the same fit by grouped cross-validation.

usage: python scripts/train_model.py [OUT_JSON]
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from pipeline import evaluate_corpus as ec
from pipeline.extract.model import MODEL_PATH


def train() -> dict:
    shared = ec.shared_folder()
    if shared is None:
        raise SystemExit("no ../shared/dev-corpus beside the clone (set STRETCHPIPE_SHARED)")
    pages = ec.load_corpus(shared) + ec.written_pages()
    return ec.fit_decision(pages, ec.prepare(pages, ec.prepare_page))


def write(model: dict, out: Path) -> None:
    text = json.dumps(model, indent=1, ensure_ascii=False) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else MODEL_PATH
    model = train()
    write(model, out)
    print(f"{out}: {model['examples']} candidates ({model['positives']} stretch records), "
          f"{len(model['features'])} features")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
