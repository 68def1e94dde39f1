"""The clean stage's document: blocks with their structure, and the tree built from them.

Each shape here was seen on real pages (issue 6); the inputs are written small, in other words.
The last tests read real pages from tests/devcorpus (sources in tests/devcorpus/README.md).
"""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import article_from, by_name, page_from

from pipeline.cli import main
from pipeline.clean import clean_page
from pipeline.clean.html import html_to_blocks

DEVCORPUS = Path(__file__).parent / "devcorpus"


def html_doc(body: str):
    return clean_page(page_from(f"<html><body><article>{body}</article></body></html>", "html"))


def texts(doc, kind=None):
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


# --------------------------------------------------------------------------- loose text, wraps

def test_text_directly_inside_containers_is_a_paragraph():
    doc = html_doc("<h2>Doorway Chest Opener</h2><div>Stand in a doorway with your forearms on the frame. "
                   "Step through until the chest opens.</div><section>Hold for 30 seconds.</section>"
                   "<table><tr><td>Breathe slowly while you hold it, and let the shoulders drop.</td></tr></table>")
    assert "Stand in a doorway with your forearms on the frame. Step through until the chest opens." in texts(doc)
    assert "Hold for 30 seconds." in texts(doc)
    assert any(b.kind == "cell" and b.text.startswith("Breathe slowly") for b in doc.blocks)


def test_heading_inside_an_invalid_paragraph_keeps_the_text_after_it():
    # the parser closes the <p> before the <h3>: the sentence after it is loose text in the body
    _, blocks = html_to_blocks("<body><p><h3>Cat Stretch</h3>Kneel on all fours and round your back up "
                               "toward the ceiling.</p></body>")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Cat Stretch"), ("paragraph", "Kneel on all fours and round your back up toward the ceiling.")]


def test_lines_wrapped_mid_sentence_are_one_sentence_again():
    _, blocks = html_to_blocks("<body><p>Sit tall on the edge of your chair and<br>slowly turn your upper body to "
                               "the right,<br>holding the backrest.</p></body>")
    assert [b.text for b in blocks] == [
        "Sit tall on the edge of your chair and slowly turn your upper body to the right, holding the backrest."]


def test_a_newline_in_the_html_source_is_white_space():
    _, blocks = html_to_blocks("<body><p>Lie on your\nback and hug\n   both knees.</p></body>")
    assert [b.text for b in blocks] == ["Lie on your back and hug both knees."]


def test_bare_words_under_a_br_line_stay_items_of_their_own():
    _, blocks = html_to_blocks("<body><p>Finish with these, one side first<br>calf<br>groin<br>hamstring</p></body>")
    assert [b.text for b in blocks] == ["Finish with these, one side first", "calf", "groin", "hamstring"]


# --------------------------------------------------------------------------- lists

def test_ordered_list_numbering_honours_start_and_continues_across_an_image():
    _, blocks = html_to_blocks(
        "<body><ol><li>Lie on your back.</li><li>Bend both knees.</li></ol><p><img src='a.jpg'></p>"
        "<ol start='3'><li>Let the knees fall to one side.</li></ol><ol><li>Switch sides.</li></ol>"
        "<h2>Other</h2><ol start='7'><li>Seven.</li></ol></body>")
    items = [(b.number, b.group) for b in blocks if b.kind == "list_item"]
    assert [n for n, _ in items] == [1, 2, 3, 4, 7]
    assert items[0][1] == items[2][1] == items[3][1] != items[4][1]  # one list, split by an image


def test_a_start_that_is_not_a_plain_number_is_ignored():
    _, blocks = html_to_blocks('<body><ol start="²"><li>Lie down.</li><li>Breathe.</li></ol>'
                               '<h2>Next</h2><ol start="1e3"><li>Sit up.</li></ol></body>')
    assert [b.number for b in blocks if b.kind == "list_item"] == [1, 2, 1]


def test_nested_lists_keep_their_depth_and_nest_in_the_tree():
    doc = html_doc("<h2>Neck Routine</h2><ul><li>Chin tuck<ul><li>Hold 5 seconds</li><li>Repeat 10 times</li></ul>"
                   "</li><li>Side tilt</li></ul>")
    assert [(b.text, b.depth) for b in doc.blocks if b.kind == "list_item"] == [
        ("Chin tuck", 0), ("Hold 5 seconds", 1), ("Repeat 10 times", 1), ("Side tilt", 0)]
    section = next(doc.tree.iter("section"))
    top = next(section.iter("list"))
    assert [item.children[0].block.text for item in top.children] == ["Chin tuck", "Side tilt"]
    sub = top.children[0].children[1]
    assert sub.kind == "list" and [i.children[0].block.text for i in sub.children] == [
        "Hold 5 seconds", "Repeat 10 times"]


