"""Duplicate articles: copies of one article (other chrome, HTML and text) end as one article and a
cluster entry; different articles that share a paragraph stay apart."""
import json

from conftest import DATA

from pipeline.api import process, write
from pipeline.curate.dedupe import shingles, similarity

DUPES = DATA / "duplicates"


def test_copies_in_other_chrome_and_as_text_end_as_one_article(tmp_path):
    outcome = process([str(DUPES)])
    paths = sorted(a.source.path for a in outcome.articles)
    # the hip article shares the neck article's opening paragraph and stays; the four copies of the neck
    # article give the same records and end as one (the one with the most text is kept). One of them
    # keeps a reader Q&A after the article: the answers ("spend a few extra breaths on the tighter side")
    # are not the last stretch's instructions, its Seated Chest Opener is the same record as in the other
    # copies, and a copy twice as long as the article is still found (containment)
    assert paths == ["hip-openers-shared-intro.txt", "neck-stretches-with-reader-questions.txt"]
    dups = {d.source.path: d for d in outcome.duplicates}
    assert set(dups) == {"neck-stretches-desk-health.html", "neck-stretches.txt", "neck-stretches-officewell.html"}
    kept = next(a for a in outcome.articles if a.source.path == "neck-stretches-with-reader-questions.txt")
    assert {d.kept_id for d in dups.values()} == {kept.id}
    # every copy's 5-grams are (almost) all in the kept one: near duplicates
    assert {d.method for d in dups.values()} == {"near"} and all(d.similarity >= 0.9 for d in dups.values())
    opener = next(r for r in kept.records if r.name == "Seated Chest Opener")
    assert "tighter side" not in " ".join(opener.steps) and not opener.per_side
    # the neck article's stretches once, the hip article's once, in the dataset
    assert sum(r.source_count for r in outcome.dataset) == 5 + 4

    write(outcome, tmp_path)
    table = json.loads((tmp_path / "duplicates.json").read_text())
    assert [row["source"]["path"] for row in table] == sorted(dups, key=lambda p: dups[p].id)
    manifest = {m["source"].rsplit("/", 1)[-1]: m for m in json.loads((tmp_path / "manifest.json").read_text())["inputs"]}
    assert "set aside" in manifest["neck-stretches.txt"]["reason"]
    assert "set aside" in manifest["neck-stretches-officewell.html"]["reason"]
    assert manifest["neck-stretches-with-reader-questions.txt"]["reason"] is None


def test_a_copy_inside_a_much_longer_page_is_found(tmp_path):
    """A long appendix doubles the page: Jaccard similarity is under 0.4, so a plain LSH at 0.5 never
    pairs them; containment (how much of the article the longer page holds) does."""
    short = DUPES / "neck-stretches.txt"
    text = short.read_text()
    story = " ".join(f"In {1990 + n} the team of {n + 2} people moved to number {n * 7} and saw {n * 100 + 3} "
                     f"patients, {n + 11} of them on a {['cold', 'warm', 'wet', 'dry'][n % 4]} day." for n in range(30))
    long = tmp_path / "neck-stretches-with-our-story.txt"
    long.write_text(text + "\n\nAbout our clinic\n\n" + story + "\n")
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
    kept = sorted(a.source.path for a in process(files).articles)
    assert sorted(a.source.path for a in process(files[::-1]).articles) == kept


def test_shared_paragraph_is_a_small_share_of_either_article():
    neck = shingles((DUPES / "neck-stretches.txt").read_text(), 5)
    hips = shingles((DUPES / "hip-openers-shared-intro.txt").read_text(), 5)
    assert 0 < similarity(neck, hips) < 0.5


