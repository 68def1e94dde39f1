"""Rebuild pipeline/data/lemmas_en.json.gz: the part of spaCy's English lookup lemmatizer table
(spacy-lookups-data, MIT; its English data is from WordNet 3.0, whose notice ships beside the
table in lemmas_en.LICENSE.txt) that a stretchpipe lookup can hit.

Tokens are looked up lower-cased, and a word missing from the table is its own lemma, so the
entries kept are those with a lower-case word that differs from its lemma, and of those: every
plain word (`[a-z]+`: the content words of restatement checks and name keys compare the lemmas
of any page word), and any other token whose word or lemma is a word of pipeline/data (a LEMMA
pattern, a verb or cue list). Every lookup the pipeline makes gives what the full table gives.

Needs spacy-lookups-data installed (it is not a dependency of stretchpipe):
    pip install 'spacy-lookups-data>=1.0.5,<1.1' && python scripts/build_lemma_table.py
"""
from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "pipeline" / "data"
OUT = DATA / "lemmas_en.json.gz"


def data_words() -> set[str]:
    words: set[str] = set()
    for path in sorted(DATA.iterdir()):
        if path.suffix not in (".json", ".csv"):
            continue
        words.update(re.findall(r"[a-z]+(?:'[a-z]+)?", path.read_text(encoding="utf-8").lower()))
    return words


def main() -> int:
    import spacy_lookups_data  # the table's source file: spaCy's loaded Table keys words by hash
    source = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    table = json.loads(gzip.decompress(source.read_bytes()))
    words = data_words()
    kept = {w: lemma for w, lemma in sorted(table.items())
            if w == w.lower() and lemma != w and (re.fullmatch(r"[a-z]+", w) or w in words or lemma in words)}
    doc = {"_about": "English lookup lemmas (word -> lemma), the entries of spaCy's lemma_lookup table "
                     "(spacy-lookups-data 1.0.5, MIT; data from WordNet 3.0) whose word or lemma is a word of "
                     "pipeline/data; built by scripts/build_lemma_table.py. Licences: lemmas_en.LICENSE.txt.",
           "lemmas": kept}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))  # mtime 0: the same table gives the same bytes
    print(f"{len(kept)} of {len(table)} entries -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