def test_loose_markdown_list_items_are_items_not_paragraphs():
    doc = clean_page(page_from("# Hips\n\n## Lunge\n\n1. Step forward.\n\n2. Sink the hips.\n", "markdown"))
    assert [(b.kind, b.number) for b in doc.blocks if b.text.startswith(("Step", "Sink"))] == [
        ("list_item", 1), ("list_item", 2)]


LOOSE_ROUTINE = """# Desk breaks for the hips

## Three to try

1. **Seated Hip Opener**

   Sit near the front of the chair and rest one ankle on the other thigh. Stay here for 20 seconds,
   then swap legs. Repeat 3 times.

   **Tip**: keep the standing foot flat.

![hip opener](/img/hip.png)

2. **Chair Twist**

   - hands on the backrest
   - turn from the ribs

   Breathe out as you turn and hold for 10 seconds on each side.

3. **Ankle Circles**

   Lift one foot and draw slow circles with the toes, ten each way.

That is the whole set. Do it every hour or so.
"""


def test_every_paragraph_of_a_loose_list_item_belongs_to_the_item():
    doc = clean_page(page_from(LOOSE_ROUTINE, "markdown"))
    items = {b.text: b for b in doc.blocks if b.kind == "list_item" and b.depth == 0}
    assert list(items) == ["Seated Hip Opener", "Chair Twist", "Ankle Circles"]
    assert len({b.group for b in items.values()}) == 1  # one list, though an image splits it
    member = {b.text[:12]: (b.kind, b.group, b.depth) for b in doc.blocks if b.kind != "list_item"}
    group = items["Seated Hip Opener"].group
    assert member["Sit near the"] == member["Lift one foo"] == member["Breathe out "] == ("paragraph", group, 0)
    assert member["Tip: keep th"] == ("field", group, 0)  # a labelled line stays a field, of the item
    assert member["That is the "][1] == -1  # the paragraph after the list is the page's, not the last item's
    # in the tree each item holds its own paragraphs, in order, its sub-list where the page has it
    top = next(next(doc.tree.iter("section")).iter("list"))
    shape = [[(c.kind, c.block.text[:12] if c.block else None) for c in item.children] for item in top.children]
    assert shape == [
        [("paragraph", "Seated Hip O"), ("paragraph", "Sit near the"), ("field", "Tip: keep th")],
        [("paragraph", "Chair Twist"), ("list", None), ("paragraph", "Breathe out ")],
        [("paragraph", "Ankle Circle"), ("paragraph", "Lift one foo")]]


def test_a_loose_list_items_paragraphs_give_its_record_its_fields():
    records = by_name(article_from(LOOSE_ROUTINE, "markdown"))
    opener = records["Seated Hip Opener"]
    assert (opener.hold.min_seconds, opener.repetitions.min) == (20, 3)
    assert any("ankle on the other thigh" in step for step in opener.steps)
    twist = records["Chair Twist"]
    assert (twist.hold.min_seconds, twist.per_side) == (10, True)


def test_a_heading_that_opens_a_list_item_names_it_and_keeps_its_number():
    doc = clean_page(page_from("# Neck\n\nTwo to try.\n\n1. ##### Chin Glide\n\n   Slide the chin straight back.\n\n"
                               "   **How:**\n\n   Keep the eyes level and hold 5 seconds.\n\n"
                               "2. ##### Ear to Shoulder\n\n   Tilt the head to one side.\n", "markdown"))
    assert [(b.text, b.number) for b in doc.blocks if b.kind == "heading"] == [
        ("Chin Glide", 1), ("Ear to Shoulder", 2)]
    assert [b.kind for b in doc.blocks if b.text in ("How:", "Keep the eyes level and hold 5 seconds.")] == [
        "paragraph", "paragraph"]  # a part label inside the item is no heading of its own


# --------------------------------------------------------------------------- tables

