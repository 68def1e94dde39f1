"""The early exit (pipeline/clean/gate.py): what it stops, what it lets through, and that it never
loses a record: every corpus in ../shared gives the same records, byte for byte, with the exit on
and off. The news and development pages run in `make test`; the recipes and the seed as well in
`make test-early-exit` (STRETCHPIPE_EARLY_EXIT_ALL=1)."""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from pipeline import errors
from pipeline.clean.gate import NO_CUE, decide
from pipeline.knowledge import load_knowledge
from pipeline.records import Page
from pipeline.runner import Task, process_one

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STRETCHPIPE_SHARED", REPO.parent / "shared"))
ALL = os.environ.get("STRETCHPIPE_EARLY_EXIT_ALL") == "1"
CORPORA = {  # name: (folder, run in `make test`)
    "news": (SHARED / "bench" / "article-extraction" / "html", True),
    "dev-corpus": (SHARED / "dev-corpus" / "pages", True),
    "dev-negatives": (SHARED / "dev-negatives" / "recipes", False),
    "seed": (SHARED / "seed", False),
}


def _decide(text: str, fmt: str = "html") -> str | None:
    return decide(Page(source="t", format=fmt, text=text), load_knowledge())


def test_a_news_story_is_stopped():
    page = ("<html><head><title>Council votes on budget</title><script>var hold = 30;</script></head><body>"
            "<nav><a href='/'>Home</a><a href='/sport'>Sport</a></nav><h1>Council votes on budget</h1>"
            "<p>The city council voted on Tuesday to approve a budget of 30 million pounds for the next year.</p>"
            "<p>Members said the plan would keep libraries open.</p></body></html>")
    assert _decide(page) == NO_CUE


def test_instructions_for_a_body_under_a_heading_go_on():
    page = ("<html><body><h2>A break at your desk</h2><p>Sit tall in your chair.</p>"
            "<p>Slowly tilt your head to one side and hold it there for 20 seconds.</p></body></html>")
    assert _decide(page) is None


def test_an_instruction_and_a_body_part_in_different_blocks_are_not_a_section():
    page = ("<html><body><h2>Opening hours</h2><p>Turn left at the station to find us.</p>"
            "<h2>Our history</h2><p>The founder broke her back in 1990 and started the firm.</p></body></html>")
    assert _decide(page) == NO_CUE
    # the instruction that names the body part itself goes on
    assert _decide(page.replace("Turn left at the station", "Turn your neck to the left")) is None


def test_menus_links_and_page_chrome_are_not_evidence():
    story = ("<h1>Council votes on budget</h1><p>The city council voted on Tuesday to approve the budget.</p>"
             "<p>Members said the plan would keep libraries open.</p>")
    chrome = ("<nav><a href='/yoga'>Yoga</a> <a href='/s'>Hamstring stretch</a></nav>"
              "<aside><p>Lie on your back and hold for 30 seconds.</p></aside>"
              "<footer><p>Bend your knees and breathe.</p></footer>"
              "<p><a href='/a'>Cobra pose</a> | <a href='/b'>Downward dog</a> | <a href='/c'>Child's pose</a></p>")
    assert _decide(f"<html><body>{chrome}{story}</body></html>") == NO_CUE
    # the same words in the story itself let it through
    assert _decide(f"<html><body>{story}<p>Lie on your back and hold for 30 seconds.</p></body></html>") is None


def test_questions_ordinals_and_figures_of_speech_do_not_instruct_a_body():
    page = ("<html><body><h1>Match report</h1><p>Have you seen the second half? Do we have a chance at home?</p>"
            "<p>Buy tickets early: the gates open many times a year.</p></body></html>")
    assert _decide(page) == NO_CUE
    assert _decide(page.replace("Buy tickets early", "Lie with your back on the ground for 5 breaths")) is None


def test_a_run_in_name_given_twice_with_a_body_part_goes_on():
    letters = ("<html><body><h1>Advice</h1><p>Dear Sam: my husband works late every night.</p>"
               "<p>Dear Sam: my sister has been told her neck is hurt.</p></body></html>")
    assert _decide(letters) is None
    assert _decide(letters.replace("her neck is hurt", "her car is hurt")) == NO_CUE


def test_a_heading_the_knowledge_base_links_goes_on_even_misspelled():
    assert _decide("<html><body><h3>Cobras</h3><p>We saw them at the zoo.</p></body></html>") is None


def test_markdown_and_text_pages_are_decided_alike():
    assert _decide("# Recipe\n\nWe baked bread today.\n", "markdown") == NO_CUE
    assert _decide("Morning routine\n\nLie on your back and hug your knees for 30 seconds.\n", "text") is None


def test_the_manifest_says_why_and_the_summary_counts_it(tmp_path):
    page = tmp_path / "story.html"
    page.write_text("<html><body><h1>Election night</h1><p>The votes were counted by midnight.</p></body></html>")
    outcome = process_one(Task(str(page)))
    assert [(e.status, e.code) for e in outcome.entries] == [("skipped", errors.NO_CUE)]
    assert NO_CUE in outcome.entries[0].reason and outcome.stats["gate/decided_early"] == 1
    off = process_one(Task(str(page), early_exit=False))
    assert [(e.status, e.code) for e in off.entries] == [("skipped", errors.NO_EXERCISES)]


def _pages(folder: Path) -> list[tuple[str, Path]]:
    return [(p.name, p) for p in sorted(folder.iterdir()) if p.is_file()]


def _records(path: Path, tmp: Path, early_exit: bool) -> tuple[list[str], int]:
    if path.suffix == ".gz":  # the run reads a page as it is saved: decompressed to its own name
        target = tmp / path.name[:-3]
        target.write_bytes(gzip.decompress(path.read_bytes()))
        path = target
    outcome = process_one(Task(str(path), early_exit=early_exit))
    out = []
    for article in outcome.articles:
        out.append(json.dumps(article.to_dict(), sort_keys=True))
        out.extend(json.dumps(r.to_dict(), sort_keys=True) for r in article.records)
    return out, outcome.stats.get("gate/decided_early", 0)


@pytest.mark.parametrize("corpus", list(CORPORA))
def test_no_record_is_lost_by_the_early_exit(corpus, tmp_path):
    folder, in_make_test = CORPORA[corpus]
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (the shared corpora sit beside the clone; set STRETCHPIPE_SHARED)")
    if not (in_make_test or ALL):
        pytest.skip("run by `make test-early-exit` (STRETCHPIPE_EARLY_EXIT_ALL=1)")
    decided_early = with_records = 0
    for name, path in _pages(folder):
        on, stopped = _records(path, tmp_path, True)
        off, _ = _records(path, tmp_path, False)
        assert on == off, f"{corpus}/{name}: the early exit changed the records"
        decided_early += stopped
        with_records += bool(off)
        assert not (stopped and off), f"{corpus}/{name} was stopped but gives records"
    if corpus == "news":
        assert decided_early > 0, "the early exit stopped no news page"
    if corpus == "dev-corpus":
        assert with_records > 0
