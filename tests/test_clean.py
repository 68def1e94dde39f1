import re

import pytest
from helpers import page_from

from pipeline.clean import clean_page

ARTICLE = """5 Stretches for Tight Shoulders

Desk work rounds your shoulders forward. These stretches open the chest and ease the neck after long days.

1. Doorway Stretch

Photo credit: Jane Roe / Unsplash

[Related: Best Standing Desks]

Stand in a doorway and place your forearms on the frame. Step forward until you feel a stretch across your chest. Hold for 30 seconds.

2. Neck Tilt

Sit tall and tilt your ear toward your shoulder. Hold for 20 seconds on each side. Sit tall and tilt your ear toward your shoulder.

Sam Lee

Staff Writer

Sam writes about yoga, running and the odd recipe when the mood strikes on weekends.

Leave a Comment

Home

Shop

Podcast

Newsletter sign up: get weekly tips in your inbox.
"""


def test_boilerplate_is_removed_with_reasons():
    doc = clean_page(page_from(ARTICLE))
    reasons = {r.text: r.reason for r in doc.removed}
    assert reasons["Photo credit: Jane Roe / Unsplash"] == "boilerplate:credit"
    assert reasons["[Related: Best Standing Desks]"] == "boilerplate:promo"
    assert reasons["Staff Writer"] == "boilerplate:author"
    assert reasons["Sam Lee"] == "boilerplate:author"
    assert reasons["Leave a Comment"] == "boilerplate:comment_form"
    for gone in ("Unsplash", "Standing Desks", "Sam writes", "Podcast", "inbox"):
        assert gone not in doc.text
    assert "Stand in a doorway" in doc.text and doc.title == "5 Stretches for Tight Shoulders"


def test_repeated_sentence_inside_a_section_is_kept_once():
    doc = clean_page(page_from(ARTICLE))
    assert doc.text.count("Sit tall and tilt your ear toward your shoulder.") == 1
    assert any(r.reason == "duplicate:sentence" for r in doc.removed)


def test_body_pasted_twice_comes_out_once():
    body = ARTICLE.split("Sam Lee")[0]
    doc = clean_page(page_from(body + "\n" + body.split("\n", 2)[2]))
    assert doc.text.count("Stand in a doorway") == 1
    assert doc.text.count("1. Doorway Stretch") == 1
    assert sum(r.reason == "duplicate" for r in doc.removed) >= 4


def test_short_repeat_outside_a_run_survives():
    text = ("Two Stretches\n\n1. Calf Stretch\n\nStand facing a wall and step one foot back.\n\nHold for 30 seconds.\n\n"
            "2. Quad Stretch\n\nStand on one leg and pull your heel to your seat.\n\nHold for 30 seconds.\n")
    doc = clean_page(page_from(text))
    assert doc.text.count("Hold for 30 seconds.") == 2


def test_a_paragraph_re_running_earlier_sentences_loses_them():
    """A teaser that strings the article's sentences into one paragraph, and a lead sentence pasted
    again as a closing line, are copies; the paragraph's own sentence stays."""
    html = ("<html><body><article><h1>Morning notes</h1>"
            "<p>The river council voted on Monday to close the old ferry landing for repairs. "
            "The landing has served the town since the year its first bridge fell.</p>"
            "<p>Work on the north pier starts in March and should last about six weeks.</p>"
            "<p>Commuters will use the temporary bridge upstream while the landing is shut.</p>"
            "<p>The river council voted on Monday to close the old ferry landing for repairs. "
            "Work on the north pier starts in March and should last about six weeks. "
            "Commuters will use the temporary bridge upstream while the landing is shut. "
            "Sign up to get these notes in your inbox every morning.</p>"
            "<p>The river council voted on Monday to close the old ferry landing for repairs.</p>"
            "</article></body></html>")
    doc = clean_page(page_from(html, "html"))
    for sentence in ("The river council voted on Monday", "Work on the north pier", "Commuters will use"):
        assert doc.text.count(sentence) == 1, sentence
    assert "Sign up to get these notes" in doc.text
    assert sum(r.reason == "duplicate:sentence" for r in doc.removed) >= 4


def test_a_closing_line_repeated_after_each_item_stays_with_each():
    """One short line closing every item of a list set as paragraphs is the list's format; a long
    instruction repeated inside longer items belongs to each of them too."""
    html = ("<html><body><article><h1>Wrist care</h1>"
            "<p><b>Wrist flexor</b> – Extend one arm and pull the fingers back with the other hand. "
            "Keep the elbow straight and the shoulder relaxed the whole time you hold it. Do this for both sides.</p>"
            "<p><b>Wrist extensor</b> – Extend one arm and press the back of the hand down. "
            "Keep the elbow straight and the shoulder relaxed the whole time you hold it. Do this for both sides.</p>"
            "<p><b>Finger spread</b> – Open the hand as wide as it goes, then make a loose fist. "
            "Do this for both sides.</p></article></body></html>")
    doc = clean_page(page_from(html, "html"))
    assert doc.text.count("Do this for both sides.") == 3
    assert doc.text.count("Keep the elbow straight and the shoulder relaxed") == 2
    assert not any(r.reason == "duplicate:sentence" for r in doc.removed)