def test_table_rows_cells_and_header_cells():
    doc = html_doc("<h2>Cool-down</h2><table><thead><tr><th>Stretch</th><th>Hold</th></tr></thead>"
                   "<tbody><tr><td>Calf stretch</td><td>30 s each leg</td></tr>"
                   "<tr><td>Quad stretch</td><td>30 s each leg</td></tr></tbody></table>")
    cells = [(b.text, b.row, b.col, b.header) for b in doc.blocks if b.kind == "cell"]
    assert cells == [("Stretch", 0, 0, True), ("Hold", 0, 1, True), ("Calf stretch", 1, 0, False),
                     ("30 s each leg", 1, 1, False), ("Quad stretch", 2, 0, False), ("30 s each leg", 2, 1, False)]
    assert "Calf stretch | 30 s each leg\nQuad stretch | 30 s each leg" in doc.text  # one line a row
    table = next(doc.tree.iter("table"))
    assert [[c.block.text for c in row.children] for row in table.children][1] == ["Calf stretch", "30 s each leg"]


def test_a_table_repeats_values_without_losing_them_as_duplicates():
    rows = "".join(f"<tr><td>Pose {n}</td><td>30 s</td><td>each leg</td></tr>" for n in range(1, 6))
    doc = html_doc(f"<h2>After running</h2><table>{rows}</table>")
    assert texts(doc, "cell").count("30 s") == 5


# --------------------------------------------------------------------------- fields

def test_labelled_lines_are_fields_not_headings():
    doc = html_doc("<h2>Butterfly</h2><p>Type: Seated</p><p>Level: Beginner</p><p>Equipment: strap</p>"
                   "<p>Sit with the soles of your feet together and let the knees drop.</p>")
    fields = [(b.key, b.value) for b in doc.blocks if b.kind == "field"]
    assert fields == [("Type", "Seated"), ("Level", "Beginner"), ("Equipment", "strap")]
    assert texts(doc, "heading") == ["Butterfly"]


def test_a_name_before_its_instructions_is_not_a_field():
    _, blocks = html_to_blocks("<body><p>Cobra Pose: Lie face down and press your chest up off the floor.</p></body>")
    assert blocks[0].kind == "paragraph" and blocks[0].key == ""


def test_definition_lists_are_fields():
    _, blocks = html_to_blocks("<body><dl><dt>Hold</dt><dd>20 to 30 seconds</dd><dt>Sides</dt><dd>both</dd></dl>"
                               "</body>")
    assert [(b.kind, b.text, b.key) for b in blocks] == [
        ("field", "Hold: 20 to 30 seconds", "Hold"), ("field", "Sides: both", "Sides")]


def test_a_bare_link_on_its_own_line_is_not_a_heading():
    doc = clean_page(page_from("# Knee programme\n\n## Heel Slides\nhttps://youtu.be/abc123?si=x\n\nSets: 2\n", "markdown"))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Heel Slides"), ("paragraph", "https://youtu.be/abc123?si=x"), ("field", "Sets: 2")]


def test_labelled_lines_in_a_text_dump_are_fields():
    doc = clean_page(page_from("Hip Openers\n\nPigeon\n\nPosition: kneeling\nHold: 1 minute\n\n"
                               "Bring one knee forward behind your wrist and lower your hips toward the floor.\n"))
    assert [(b.key, b.value) for b in doc.blocks if b.kind == "field"] == [("Position", "kneeling"),
                                                                         ("Hold", "1 minute")]


# --------------------------------------------------------------------------- Markdown

def test_markdown_hard_breaks_break_lines_and_soft_breaks_do_not():
    md = "# Stretch\n\n## Calf\n\nPress your heel down\ninto the floor.  \nHold 30 seconds.\\\nSwitch legs.\n"
    doc = clean_page(page_from(md, "markdown"))
    assert texts(doc)[1:] == ["Press your heel down into the floor.", "Hold 30 seconds.", "Switch legs."]


def test_markdown_tables_with_and_without_a_header_row():
    md = ("# Plan\n\n## Day 1\n\n| Stretch | Hold |\n|---|---|\n| Pigeon | 2 min |\n\n"
          "## Day 2\n\n| Butterfly | 3 min, each side |\n| Happy Baby | 5 min |\n")
    doc = clean_page(page_from(md, "markdown"))
    cells = [(b.text, b.row, b.col, b.header) for b in doc.blocks if b.kind == "cell"]
    assert ("Stretch", 0, 0, True) in cells and ("Pigeon", 1, 0, False) in cells
    assert ("Butterfly", 0, 0, False) in cells and ("5 min", 1, 1, False) in cells  # header-less: all body cells


