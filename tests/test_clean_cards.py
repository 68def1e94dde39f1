"""Stretch content that a main-content extractor leaves out, by shape: a grid of pose cards, titles
over images only, a series of titles some of which no knowledge base knows, a page whose <h1>s
title its cards; and chrome text that keeps its word breaks.
Written pages, in words and markup of their own."""
from helpers import page_from

from pipeline.clean import clean_page

NAV = "<header><nav><a href='/'>Home</a> <a href='/classes'>Classes</a> <a href='/blog'>Blog</a></nav></header>"
FOOTER = "<footer><p>© 2025 Quiet Hours Yoga. All rights reserved.</p></footer>"
PROSE = ("<p>Evening practice is less about effort than about letting the day go. A slow sequence of floor "
         "poses lengthens the hips and the spine, calms the breath and prepares the body for sleep. "
         "Nothing here asks for strength or balance; a folded blanket and a wall are all you need, and "
         "every pose can be made easier with a cushion under the knees or the head.</p>"
         "<p>Move between the poses without hurry and stay in each for as long as it feels kind. If a pose "
         "pinches rather than stretches, back out of it a little and breathe into the space you find.</p>")


def texts(doc, kind=None):
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


def card(name: str, blurb: str, href: str) -> str:
    return (f"<div class='col-sm-3'><div class='tile'><figure><img src='{href}.jpg' alt='{name}'><figcaption>"
            f"<h4 class='tile-title'><a href='https://poses.example.org/{href}'>{name}</a></h4>"
            f"<p>{blurb}</p></figcaption></figure></div></div>")


def test_a_grid_of_pose_cards_comes_back_with_its_blurbs():
    cards = (card("Thread the Needle", "Opens the back of the shoulders.", "needle")
             + card("Happy Baby", "Releases the lower back and the groin.", "baby")
             + card("Sphinx", "A soft backbend for the belly and the chest.", "sphinx"))
    html = (f"<html><head><title>Evening Yoga</title></head><body>{NAV}<main><article><h1>Evening Yoga</h1>"
            f"{PROSE}</article><div class='row'>{cards}</div></main>{FOOTER}</body></html>")
    doc = clean_page(page_from(html, "html"))
    assert texts(doc, "heading") == ["Thread the Needle", "Happy Baby", "Sphinx"]
    assert "Releases the lower back and the groin." in texts(doc)
    assert {b.kept for b in doc.blocks if b.text == "Happy Baby"} == {"exercise_series"}
    assert "Classes" not in doc.text and "All rights reserved" not in doc.text


def test_titles_over_images_only_come_back():
    poses = "".join(f"<h3>{name}</h3><img src='p{i}.jpg' alt='A student on a mat'>"
                    for i, name in enumerate(("Reclined Bound Angle", "Legs Up the Wall", "Lizard")))
    html = (f"<html><head><title>Poses</title></head><body>{NAV}<main><h2>Floor poses</h2>{PROSE}{poses}</main>"
            f"{FOOTER}</body></html>")
    doc = clean_page(page_from(html, "html"))
    assert ["Reclined Bound Angle", "Legs Up the Wall", "Lizard"] == texts(doc, "heading")[-3:]


def test_a_series_of_headline_links_that_name_no_exercise_stays_out():
    teasers = "".join(card(name, "Read the full story on our blog.", f"story{i}") for i, name in enumerate(
        ("Our new studio opens in May", "Meet the teachers", "Gift cards for the holidays")))
    html = (f"<html><head><title>Evening Yoga</title></head><body>{NAV}<main><article><h1>Evening Yoga</h1>"
            f"{PROSE}</article><div class='row'>{teasers}</div></main>{FOOTER}</body></html>")
    doc = clean_page(page_from(html, "html"))
    assert "Meet the teachers" not in doc.text and "Read the full story" not in doc.text


def test_a_title_the_knowledge_base_does_not_know_follows_its_series():
    # "Gate Opener" and "Doorframe Lean" are no known names; their siblings are, and each heads steps
    steps = {"Gate Opener": "Kneel on one knee and swing the other leg out to the side. Hold for 20 seconds.",
             "Camel": "Kneel upright and reach back for your heels one hand at a time. Hold for 15 seconds.",
             "Doorframe Lean": "Stand in a doorway with a forearm on each side and lean through. Hold 30 seconds.",
             "Frog Stretch": "Widen the knees on the floor and sink the hips back. Hold for 40 seconds."}
    body = "".join(f"<div class='item'><h1 class='big'>{name.upper()}</h1><p>{text}</p></div>"
                   for name, text in steps.items())
    html = f"<html><head><title>OPENERS</title></head><body>{body}</body></html>"
    doc = clean_page(page_from(html, "html"))
    assert doc.title == "OPENERS"  # four <h1>s title the cards, not the page
    assert texts(doc, "heading") == [name.upper() for name in steps]


def test_one_h1_or_a_series_named_in_the_title_still_titles_the_page():
    sections = "".join(f"<h1>{h}</h1><p>{PROSE}</p>" for h in ("Hip Openers at Home", "Why hips", "How often"))
    doc = clean_page(page_from(f"<html><head><title>Hip Openers | Quiet Hours</title></head><body>{sections}"
                               "</body></html>", "html"))
    assert doc.title == "Hip Openers at Home"


def test_chrome_text_keeps_the_breaks_between_its_items():
    html = ("<html><body><main><h1>Shoulder Rolls</h1>" + PROSE + "</main><footer><ul><li><a href='/m'>Morning</a>"
            "</li><li><a href='/b'>Back</a></li></ul><p><a href='/x'>Str</a><a href='/y'>etch</a> <b>Club</b></p>"
            "</footer></body></html>")
    doc = clean_page(page_from(html, "html"))
    footer = next(r.text for r in doc.removed if r.reason == "boilerplate:footer")
    assert footer == "Morning Back Stretch Club"  # items apart; inline tags with no space between stay one word
