"""Page metadata and JSON-LD (acquire/metadata.py) and the structured-data-mismatch rule."""
import json
from pathlib import Path

from lxml import etree

from pipeline.acquire import read_page
from pipeline.clean.html import parse
from pipeline.runner import run


def _page(json_ld_blocks, body, head_extra=""):
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in json_ld_blocks)
    return (f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Hamstrings | Site</title>'
            f'<link rel="canonical" href="https://example.org/hamstrings"><meta name="author" content="Ana Lima">'
            f'{head_extra}{scripts}</head><body><article><h1>Two Hamstring Stretches</h1>{body}</article></body></html>')


VISIBLE = ("<h2>1. Hamstring Stretch</h2><p>Stand facing a low step and rest one heel on it. Hinge forward from "
           "your hips until you feel a stretch behind the thigh. Hold for 30 seconds, then switch legs.</p>"
           "<h2>2. Child's Pose</h2><p>Kneel on the floor, sit back on your heels and fold forward. "
           "Hold for 60 seconds.</p>")


def _howto(first_step):
    return json.dumps({"@context": "https://schema.org", "@type": "HowTo", "name": "Hamstring Stretch",
                       "step": [{"@type": "HowToStep", "text": first_step},
                                {"@type": "HowToStep", "text": "Reach toward your toes and hold for 30 seconds."}]})


def test_metadata_from_the_page_and_its_json_ld(tmp_path):
    article = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Stretch Site"},
        {"@type": ["BlogPosting"], "headline": "Two Hamstring Stretches", "datePublished": "2024-05-02T08:00:00Z",
         "dateModified": "2024-06-10", "author": [{"@type": "Person", "name": "Ana Lima"}, "Ben Ode"]}]})
    broken = '{"@type": "HowTo", "name": "Broken" "step": []}'  # a missing comma: counted, never an error
    forgiving = '<!-- {"@type": "HowTo", "name": "Loose", "step": ["Lie on your back.", "Hold.",],} -->'
    path = tmp_path / "page.html"
    path.write_text(_page([article, broken, forgiving], VISIBLE))
    meta = read_page(str(path)).metadata
    assert meta.canonical_url == "https://example.org/hamstrings"
    assert meta.title == "Two Hamstring Stretches" and meta.author == "Ana Lima, Ben Ode"
    assert (meta.published, meta.updated, meta.language) == ("2024-05-02", "2024-06-10", "en-GB")
    assert meta.json_ld_types == ("BlogPosting", "HowTo", "WebSite") and meta.json_ld_broken == 1
    assert [(h.name, h.steps) for h in meta.howto] == [("Loose", ("Lie on your back.", "Hold."))]


def test_metadata_travels_to_the_article(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_page([_howto("Stand facing a low step and rest one heel on it.")], VISIBLE))
    [article] = run([str(path)]).articles
    data = article.to_dict()["metadata"]
    assert data["canonical_url"] == "https://example.org/hamstrings" and data["howto"][0]["name"] == "Hamstring Stretch"
    assert not [f for f in article.flags if f.rule == "structured-data-mismatch"], "agreeing JSON-LD raises nothing"


def test_json_ld_that_contradicts_the_visible_text_is_flagged(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_page([_howto("Sit on the floor with both legs straight out in front of you.")], VISIBLE))
    [article] = run([str(path)]).articles
    [flag] = [f for f in article.flags if f.rule == "structured-data-mismatch"]
    assert flag.stretch == "Hamstring Stretch" and flag.severity == "warning"
    assert "seated" in flag.message and "standing" in flag.message and "Sit on the floor" in flag.message


def test_text_pages_and_pages_without_json_ld_have_no_howto(tmp_path):
    text = tmp_path / "page.txt"
    text.write_text("Hamstrings\n\n1. Hamstring Stretch\n\nStand and hinge forward. Hold 30 seconds.\n")
    assert read_page(str(text)).metadata is None
    html = tmp_path / "plain.html"
    html.write_text("<html><body><p>Stand tall.</p></body></html>")
    meta = read_page(str(html)).metadata
    assert meta is not None and meta.howto == () and meta.json_ld_types == ()


REAL_PAGES = sorted(Path(__file__).parent.glob("data/**/*.html")) + sorted(Path(__file__).parent.glob("devcorpus/*.html"))