def test_markdown_right_under_a_line_of_raw_html_is_still_markdown():
    md = "# Morning\n\n<p><img src='pose-1.gif' alt='pose 1'></p>\n- Raise both hands\n- Hold 5 seconds\n\nDone.\n"
    doc = clean_page(page_from(md, "markdown"))
    assert [(b.kind, b.text, b.source_line) for b in doc.blocks if b.kind == "list_item"] == [
        ("list_item", "Raise both hands", 4), ("list_item", "Hold 5 seconds", 5)]


def test_raw_html_inside_markdown_is_read():
    md = "# Routine\n\n<table><tr><td>1. 30 s each leg</td><td>2. 20 s</td></tr></table>\n\nEnd.\n"
    doc = clean_page(page_from(md, "markdown"))
    assert texts(doc, "cell") == ["1. 30 s each leg", "2. 20 s"]


def test_front_matter_content_becomes_blocks():
    md = ("---\ntitle: Evening Routine\nlayout: post\ntags: [yoga]\nequipment: [mat, strap]\nexercises:\n"
          "  - name: Figure Four\n    duration: 45\n    mirror: true\n  - name: Seated Twist\n    duration: 30\n"
          "steps:\n  - Sit on the floor with your legs long\n  - Cross one foot over the other knee\n---\n\nBody text.\n")
    doc = clean_page(page_from(md, "markdown"))
    assert doc.title == "Evening Routine"
    assert ("Equipment", "mat, strap") in [(b.key, b.value) for b in doc.blocks if b.kind == "field"]
    headings = texts(doc, "heading")
    assert "Figure Four" in headings and "Seated Twist" in headings
    assert "layout" not in doc.text.lower() and "yoga" not in doc.text.lower()  # site metadata is not content
    figure_four = next(s for s in doc.tree.iter("section") if s.heading and s.heading.text == "Figure Four")
    assert [b.text for b in figure_four.leaves()[1:]] == ["Duration: 45", "Mirror: yes"]
    assert [(b.number, b.text) for b in doc.blocks if b.kind == "list_item"] == [
        (1, "Sit on the floor with your legs long"), (2, "Cross one foot over the other knee")]


def test_html_kept_in_front_matter_values_is_read_as_text():
    md = "---\ntitle: Cobra\nsteps:\n  - \"<p>Lie face <b>down</b> on the mat</p>\"\n  - Press up slowly\n" \
         "cue: \"Keep <em>elbows</em> soft\"\n---\n"
    doc = clean_page(page_from(md, "markdown"))
    assert texts(doc, "list_item") == ["Lie face down on the mat", "Press up slowly"]
    assert "Cue: Keep elbows soft" in texts(doc, "field")


def test_front_matter_that_looks_like_a_menu_is_kept():
    md = "---\nexercises:\n  - name: Quads\n    duration: 45\n  - name: Calfs\n    duration: 45\n" \
         "  - name: Lats\n    duration: 45\n  - name: Glutes\n    duration: 45\n---\n"
    doc = clean_page(page_from(md, "markdown"))
    assert {"Quads", "Calfs", "Lats", "Glutes"} <= set(texts(doc, "heading"))


# --------------------------------------------------------------------------- provenance

def test_blocks_keep_their_line_in_the_source():
    html = "<html><body>\n<article>\n<h2>Cobra</h2>\n<p>Lie face down.</p>\n</article>\n</body></html>"
    doc = clean_page(page_from(html, "html"))
    assert [(b.text, b.source_line) for b in doc.blocks] == [("Cobra", 3), ("Lie face down.", 4)]
    md = "---\ntitle: T\n---\n# T\n\n## Cobra\n\nLie face down.\n"
    doc = clean_page(page_from(md, "markdown"))
    assert [(b.text, b.source_line) for b in doc.blocks] == [("Cobra", 6), ("Lie face down.", 8)]
    doc = clean_page(page_from("Title\n\n1. Cobra\n\nLie face down and press up.\n"))
    assert [(b.text, b.source_line) for b in doc.blocks] == [("Cobra", 3), ("Lie face down and press up.", 5)]


