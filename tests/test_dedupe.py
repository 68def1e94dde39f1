"""Duplicate articles: copies of one article (other chrome, HTML and text) end as one article and a
cluster entry; different articles that share a paragraph stay apart."""
import json

from conftest import DATA

from pipeline.api import process, write
from pipeline.dedupe import shingles, similarity

DUPES = DATA / "duplicates"


def test_copies_in_other_chrome_and_as_text_end_as_one_article(tmp_path):
    outcome = process([str(DUPES)])
    paths = sorted(a.source.path for a in outcome.articles)
    # the hip article shares the neck article's opening paragraph and stays; of the four copies of the
    # neck article the one with the most text (a reader Q&A kept after it) is kept
    assert paths == ["hip-openers-shared-intro.txt", "neck-stretches-with-reader-questions.txt"]
    dups = {d.source.path: d for d in outcome.duplicates}
    assert set(dups) == {"neck-stretches-desk-health.html", "neck-stretches-officewell.html", "neck-stretches.txt"}
    kept = next(a for a in outcome.articles if a.source.path == "neck-stretches-with-reader-questions.txt")
    assert {d.kept_id for d in dups.values()} == {kept.id}
    # every copy's 5-grams are (almost) all in the kept one, which has text the others lack: near duplicates
    assert {d.method for d in dups.values()} == {"near"} and all(d.similarity >= 0.9 for d in dups.values())
    # one article's stretches, once, in the dataset
    assert sum(r.source_count for r in outcome.dataset) == 5 + 4

    write(outcome, tmp_path)
    table = json.loads((tmp_path / "duplicates.json").read_text())
    assert [row["source"]["path"] for row in table] == sorted(dups, key=lambda p: dups[p].id)
    manifest = {m["source"].rsplit("/", 1)[-1]: m for m in json.loads((tmp_path / "manifest.json").read_text())["inputs"]}
    assert "set aside" in manifest["neck-stretches.txt"]["reason"]
    assert manifest["neck-stretches-with-reader-questions.txt"]["reason"] is None


def test_a_copy_inside_a_much_longer_page_is_found():
    """The Q&A doubles the page: Jaccard similarity is under 0.4, so a plain LSH at 0.5 never
    pairs them; containment (how much of the article the longer page holds) does."""
    short, long = DUPES / "neck-stretches.txt", DUPES / "neck-stretches-with-reader-questions.txt"
    a, b = shingles(short.read_text(), 5), shingles(long.read_text(), 5)
    assert len(a & b) / len(a | b) < 0.45 and similarity(a, b) > 0.95
    outcome = process([str(short), str(long)], curate=False)
    assert [(d.source.path, d.method) for d in outcome.duplicates] == [(short.name, "near")]


def test_exact_copies_are_exact():
    outcome = process([str(DUPES / "neck-stretches.txt"), str(DUPES / "neck-stretches-desk-health.html")])
    assert [(d.method, d.similarity) for d in outcome.duplicates] == [("exact", 1.0)]
    assert len(outcome.articles) == 1


def test_the_choice_of_copy_kept_does_not_depend_on_input_order():
    files = sorted(str(p) for p in DUPES.glob("neck-*"))
    first = process(files).articles[0].source.path
    assert process(files[::-1]).articles[0].source.path == first


def test_shared_paragraph_is_a_small_share_of_either_article():
    neck = shingles((DUPES / "neck-stretches.txt").read_text(), 5)
    hips = shingles((DUPES / "hip-openers-shared-intro.txt").read_text(), 5)
    assert 0 < similarity(neck, hips) < 0.5
