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
    return pipeline.run([REPO / "raw", DEV_CORPUS], out=out, formats=("json", "jsonl", "csv", "parquet")), out


def test_every_record_in_one_row_joined_on_evidence(corpus_run):
    ds, _ = corpus_run
    stretches, dataset = ds.stretches.set_index("id"), ds.dataset
    seen = Counter(s["record_id"] for sources in dataset["sources"] for s in sources)
    assert set(seen) == set(stretches.index) and set(seen.values()) == {1}, "every record in exactly one row"
    row_of = {s["record_id"]: row_id for row_id, sources in zip(dataset["id"], dataset["sources"]) for s in sources
              if not any(j["by"] == "duplicate-exercise" for j in s["joined_by"])}  # the audit's word beats the link
    linked = {s["record_id"] for sources in dataset["sources"] for s in sources  # links the dataset takes as joins
              if any(j["by"].startswith("knowledge-base") for j in s["joined_by"])}
    for canonical, ids in stretches.groupby("canonical_name").groups.items():
        assert len({row_of[i] for i in ids if i in row_of and i in linked}) <= 1, \
            f"{canonical}: one knowledge-base entry, one row"
    for _, row in dataset.iterrows():
        assert row["source_count"] == len(row["sources"])
        for s in row["sources"]:
            if len(row["sources"]) > 1:
                assert len(s["joined_by"]) > 0, (row["id"], s["record_id"], "in a row without evidence")
            if s["name_source"] == "derived":
                assert all(j["by"] != "name" for j in s["joined_by"]), (row["id"], "a placeholder joined by its text")
        has = row["completeness"]
        assert has["score"] == sum((has["has_steps"], has["has_position"], has["has_hold"]))
        assert has["has_steps"] == any(len(stretches.loc[s["record_id"], "steps"]) > 0 for s in row["sources"])
    # the seed is given twice (HTML and text) and counted once
    assert len(ds.duplicates) == 1 and ds.duplicates["method"].iloc[0] == "exact"


def test_the_audit_finding_that_two_sections_are_one_joins_them(corpus_run):
    """The seed says its "Spinal Twist" is the "Seated Twist" (`duplicate-exercise`): one row holds both."""
    ds, _ = corpus_run
    seed_ids = set(ds.stretches[ds.stretches["source"].map(lambda s: s["path"]).str.startswith(
        "13-stretches")]["id"])
    seed = {s["name"]: (row_id, s) for row_id, sources in zip(ds.dataset["id"], ds.dataset["sources"])
            for s in sources if s["record_id"] in seed_ids}
    assert seed["Spinal Twist"][0] == seed["Seated Twist"][0]
    assert {"by": "duplicate-exercise", "value": seed["Seated Twist"][1]["record_id"]} in \
        list(seed["Spinal Twist"][1]["joined_by"])


def test_the_same_exercise_join_reads_the_record_ids_the_flag_carries_not_its_message(corpus_run):
    """The `duplicate-exercise` flag names its two records by id (`related`, the earlier first);
    curation joins on those, so rewording the message changes nothing and the flag without them
    joins nothing."""
    import dataclasses

    from pipeline.curate import curate_records
    from pipeline.records import Flag, Stretch
    from pipeline.schema import from_data, to_data

    _, out = corpus_run
    records = [from_data(Stretch, r) for r in json.loads((out / "stretches.json").read_text(encoding="utf-8"))]
    flags = [from_data(Flag, f) for f in json.loads((out / "flags.json").read_text(encoding="utf-8"))]
    names = {r.id: r.name for r in records}
    twist = next(f for f in flags if f.rule == "duplicate-exercise" and f.stretch == "Spinal Twist")
    assert [names[i] for i in twist.related] == ["Seated Twist", "Spinal Twist"]
    assert all(i.startswith(twist.article_id + "-") for i in twist.related)
    rows = to_data(curate_records(records, flags=flags))
    reworded = [dataclasses.replace(f, message="(reworded)") for f in flags]
    assert to_data(curate_records(records, flags=reworded)) == rows
    unlinked = [dataclasses.replace(f, related=[]) if f is twist else f for f in flags]
    row_of = {s["name"]: r["id"] for r in to_data(curate_records(records, flags=unlinked)) for s in r["sources"]
              if s["record_id"] in twist.related}
    assert row_of["Seated Twist"] != row_of["Spinal Twist"]


ROUTINE = ("<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{intro}</p><ol>{items}</ol>"
           "</body></html>")


def test_two_unrelated_unnamed_routines_never_share_a_row(tmp_path):
    """Two pages of numbered, unnamed held items ("Stretch 1", "Stretch 2" on both): placeholders are
    not names, so no row mixes the two pages' exercises (nor builds a hold range from both)."""
    (tmp_path / "run.html").write_text(ROUTINE.format(
        title="Before your run", intro="Do these in order, pictures show each one.",
        items="<li>Hold for 20 seconds, each leg <img src='a.gif'></li><li>Hold for 15 seconds "
              "<img src='b.gif'></li><li>Hold for 30 seconds and repeat twice <img src='c.gif'></li>"))
    (tmp_path / "desk.html").write_text(ROUTINE.format(
        title="Desk break", intro="Follow the photos; each is one stretch.",
        items="<li>Hold for 45 seconds, each arm <img src='x.gif'></li><li>Hold for 10 seconds <img src='y.gif'>"
              "</li><li>Hold for 25 seconds and repeat 3 times <img src='z.gif'></li>"))
    outcome = process([str(tmp_path)])
    derived = [r for a in outcome.articles for r in a.stretches if r.name_source == "derived"]
    assert {r.name for r in derived} >= {"Stretch 1", "Stretch 2"}
    assert len({r.article_id for r in derived}) == 2, "both routines read as unnamed items"
    for row in outcome.dataset:
        assert row.article_count == 1 or not any(s.name_source == "derived" for s in row.sources), row.id
    assert len(outcome.dataset) == len(derived)
    assert len({row.id for row in outcome.dataset}) == len(outcome.dataset)


