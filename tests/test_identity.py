"""Stable ids and provenance: the same article gets the same id wherever the run starts from, every
flag names what it belongs to, and the source says where the article came from."""
import shutil

from conftest import REPO

from pipeline.api import process
from pipeline.curate.identity import article_key, make_id, normalise_url, relative_path
from pipeline.records import Page, PageMetadata
from pipeline.runner import process_page

SEED = REPO / "raw" / "13-stretches-for-lower-back-pain.txt"


def _ids(outcome):
    return [(a.id, a.source.path, [r.id for r in a.records]) for a in outcome.articles]


def test_ids_do_not_depend_on_the_working_folder(monkeypatch, tmp_path):
    absolute = _ids(process([str(REPO / "raw")], dedupe=False, curate=False))
    monkeypatch.chdir(REPO)
    relative = _ids(process(["raw"], dedupe=False, curate=False))
    monkeypatch.chdir(tmp_path)
    dotted = _ids(process([str(REPO / "raw") + "/"], dedupe=False, curate=False))
    assert absolute == relative == dotted
    assert [p for _, p, _ in absolute] == ["13-stretches-for-lower-back-pain.html", "13-stretches-for-lower-back-pain.txt"]
    assert absolute[0][2][:2] == [f"{absolute[0][0]}-01", f"{absolute[0][0]}-02"]


def test_a_file_given_directly_is_known_by_its_name():
    [article] = process([str(SEED)], curate=False).articles
    assert article.source.path == SEED.name and article.id == make_id(f"path:{SEED.name}")
    assert all(r.source.path == SEED.name and r.article_id == article.id for r in article.records)


def test_same_name_in_two_folders_gets_two_ids(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(SEED, tmp_path / sub / "page.txt")
    outcome = process([str(tmp_path / "a" / "page.txt"), str(tmp_path / "b" / "page.txt")], dedupe=False)
    ids = [a.id for a in outcome.articles]
    assert len(set(ids)) == 2 and ids == [make_id("path:page.txt"), make_id("path:page.txt#2")]


def test_every_flag_carries_the_id_it_belongs_to(tmp_path):
    page = tmp_path / "five.txt"  # the seed retitled to claim five stretches: an article-level count-mismatch
    page.write_text(SEED.read_text(encoding="utf-8").replace("13 Stretches", "5 Stretches"), encoding="utf-8")
    [article] = process([str(page)], curate=False).articles
    assert article.flags, "count-mismatch on the article"
    assert all(f.article_id == article.id and f.record_id is None for f in article.flags)
    record_flags = [(r, f) for r in article.records for f in r.flags]
    assert record_flags and all(f.record_id == r.id and f.article_id == article.id for r, f in record_flags)
    ids = [f.id for f in article.flags] + [f.id for _, f in record_flags]
    assert len(ids) == len(set(ids))


def test_url_author_and_date_come_from_the_page():
    text = SEED.read_text(encoding="utf-8")
    page = Page(source="https://Example.com/back/stretches/#top", format="text", text=text,
                url="https://Example.com/back/stretches/#top",
                metadata=PageMetadata(author="Dana Lee", published="2023-04-01"))
    _, article = process_page(page)
    assert (article.source.url, article.source.author, article.source.date) == (page.url, "Dana Lee", "2023-04-01")
    assert article.records[0].source.url == page.url
    assert normalise_url(page.url) == "https://example.com/back/stretches"
    assert article_key(page.url, None) == article_key("https://example.com/back/stretches", "elsewhere.html")


def test_relative_path_of_stdin_and_urls_is_themselves():
    assert relative_path("<stdin>", ["-"]) == "<stdin>"
    assert relative_path("https://example.com/a", []) == "https://example.com/a"


def test_a_saved_page_is_known_by_its_canonical_url(tmp_path):
    page = tmp_path / "saved.html"
    page.write_text('<html><head><link rel="canonical" href="https://example.com/neck/"><title>Neck</title></head>'
                    "<body><h1>Two Neck Stretches</h1><h2>1. Chin Tuck</h2><p>Sit tall and draw your chin straight "
                    "back. Hold for 5 seconds.</p><h2>2. Neck Rotation</h2><p>Sit tall and turn your head to look "
                    "over one shoulder. Hold for 10 seconds, then switch sides.</p></body></html>", encoding="utf-8")
    [article] = process([str(page)], curate=False).articles
    assert article.source.url == "https://example.com/neck/" and article.source.path == "saved.html"
    assert article.id == make_id("url:https://example.com/neck")