def test_every_kept_block_says_why_and_every_removed_block_why_not():
    html = ("<html><body><nav><a href='/'>Home</a> <a href='/y'>Yoga</a></nav><article><h1>Neck Relief</h1>"
            "<h2>Chin Tuck</h2><p>Sit tall and draw your chin straight back. Hold for five seconds, then release "
            "and repeat ten times.</p></article><footer>© 2025 Example</footer></body></html>")
    doc = clean_page(page_from(html, "html"))
    assert all(b.kept for b in doc.blocks)
    assert {r.reason for r in doc.removed} >= {"boilerplate:navigation", "boilerplate:footer", "title"}
    spans = [(n.start, n.end) for n in doc.tree.iter() if n.block is not None]
    assert all(doc.text[s:e] for s, e in spans)


def test_clean_jsonl_gives_one_object_per_input_with_removed_blocks():
    runner = CliRunner()
    result = runner.invoke(main, ["clean", "--format", "jsonl", "--tree", "-"],
                           input="Stretches\n\n1. Cobra\n\nLie face down.\n\nPhoto credit: Jo Doe / Unsplash\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["title"] == "Stretches"
    assert "Lie face down." in rows[0]["text"] and "Unsplash" not in rows[0]["text"]
    assert {"reason": "boilerplate:credit", "text": "Photo credit: Jo Doe / Unsplash"}.items() <= \
        next(r for r in rows[0]["removed"] if "Unsplash" in r["text"]).items()
    assert rows[0]["tree"]["kind"] == "document"


# --------------------------------------------------------------------------- scale and hostile nesting

def test_very_deep_nesting_keeps_its_text():
    html = "<html><body>" + "<div>" * 5000 + "<h2>Cobra Pose</h2><p>Lie face down.</p>" + "</div>" * 5000
    doc = clean_page(page_from(html + "</body></html>", "html"))
    assert texts(doc) == ["Cobra Pose", "Lie face down."]


def test_long_lists_and_many_headings_are_read_whole():
    items = "".join(f"<li>Item {n}</li>" for n in range(5000))
    _, blocks = html_to_blocks(f"<body><ol>{items}</ol></body>")
    assert [b.number for b in blocks] == list(range(1, 5001))
    heads = "".join(f"<h3>Part {n}</h3><p>Text {n}.</p>" for n in range(2000))
    _, blocks = html_to_blocks(f"<body>{heads}</body>")
    assert len(blocks) == 4000


# --------------------------------------------------------------------------- real pages

def test_real_routine_kept_only_in_front_matter(kb):
    doc = clean_page(page_from((DEVCORPUS / "repprepr-neeno-frontmatter.md").read_text(encoding="utf-8"),
                               "markdown"), kb)
    headings = texts(doc, "heading")
    assert {"Reach to the Sky", "Shoulder Stretch", "Cat Cow", "Lats Stretch"} <= set(headings)
    assert doc.text.count("Duration: 45") >= 10


def test_real_header_less_pipe_tables_become_tables(kb):
    doc = clean_page(page_from((DEVCORPUS / "schuchert-5day-hips.md").read_text(encoding="utf-8"), "markdown"), kb)
    first_cells = [b.text for b in doc.blocks if b.kind == "cell" and b.col == 0]
    assert {"Pigeon", "Butterfly", "Happy Baby", "Passive Squat"} <= set(first_cells)


def test_real_card_titles_dropped_by_the_extractor_come_back(kb):
    doc = clean_page(page_from((DEVCORPUS / "fitnessfiver-yoga-tabs.html").read_text(encoding="utf-8"), "html"), kb)
    headings = texts(doc, "heading")
    assert "Paschimottanasana | Yoga for Flexibility" in headings and "Balasana | Yoga for stress" in headings
    assert not any("Products" in h for h in headings)  # the footer stays out


def test_real_stretch_names_over_kept_lead_in_lines_come_back(kb):
    doc = clean_page(page_from((DEVCORPUS / "stayfit-stretch-pages.html").read_text(encoding="utf-8"), "html"), kb)
    headings = texts(doc, "heading")
    for name in ("Shoulder Stretch", "Upper Arm Stretch", "Chest Stretch"):
        at = headings.index(name)
        assert headings[at + 1].startswith("To stretch") or headings[at + 1].startswith("Start by")


def test_real_numbered_spans_and_bare_word_lines(kb):
    doc = clean_page(page_from((DEVCORPUS / "kendo-daily-warmup.html").read_text(encoding="utf-8"), "html"), kb)
    lines = texts(doc)
    assert "Spinal Side Bend" in lines and "Twist" in lines
    at = lines.index("Leg stretches")
    assert lines[at + 1:at + 6] == ["Starting by turning to the side", "calf", "achillies", "groin", "hamstring"]


def test_captions_that_name_or_instruct_a_stretch_stay_in_the_main_content():
    prose = ("<p>Tight calves pull on the heel and the arch, and a few minutes of stretching after a run "
             "keeps them supple. The two stretches below need only a wall and a step.</p>")
    html = (f"<html><body><nav><a href='/'>Home</a></nav><article><h1>Calf Care</h1>{prose}"
            "<h2>1. Wall stretch</h2><figure><img src='a.jpg'><figcaption>Downward Dog, seen from the side"
            "</figcaption></figure><p>Stand facing a wall and step your right foot back, pressing the heel "
            "down until you feel the calf. Hold for 30 seconds on each side.</p>"
            "<figure><img src='b.jpg'><figcaption>Our editor on holiday in 2019</figcaption></figure>"
            "<p>Then stand on a step with your heels over the edge and let them sink below the step, holding "
            "on to a rail. Hold for 30 seconds.</p></article><footer>© 2025</footer></body></html>")
    doc = clean_page(page_from(html, "html"))
    assert "Downward Dog, seen from the side" in texts(doc, "caption")
    assert "Our editor on holiday in 2019" not in doc.text


def test_a_heading_that_is_a_link_titles_its_section():
    md = ("# Upper body\n\n### 1. [Incline Press (with a dumbbell)](../press.md)\n**Sets:** 3\n\n- Kneel and press\n\n"
          "### 2. [Band Row](../row.md)\n**Sets:** 3\n\n- Pull the band\n")
    doc = clean_page(page_from(md, "markdown"))
    assert texts(doc, "heading") == ["Incline Press (with a dumbbell)", "Band Row"]


def test_an_authored_list_of_short_items_is_not_a_menu():
    md = "# After knee surgery\n\n## Week one\n\n- Toe curls\n- Heel raises\n- Quad squeezes\n- Short walks\n"
    doc = clean_page(page_from(md, "markdown"))
    assert texts(doc, "list_item") == ["Toe curls", "Heel raises", "Quad squeezes", "Short walks"]


def test_a_name_over_a_stretching_lead_in_and_steps_comes_back():
    prose = ("<p>Office work stiffens the neck and shoulders. These short moves, done every hour or so, keep them "
             "loose without leaving your chair, and each takes less than a minute to do well.</p>")
    html = (f"<html><body><div class='page'><h1>Desk Breaks</h1>{prose}<div class='bar'><h3>Side Glance</h3></div>"
            "<div class='body'><h3>You can also stretch your neck by looking to the side:</h3><ul>"
            "<li>Sit tall and face straight ahead.</li><li>Look over one shoulder and hold for 20 seconds.</li>"
            "<li>Return slowly and repeat on the other side.</li></ul></div></div></body></html>")
    doc = clean_page(page_from(html, "html"))
    headings = texts(doc, "heading")
    assert "Side Glance" in headings


@pytest.mark.parametrize("front", [
    "title: Morning Stretches\nx: " + "[" * 1000 + "]" * 1000 + "\n",  # YAML past its parser's depth
    "".join("  " * i + f"k{i}:\n" for i in range(600)) + "  " * 600 + "v: 1\n",
    '{"title": "Morning Stretches", "x": ' + '{"k": ' * 5000 + "1" + "}" * 5000 + "}\n",  # JSON front matter
])
def test_front_matter_nested_past_the_parsers_depth_is_no_data_and_the_body_survives(tmp_path, front):
    from pipeline.runner import Task, process_one
    page = tmp_path / "deep.md"
    page.write_text("---\n" + front + "---\n\n## Hamstring Stretch\n\nSit on the floor "
                    "with one leg straight and reach for your toes. Hold for 30 seconds, then switch legs.\n")
    outcome = process_one(Task(str(page)))
    assert [(e.status, e.code) for e in outcome.entries] == [("processed", None)]
    assert [r.name for a in outcome.articles for r in a.records] == ["Hamstring Stretch"]