def test_names_one_stretch_goes_by_share_a_row_and_positions_it_allows_are_variety(tmp_path):
    """Unlinked names that differ by case, plural, a body-part spelling ("Glute"/"Glutes") share a
    row; a hamstring stretch seated in one article and standing in another is no conflict, while a
    Child's Pose done seated, against the knowledge base's kneeling, is one."""
    glute = "Lie on your back, cross one ankle over the opposite knee and pull the thigh towards you. Hold 30 seconds."
    (tmp_path / "a.txt").write_text(_article("Leg day recovery", ("Glute stretch", glute), (
        "Hamstring Stretch", "Sit on the floor with one leg straight and reach for your toes. Hold for 30 seconds."),
        CHILD))
    (tmp_path / "b.txt").write_text(_article("Runner's cool-down", ("GLUTES STRETCHES", glute.replace("30", "45")), (
        "Hamstring Stretch", "Stand tall, rest one heel on a low step and hinge forward at the hips. Hold 20 seconds."),
        CHILD))
    (tmp_path / "c.txt").write_text(_article("Office stretches", ("Child's Pose", (
        "Sit on a chair, spread your knees and fold forward until your chest rests on your thighs. "
        "Hold for 30 seconds."))))
    outcome = process([str(tmp_path)])
    rows = {r.name: r for r in outcome.dataset}
    glutes = next(r for r in outcome.dataset if {"Glute stretch", "GLUTES STRETCHES"} <= {n.name for n in r.names})
    assert glutes.source_count == 2 and glutes.hold.min_seconds == 30 and glutes.hold.max_seconds == 45
    assert all(j.by in ("name", "steps", "knowledge-base") for s in glutes.sources for j in s.joined_by)
    hamstring = rows["Hamstring Stretch"]
    assert {v.value for v in hamstring.position_votes} == {"seated", "standing"} and hamstring.flags == []
    child = rows["Child's Pose"]
    assert [f.rule for f in child.flags] == ["source-conflict"] and "seated" in child.flags[0].message


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
    assert (tmp_path / "flags.json").read_text() == (out / "flags.json").read_text()
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


def test_a_fuzzy_link_one_letter_off_a_different_stretch_does_not_join_its_row(tmp_path):
    """"Lat Stretch" is one letter from the knowledge base's "Cat Stretch", and extraction links it
    there by a fuzzy match; the dataset does not take that link as a join: "lat" is a word (the
    lats), and another stretch. A misspelling the link fixes ("SQAD") still joins its entry, and the
    row says it rests on a fuzzy link."""
    (tmp_path / "a.txt").write_text(_article("Back stretches for climbers", (
        "Cat Stretch", "Start on your hands and knees. Round your spine up toward the ceiling and let your head "
        "drop. Hold for 10 seconds."), (
        "Standing Quad Stretch", "Stand on one leg, hold the other foot behind you and draw the heel to your "
        "buttocks. Hold for 30 seconds on each leg.")))
    (tmp_path / "b.txt").write_text(_article("Pull day cool-down", (
        "Lat Stretch", "Hold a door frame with one hand at head height and sink your hips away until you feel "
        "the side of your back open. Hold for 20 seconds on each side."), (
        "STANDING SQAD STRETCH", "Balance on your left foot and pull your right ankle up behind you, knees "
        "together. Hold for 45 seconds, then switch legs.")))
    outcome = process([str(tmp_path)])
    records = {r.name: r for a in outcome.articles for r in a.stretches}
    assert records["Lat Stretch"].canonical_name == "Cat Stretch"  # extraction's fuzzy link, kept in the record
    assert records["STANDING SQAD STRETCH"].canonical_name == "Standing Quad Stretch"
    row_of = {s.name: row for row in outcome.dataset for s in row.sources}
    cat, lat = row_of["Cat Stretch"], row_of["Lat Stretch"]
    assert cat is not lat and cat.canonical_name == "Cat Stretch" and cat.source_count == 1
    assert lat.canonical_name is None and lat.name == "Lat Stretch" and lat.id == "lat-stretch"
    assert lat.hold.min_seconds == 20 and cat.hold.max_seconds == 10  # no hold range built from both
    quad = row_of["Standing Quad Stretch"]
    assert quad is row_of["STANDING SQAD STRETCH"] and quad.source_count == 2
    joins = {s.name: [(j.by, j.value) for j in s.joined_by] for s in quad.sources}
    assert joins == {"Standing Quad Stretch": [("knowledge-base", "Standing Quad Stretch")],
                     "STANDING SQAD STRETCH": [("knowledge-base-fuzzy", "Standing Quad Stretch")]}


def test_curation_does_not_depend_on_the_order_records_arrive_in(corpus_run):
    """The curator takes records one at a time as a run streams them; any order gives the same rows."""
    import random

    from pipeline.curate import curate_records
    from pipeline.records import Flag, Stretch
    from pipeline.schema import from_data, to_data

    ds, out = corpus_run
    records = [from_data(Stretch, r) for r in json.loads((out / "stretches.json").read_text(encoding="utf-8"))]
    flags = [from_data(Flag, f) for f in json.loads((out / "flags.json").read_text(encoding="utf-8"))]
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)
    assert to_data(curate_records(shuffled, flags=flags)) == to_data(curate_records(records, flags=flags))
    assert to_data(curate_records(records, flags=flags)) == json.loads((out / "dataset.json").read_text(encoding="utf-8"))
