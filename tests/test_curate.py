"""The curated dataset: one row per canonical stretch with its sources, votes and conflicts; the
`import pipeline` API and `stretchpipe curate` give the same tables as the files."""
import json
import shutil
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import REPO

import pipeline
from pipeline.api import process
from pipeline.cli import main
from pipeline.knowledge import name_key

DEV_CORPUS = REPO / "tests" / "devcorpus"  # the shared development corpus pages, copied into the repo


def _article(title, *sections):
    return title + "\n\n" + "\n\n".join(f"{i}. {name}\n\n{body}" for i, (name, body) in enumerate(sections, 1)) + "\n"


COBRA_PRONE = ("Cobra Pose", "Lie face down with your hands under your shoulders. Press up slowly, lifting your chest "
               "off the floor. Hold for 15 to 30 seconds.")
CHILD = ("Child's Pose", "Kneel on the floor, sit back on your heels and fold forward with your arms stretched out. "
         "Hold for 30 seconds.")


@pytest.fixture(scope="module")
def conflicting(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conflict")
    (folder / "a.txt").write_text(_article("Two Back Stretches", COBRA_PRONE, CHILD))
    (folder / "b.txt").write_text(_article("Easy Evening Stretches", (
        "Cobra Pose", "Lie on your stomach with your palms flat beside your ribs. Straighten your arms to lift your "
        "chest and keep your hips on the floor. Hold for 20 seconds."), CHILD))
    (folder / "c.txt").write_text(_article("Stretches for the Office", (
        "Cobra Pose", "Stand with your feet hip-width apart and place your hands on your lower back. Lean back gently "
        "and lift your chest toward the ceiling. Hold for 10 seconds.")))
    (folder / "d.txt").write_text(_article("Yoga for a Stiff Back", (
        "Cat Pose", "Start on your hands and knees. Round your back toward the ceiling and tuck your chin to your "
        "chest. Hold for 5 breaths.")))
    (folder / "e.txt").write_text(_article("Morning Spine Routine", (
        "Cat Pose", "Come onto your hands and knees. Let your belly sink toward the floor and lift your head and "
        "tailbone. Hold for 5 breaths.")))
    return process([str(folder)])


def _row(outcome, canonical):
    return next(r for r in outcome.dataset if r.canonical_name == canonical)


def test_consensus_position_with_votes_and_a_conflict_flag(conflicting):
    cobra = _row(conflicting, "Cobra Pose")
    assert cobra.source_count == 3 and cobra.article_count == 3
    assert cobra.position == "prone"
    assert [(v.value, v.votes) for v in cobra.position_votes] == [("prone", 2), ("standing", 1)]
    assert cobra.hold.min_seconds == 10 and cobra.hold.max_seconds == 30 and cobra.hold.sources == 3
    [flag] = cobra.flags
    assert flag.rule == "source-conflict" and flag.dataset_id == cobra.id and "prone (2), standing (1)" in flag.message
    standing = next(s for s in cobra.sources if s.position == "standing")
    assert any(standing.record_id in e for e in flag.evidence)


def test_opposite_shapes_under_one_name_are_a_conflict(conflicting):
    cat = _row(conflicting, "Cat Pose")
    assert {s.shape for s in cat.sources} == {"spinal flexion", "spinal extension"}
    assert [f.id for f in cat.flags] == [f"{cat.id}-source-conflict-shape"]


def test_agreeing_sources_give_no_flag(conflicting):
    child = _row(conflicting, "Child's Pose")
    assert child.source_count == 2 and child.position == "kneeling" and child.flags == []
    assert child.steps and child.steps_source in {s.record_id for s in child.sources}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "out"
    return pipeline.run([REPO / "raw", DEV_CORPUS], out=out), out


def test_one_row_per_distinct_canonical_stretch_with_its_sources(corpus_run):
    ds, _ = corpus_run
    stretches, dataset = ds.stretches, ds.dataset
    key = {r: c if isinstance(c, str) else name_key(n)
           for r, c, n in zip(stretches["id"], stretches["canonical_name"], stretches["name"])}
    assert len(dataset) == len(set(key.values()))
    linked = stretches["canonical_name"].dropna()
    assert Counter(dataset["canonical_name"].dropna()) == Counter(set(linked)), "one row per canonical name"
    seen = Counter(s["record_id"] for sources in dataset["sources"] for s in sources)
    assert set(seen) == set(stretches["id"]) and set(seen.values()) == {1}, "every record in exactly one row"
    for _, row in dataset.iterrows():
        assert row["source_count"] == len(row["sources"])
        assert len({key[s["record_id"]] for s in row["sources"]}) == 1, row["id"]
    # the seed is given twice (HTML and text) and counted once
    assert len(ds.duplicates) == 1 and ds.duplicates["method"].iloc[0] == "exact"


def test_read_dataset_gives_back_what_run_returned(corpus_run):
    ds, out = corpus_run
    back = pipeline.read_dataset(out)
    for name in ("stretches", "articles", "flags", "dataset", "duplicates"):
        assert getattr(back, name).equals(getattr(ds, name)), name
    assert len(back.manifest) == len(ds.manifest)


def test_curate_command_rebuilds_the_same_dataset(corpus_run, tmp_path):
    _, out = corpus_run
    result = CliRunner().invoke(main, ["curate", str(out), "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "dataset.json").read_text()) == json.loads((out / "dataset.json").read_text())
    assert (tmp_path / "flags.jsonl").read_text() == (out / "flags.jsonl").read_text()
    # the new folder is a whole set: the other tables came along, and the package validates
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in out.iterdir()}
    from frictionless import Package
    assert Package(str(tmp_path / "datapackage.json")).validate().valid


def test_curate_in_place_rewrites_the_dataset_and_keeps_the_rest(tmp_path):
    shutil.copytree(DEV_CORPUS, tmp_path / "pages", ignore=shutil.ignore_patterns("*.json"))
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(tmp_path / "pages"), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "dataset.json").write_text("[]")  # a stale dataset is replaced, not kept
    result = CliRunner().invoke(main, ["curate", str(out), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after["dataset.json"] == before["dataset.json"]
    assert after["stretches.parquet"] == before["stretches.parquet"] and "dataset.parquet" not in after
    assert "datapackage.json" not in after, "without CSV there is no package (it would name a missing dataset.csv)"


def test_curate_command_on_a_folder_without_tables_fails_clearly(tmp_path):
    result = CliRunner().invoke(main, ["curate", str(tmp_path)])
    assert result.exit_code == 1 and "SP505" in result.output and "stretchpipe run --out" in result.output


def test_the_readme_example_runs(tmp_path, monkeypatch):
    """The notebook-style example in docs/api.md runs as written (on the seed, into a temp folder)."""
    section = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    start = section.index("```python") + len("```python")
    code = section[start:section.index("```", start)]
    assert "pipeline.run(" in code and "pipeline.read_dataset(" in code
    code = code.replace('"../shared/dev-corpus/pages/"', f'"{DEV_CORPUS}"').replace("/tmp/sp-out", str(tmp_path / "o"))
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(code, "docs/api.md", "exec"), namespace)  # noqa: S102 - the docs' own example
    assert len(namespace["ds"].dataset) > 40 and (tmp_path / "o" / "datapackage.json").exists()


def test_read_dataset_on_a_folder_without_tables_names_the_code(tmp_path):
    from pipeline import errors
    with pytest.raises(errors.OutputError) as caught:
        pipeline.read_dataset(tmp_path)
    assert caught.value.code == errors.NOT_A_DATASET and "stretchpipe run --out" in str(caught.value)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_read_dataset_without_parquet_gives_the_same_frames(corpus_run, tmp_path, fmt):
    _, out = corpus_run
    for path in out.glob(f"*.{fmt}"):
        shutil.copy(path, tmp_path)
    shutil.copy(out / "manifest.json", tmp_path)
    back, parquet = pipeline.read_dataset(tmp_path), pipeline.read_dataset(out)
    for name in ("stretches", "articles", "flags", "dataset", "duplicates"):
        assert getattr(back, name).equals(getattr(parquet, name)), name


def test_curation_does_not_depend_on_the_order_records_arrive_in(corpus_run):
    """The curator takes records one at a time as a run streams them; any order gives the same rows."""
    import random

    from pipeline.curate import curate_records
    from pipeline.records import Stretch
    from pipeline.schema import from_data, to_data

    ds, out = corpus_run
    records = [from_data(Stretch, r) for r in json.loads((out / "stretches.json").read_text(encoding="utf-8"))]
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)
    assert to_data(curate_records(shuffled)) == to_data(curate_records(records))
    assert to_data(curate_records(records)) == json.loads((out / "dataset.json").read_text(encoding="utf-8"))