def test_html_structure_and_link_density():
    html = """<html><body><header class="site-header"><nav><a href="/">Home</a> <a href="/y">Yoga</a></nav></header>
    <article><h1>Neck Relief</h1><h2>1. Chin Tucks</h2><p>Sit tall and draw your chin straight back. Hold 5 seconds.</p>
    <p><a href="/x">Ten best pillows</a> <a href="/y">Our mattress picks</a></p>
    <h2>2. Neck Side Stretch</h2><p>Sit tall and tilt your head to one side. Hold for 20 seconds.</p></article>
    <aside class="sidebar"><p>Popular: How we test products and why it matters to readers.</p></aside>
    <footer><p>About us</p></footer></body></html>"""
    doc = clean_page(page_from(html, "html"))
    reasons = {r.text: r.reason for r in doc.removed}
    assert reasons["Ten best pillows Our mattress picks"] == "boilerplate:navigation"
    assert reasons["Popular: How we test products and why it matters to readers."] == "boilerplate:sidebar"
    assert "Home" not in doc.text and "About us" not in doc.text
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Chin Tucks", "Neck Side Stretch"]
    assert doc.title == "Neck Relief"  # the <h1> is the title, not a block of the body
    assert ("title", "Neck Relief") in {(r.reason, r.text) for r in doc.removed}


def test_spans_point_into_the_cleaned_text():
    doc = clean_page(page_from(ARTICLE))
    for block in doc.blocks:
        assert doc.text[block.start:block.end] == block.text


def test_removed_indices_point_at_the_page_blocks():
    from pipeline.clean import split_blocks
    page = page_from(ARTICLE)
    _, blocks = split_blocks(page)
    doc = clean_page(page)
    for r in doc.removed:
        assert r.text in blocks[r.index].text


def test_deeply_nested_html_is_walked_without_recursion_limits():
    html = ("<html><body>" + "<div>" * 3000 + "<h2>1. Cobra Pose</h2><p>Lie face down. Hold 20 seconds.</p>"
            + "</div>" * 3000 + "</body></html>")
    doc = clean_page(page_from(html, "html"))
    assert [b.text for b in doc.blocks] == ["Cobra Pose", "Lie face down. Hold 20 seconds."]


def test_near_duplicate_copy_of_the_body_is_removed():
    body = ARTICLE.split("Sam Lee")[0]
    second = body.split("\n", 2)[2].replace("Hold for 30 seconds.", "Hold for 30 seconds!").replace(
        "Desk work rounds your shoulders forward.", "Desk work rounds the shoulders forward.")
    doc = clean_page(page_from(body + "\n" + second))
    assert doc.text.count("Stand in a doorway") == 1
    assert doc.text.count("These stretches open the chest") == 1


def test_invisible_characters_do_not_split_words():
    text = "Stretches\n\n1. Cobra Pose\n\nLie face down and press up. Hold for 20\u00a0seconds.\u200b Stretch\u00ading is good.\n"
    doc = clean_page(page_from(text))
    assert "Hold for 20 seconds. Stretching is good." in doc.text


@pytest.mark.parametrize("fmt, page", [
    ("html", "<html><body>" + "".join(f"<ul><li>item {n}" for n in range(300)) + "</li></ul>" * 300 + "</body></html>"),
    ("html", "<html><body>" + "".join(f"<div><blockquote><span>item {n}</span>" for n in range(200))
     + "</blockquote></div>" * 200 + "</body></html>"),
    ("markdown", "".join("  " * n + f"- item {n}\n" for n in range(60))),
    ("markdown", "".join("> " * n + f"item {n}\n\n" for n in range(60))),
])
def test_text_nested_past_the_depth_limits_is_kept_in_order(fmt, page):
    """libxml2 drops what lies past 256 levels, markdown-it what lies past its nesting limit: past
    a depth the page is flattened instead, and every item's text stays, in order (issue 18.5)."""
    from pipeline.clean import split_blocks
    _, blocks = split_blocks(page_from(page, fmt))  # what the parse gives, before any block is judged
    found = [int(n) for b in blocks for n in re.findall(r"item (\d+)", b.text)]
    assert found == sorted(found) and set(found) == set(range(len(found))) and len(found) >= 60


def test_flattening_keeps_the_structure_above_the_depth():
    from pipeline.clean.html import flatten_deep
    page = "<div><ul><li><h2>Cobra</h2><p>Lie down.</p></li></ul></div>"
    assert flatten_deep(page, max_depth=5) == page
    flat = flatten_deep("<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li></ul>", max_depth=2)
    assert flat.split() == ["<ul><li>a<ul><li>b", "c", "</li></ul></li></ul>"]
