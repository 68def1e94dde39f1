"""Page metadata and JSON-LD (acquire/metadata.py) and the structured-data-mismatch rule."""
import json

from pipeline.acquire import read_page
from pipeline.run import run


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