def test_the_compact_index_gives_datasketchs_candidates():
    """ContainmentIndex stores band keys in arrays instead of datasketch's dicts; on sets of many
    sizes with planted copies, subsets and unrelated sets it must give the candidates datasketch's
    own MinHashLSHEnsemble gives (32-bit band hashes could add a rare extra, never lose one)."""
    import random
    import zlib

    import numpy as np
    from datasketch import MinHash, MinHashLSHEnsemble

    from pipeline.curate.dedupe import ContainmentIndex

    rng = random.Random(7)
    sets = []
    for n in range(120):
        size = rng.choice([40, 90, 200, 600, 1500])
        base = {f"w{rng.randrange(10**6)}" for _ in range(size)}
        sets.append(base)
        if n % 3 == 0:  # a copy with extra text, and a part of it
            sets.append(base | {f"x{rng.randrange(10**6)}" for _ in range(size // 2)})
            sets.append(set(sorted(base)[: size * 3 // 4]))
    hashes = []
    for s in sets:
        mh = MinHash(num_perm=128, seed=1, hashfunc=zlib.crc32)
        mh.update_batch([w.encode() for w in s])
        hashes.append(mh)
    theirs = MinHashLSHEnsemble(threshold=0.6, num_perm=128, num_part=16)
    theirs.index([(i, mh, len(s)) for i, (mh, s) in enumerate(zip(hashes, sets))])
    ours = ContainmentIndex(np.vstack([mh.hashvalues.astype(np.uint32) for mh in hashes]),
                            np.array([len(s) for s in sets]), threshold=0.6, num_part=16)
    planted = 0
    for i, (mh, s) in enumerate(zip(hashes, sets)):
        expected, got = set(theirs.query(mh, len(s))), ours.query(i, len(s))
        assert expected <= got and len(got - expected) <= 1, i
        planted += len(got) > 1
    assert planted >= 40  # the copies and parts were found, not just each set itself


def test_dedupe_keeps_no_article_in_memory():
    """A large run streams its articles: the finder keeps a signature and a few numbers per
    article, not the article (its text goes to a spill file), and still finds the copies."""
    import gc
    import weakref

    from pipeline.curate.dedupe import DuplicateFinder
    from pipeline.curate.identity import assign_ids

    files = [str(DUPES / "neck-stretches.txt"), str(DUPES / "neck-stretches-officewell.html"),
             str(DUPES / "hip-openers-shared-intro.txt")]
    articles = process(files, dedupe=False, curate=False).articles
    assign_ids(articles, files)
    finder = DuplicateFinder()
    alive = [weakref.ref(a) for a in articles]
    for article in articles:
        finder.add(article)
    del articles, article
    gc.collect()
    assert not any(ref() for ref in alive)
    try:
        dups = finder.duplicates()
    finally:
        finder.close()
    assert [(d.source.path, d.method) for d in dups] == [("neck-stretches.txt", "near")]


def _routine(level: str, holds: dict[str, int], reps: int) -> str:
    """A routine page of a site's template: the same wording around each exercise."""
    parts = [f"{level} Hip Mobility Routine\n\nThis {level.lower()} routine takes about ten minutes. Warm up with a "
             "short walk first, breathe slowly through every position and never force a stretch into pain. Move "
             "gently between the exercises and stop if anything feels sharp. Do it three times a week for the "
             "best results, and keep a glass of water nearby.\n"]
    for n, (name, hold) in enumerate(holds.items(), 1):
        parts.append(f"{n}. {name}\n\nGet into position slowly, keep your back long and your shoulders relaxed, "
                     f"and let your breath stay calm and even. Hold for {hold} seconds, then switch sides. Repeat "
                     f"{reps} times on each side before you move on to the next exercise.\n")
    return "\n".join(parts)


def test_routines_whose_records_differ_are_never_set_aside(tmp_path):
    """A beginner and an advanced version of one routine share most of their words; their holds and
    repetitions differ, so each is an article of its own (they were merged as near-duplicates and
    one routine's records vanished). A copy is a copy only when its records agree."""
    names = ["Figure Four Stretch", "Butterfly Stretch", "Lizard Pose", "Pigeon Pose", "Frog Stretch"]
    (tmp_path / "beginner.txt").write_text(_routine("Beginner", dict.fromkeys(names, 20), 2))
    (tmp_path / "advanced.txt").write_text(_routine("Advanced", dict.fromkeys(names, 60), 4))
    (tmp_path / "copy-of-beginner.txt").write_text(_routine("Beginner", dict.fromkeys(names, 20), 2)
                                                   + "\nShare this routine with a friend!\n")
    other_names = ["Hamstring Stretch", "Quad Stretch", "Calf Stretch", "Cobra Pose", "Child's Pose"]
    (tmp_path / "template-other-page.txt").write_text(_routine("Beginner", dict.fromkeys(other_names, 20), 2))
    shared = similarity(shingles((tmp_path / "beginner.txt").read_text(), 5),
                        shingles((tmp_path / "advanced.txt").read_text(), 5))
    assert shared >= 0.8, "the two versions are near-duplicates by their words"
    outcome = process([str(tmp_path)], curate=False)
    kept = sorted(a.source.path.rsplit("/", 1)[-1] for a in outcome.articles)
    assert kept == ["advanced.txt", "beginner.txt", "template-other-page.txt"] or \
        kept == ["advanced.txt", "copy-of-beginner.txt", "template-other-page.txt"]
    assert [d.source.path.rsplit("/", 1)[-1] for d in outcome.duplicates] in (["copy-of-beginner.txt"],
                                                                             ["beginner.txt"])
    holds = {a.source.path.rsplit("/", 1)[-1]: {r.hold.min_seconds for r in a.records if r.hold}
             for a in outcome.articles}
    assert holds["advanced.txt"] == {60} and {20} in holds.values()


def test_the_lsh_parameters_are_datasketchs_whether_computed_or_read_from_the_cache(tmp_path, monkeypatch):
    """The LSH Ensemble's (bands, rows) per size ratio are kept in the cache folder, so that comparing
    articles needs no scipy: read back, missing or damaged, they are what datasketch computes."""
    import numpy as np
    from datasketch.lshensemble import _optimal_param

    from pipeline.config import DEDUPE
    from pipeline.curate.dedupe import optimal_params

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    xqs = np.exp(np.linspace(-5, 5, 10))
    expected = [tuple(int(v) for v in _optimal_param(DEDUPE.lsh_threshold, DEDUPE.num_perm, 8, xq, 0.5, 0.5))
                for xq in xqs]
    assert len(set(expected)) > 1  # the ratios do choose different parameters
    args = (DEDUPE.lsh_threshold, DEDUPE.num_perm, 8, xqs.tolist(), (0.5, 0.5))
    assert optimal_params(*args) == expected  # computed, then kept
    [cached] = (tmp_path / "stretchpipe").glob("lsh-*.json")
    assert optimal_params(*args) == expected  # read back
    for damage in ("", '{"key": "other", "params": [[1, 1]]}', cached.read_text()[:-7]):
        cached.write_text(damage)
        assert optimal_params(*args) == expected
        assert json.loads(cached.read_text())["params"] == [list(p) for p in expected]  # made again
    # other numbers are another file, not a wrong answer
    assert optimal_params(0.9, DEDUPE.num_perm, 8, xqs.tolist(), (0.5, 0.5)) == [
        tuple(int(v) for v in _optimal_param(0.9, DEDUPE.num_perm, 8, xq, 0.5, 0.5)) for xq in xqs]


def test_comparing_articles_loads_no_scipy(tmp_path):
    """datasketch's package imports scipy (for its LSH's integration, over a second); dedupe loads
    only its MinHash and partitions, and the parameters from the cache folder once they are there.
    The duplicates are the ones found in the test above."""
    import subprocess
    import sys
    code = ("import os, sys, json\nos.environ['XDG_CACHE_HOME'] = sys.argv[1]\nfrom pipeline.api import process\n"
            "dups = sorted((d.source.path, d.method) for d in process([sys.argv[2]]).duplicates)\n"
            "print(json.dumps([dups, 'scipy' in sys.modules]))")
    runs = [json.loads(subprocess.run([sys.executable, "-c", code, str(tmp_path), str(DUPES)], capture_output=True,
                                      text=True, check=True).stdout.splitlines()[-1]) for _ in range(2)]
    assert runs[0][0] == runs[1][0] == [["neck-stretches-desk-health.html", "near"],
                                        ["neck-stretches-officewell.html", "near"], ["neck-stretches.txt", "near"]]
    assert runs[1][1] is False  # the second run found the parameters in the cache