def test_the_trimmed_trafilatura_reading_gives_extract_metadatas_fields_on_real_pages():
    from trafilatura.metadata import extract_metadata

    from pipeline.acquire.metadata import trafilatura_metadata

    # beside the real pages: a title to trim and unescape, a byline in the body, a date in the URL
    byline = ('<!doctype html><html><head><meta property="og:title" content=" Neck &amp;amp; Shoulder Stretches ">'
              '</head><body><article><div class="author-name">Ana  Lima</div><h1>Neck Stretches</h1>'
              '<p>Turn your head slowly to the left. Hold for 20 seconds.</p></article></body></html>')
    assert len(REAL_PAGES) >= 10
    for path, text in [(p, p.read_text()) for p in REAL_PAGES] + [("byline", byline)]:
        for url in (None, "https://example.org/2024/05/02/neck"):
            tree = parse(text)
            full = extract_metadata(tree, default_url=url, date_config={"extensive_search": False,
                                                                         "original_date": True})
            ours = trafilatura_metadata(tree, url)
            fields = ("title", "author", "url", "sitename", "date")
            assert [getattr(ours, f) for f in fields] == [getattr(full, f) for f in fields], path


def test_a_page_is_parsed_once_and_its_metadata_reading_leaves_the_tree_as_parsed(monkeypatch):
    from pipeline.acquire.metadata import page_metadata
    from pipeline.clean import html

    calls = []
    real_parse = html._parse
    monkeypatch.setattr(html, "_parse", lambda text: calls.append(text) or real_parse(text))
    for path in REAL_PAGES:
        text = path.read_text()
        calls.clear()
        page_metadata(text)
        taken = html.parse(text)  # clean's parse takes the tree the metadata was read from
        assert len(calls) == 1, path.name
        assert etree.tostring(taken) == etree.tostring(real_parse(text)), path.name
        assert html.parse(text) is not taken  # handed out once: the next caller gets its own tree


def test_a_page_that_opens_with_an_xml_declaration_keeps_its_metadata(tmp_path):
    # lxml refuses a str that declares its encoding: the page's one parse drops the declaration first
    path = tmp_path / "page.xhtml.html"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + _page([], VISIBLE))
    meta = read_page(str(path)).metadata
    assert (meta.title, meta.author, meta.language) == ("Two Hamstring Stretches", "Ana Lima", "en-GB")
    assert meta.canonical_url == "https://example.org/hamstrings"


def test_the_author_searched_later_is_the_one_extract_metadata_finds(tmp_path, monkeypatch):
    """The author search (the costliest metadata step) waits until a page gives records; then it
    finds what trafilatura's extract_metadata finds on the page as read. A page without records is
    never searched."""
    from trafilatura.metadata import extract_metadata

    from pipeline.acquire.metadata import with_author

    byline = ('<!doctype html><html><head><title>Neck Stretches</title></head><body><article>'
              '<div class="author-name">Ana  Lima</div><h2>1. Neck Tilt</h2><p>Sit tall and drop your ear '
              'toward your shoulder. Hold for 20 seconds on each side.</p></article></body></html>')
    (tmp_path / "byline.html").write_text(byline, encoding="utf-8")
    searched = 0
    for path in REAL_PAGES + [tmp_path / "byline.html"]:
        page = read_page(str(path))
        full = extract_metadata(parse(path.read_text()), date_config={"extensive_search": False, "original_date": True})
        if page.metadata.author is None:
            searched += 1
            assert with_author(page).metadata.author == full.author, path
    assert searched >= 5
    assert run([str(tmp_path / "byline.html")]).articles[0].source.author == "Ana Lima"

    import trafilatura.metadata
    searches = tmp_path / "searches.log"  # the pages run in worker processes: they count in a file

    def counted(tree):
        with open(searches, "a") as fh:
            fh.write("searched\n")
        return "Someone"
    monkeypatch.setattr(trafilatura.metadata, "extract_author", counted)
    news = tmp_path / "news.html"
    news.write_text(byline.replace("Sit tall and drop your ear toward your shoulder. Hold for 20 seconds on each "
                                   "side.", "The council met on Tuesday.").replace("1. Neck Tilt", "Town News"))
    assert run([str(news)]).articles == [] and not searches.exists()
    assert run([str(tmp_path / "byline.html")]).articles[0].source.author == "Someone"
    assert searches.read_text() == "searched\n"
