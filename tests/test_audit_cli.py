"""`stretchpipe audit` as a linter: locations in the original file, formats, exit codes,
configuration, baseline and inline suppression."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import REPO

from pipeline.cli import main

SEED_HTML = REPO / "raw" / "13-stretches-for-lower-back-pain.html"
SEED_TXT = REPO / "raw" / "13-stretches-for-lower-back-pain.txt"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json"
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) (?P<rule>[a-z-]+) (?P<msg>.+)$")

GOOD = ("Calf Care\n\n1. Wall Calf Stretch\n\nStand facing a wall and step one foot back until you feel a stretch in "
        "your calf. Hold 30 seconds, then switch legs.\n\n2. Downward Dog\n\nStart on your hands and knees and lift "
        "your hips to stretch your calves. Hold for 5 breaths.\n")
WARNING_ONLY = ("# Hip Care\n\n## Pelvic Tilts\n\nLie on your back with your knees bent. Gently tilt your pelvis up and "
                "down.\n\n## Figure Four Stretch\n\nLie on your back and cross your right ankle over your left knee. "
                "Hold 30 seconds.\n")


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def seed_json():
    result = invoke("audit", SEED_HTML, SEED_TXT, "--format", "json")
    assert result.exit_code == 1
    return json.loads(result.stdout)["findings"]


def _source_line(path, line):
    return Path(path).read_text(encoding="utf-8").splitlines()[line - 1]


def test_text_lines_point_at_the_evidence_in_the_original_file():
    result = invoke("audit", SEED_HTML)
    lines = [m for m in map(LINE.match, result.stdout.splitlines()) if m]
    assert result.exit_code == 1 and lines
    assert re.search(r"^\d+ errors, \d+ warnings, 0 info in 1 file$", result.stdout, re.M)
    conflict = next(m for m in lines if m["rule"] == "position-conflict" and "Seated Forward Bend" in m["msg"])
    src = _source_line(SEED_HTML, int(conflict["line"]))
    assert src[int(conflict["col"]) - 1:].startswith("Stand with your feet hip-width apart")


def test_every_finding_on_the_seed_has_its_evidence_at_its_line(seed_json):
    for f in seed_json:
        line = _source_line(f["path"], f["line"])
        quote = f["evidence"][0] if f["evidence"] else ""
        words = re.findall(r"\w+", quote)[:3]
        if words:  # the first words of the first quote are on the line the finding points at
            assert all(w in line for w in words), (f["rule"], f["line"], quote, line[:120])


def test_the_seed_flags_named_in_the_issue(seed_json):
    by_rule = {}
    for f in seed_json:
        if f["path"].endswith(".txt"):
            by_rule.setdefault(f["rule"], []).append(f)
    stretches = lambda rule: {f["stretch"] for f in by_rule.get(rule, [])}  # noqa: E731
    assert "Seated Forward Bend" in stretches("position-conflict") and "Spinal Twist" in stretches("position-conflict")
    assert "Spinal Twist" in stretches("direction-conflict")
    assert "Seated Twist" in stretches("missing-steps")
    assert "Wall Angels" in stretches("target-mismatch")
    assert "Seated Forward Bend" in stretches("off-topic")
    assert {"Wall Angels", "Pelvic Tilts"} <= stretches("missing-hold")
    assert "Cat-Cow Stretch" in stretches("kb-conflict") and "Hamstring Stretch" in stretches("kb-conflict")
    assert "Child’s Pose" in stretches("missing-entry")
    assert any("twice" in f["message"] and f["related"] for f in by_rule["duplicate-content"])
    assert "Knee-to-Chest Stretch" in stretches("duplicate-content")
    assert any("Seated Twist" in f["message"] for f in by_rule["duplicate-exercise"])
    assert any("squat more" in e for f in by_rule["topic-drift"] for e in f["evidence"])
    calm = {"Cobra Pose", "Knee-to-Chest Stretch", "Piriformis Stretch", "Hip Flexor Stretch"}
    assert not [f for f in seed_json if f["severity"] == "error" and f["stretch"] in calm]


def test_sarif_validates_against_the_schema(tmp_path):
    out = tmp_path / "audit.sarif"
    result = invoke("audit", SEED_HTML, "--format", "sarif", "-o", out)
    assert result.exit_code == 1
    log = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["results"]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"position-conflict", "kb-conflict"}
    first = run["results"][0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"].endswith(".html") and first["region"]["startLine"] > 1


def test_github_annotations(tmp_path):
    result = invoke("audit", SEED_HTML, "--format", "github")
    lines = result.stdout.splitlines()
    assert lines and all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+(,endLine=\d+)?(,endColumn=\d+)?,title=[a-z-]+::", ln)
                         for ln in lines)


def test_exit_codes(tmp_path):
    good, warn = tmp_path / "good.txt", tmp_path / "warn.md"
    good.write_text(GOOD)
    warn.write_text(WARNING_ONLY)
    assert invoke("audit", good).exit_code == 0
    assert invoke("audit", warn).exit_code == 0
    assert invoke("audit", warn, "--fail-on", "warning").exit_code == 1
    assert invoke("audit", tmp_path / "missing.txt").exit_code == 2
    assert invoke("audit", good, "--format", "xml").exit_code == 2


def test_config_in_pyproject_and_config_file(tmp_path):
    warn = tmp_path / "warn.md"
    warn.write_text(WARNING_ONLY)
    (tmp_path / "pyproject.toml").write_text('[tool.stretchpipe.audit]\nseverity = { missing-hold = "error" }\n')
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = invoke("audit", warn)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1 and " error missing-hold " in result.stdout
    cfg = tmp_path / "audit.toml"
    cfg.write_text('ignore = ["missing-hold"]\n')
    result = invoke("audit", warn, "--config", cfg, "--fail-on", "warning")
    assert result.exit_code == 0 and "missing-hold" not in result.stdout
    cfg.write_text('select = ["no-such-rule"]\n')
    bad = invoke("audit", warn, "--config", cfg)
    assert bad.exit_code == 2 and "no-such-rule" in bad.output


def test_baseline_hides_known_findings_and_shows_new_ones(tmp_path):
    page = tmp_path / "draft.md"
    page.write_text(WARNING_ONLY)
    base = tmp_path / "baseline.json"
    assert invoke("audit", page, "--write-baseline", base).exit_code == 0
    assert json.loads(base.read_text())["fingerprints"]
    result = invoke("audit", page, "--baseline", base, "--fail-on", "warning")
    assert result.exit_code == 0 and "0 warnings" in result.stdout and "in the baseline" in result.stdout
    # a new fault added above the known one (moving its line) is the only finding shown
    page.write_text(WARNING_ONLY.replace("## Pelvic Tilts", "## Neck Rolls\n\nRoll your head slowly in a circle.\n\n"
                                         "## Pelvic Tilts"))
    result = invoke("audit", page, "--baseline", base, "--fail-on", "warning")
    assert result.exit_code == 1 and "Neck Rolls" in result.stdout and "Pelvic Tilts" not in result.stdout


def test_inline_suppression_covers_its_section_only(tmp_path):
    page = tmp_path / "draft.md"
    page.write_text(WARNING_ONLY.replace("## Pelvic Tilts\n", "## Pelvic Tilts\n\n<!-- stretchpipe: ignore missing-hold -->\n")
                    + "\n## Neck Rolls\n\nRoll your head slowly in a circle.\n")
    result = invoke("audit", page)
    assert "[Pelvic Tilts]" not in result.stdout and "[Neck Rolls] no hold" in result.stdout
    assert "1 suppressed inline" in result.stdout


def test_pages_without_records_are_audited(tmp_path):
    page = tmp_path / "essay.md"
    page.write_text("# Why Stretch Every Day\n\nStretching keeps you limber. Many people find it relaxing.\n")
    result = invoke("audit", page)
    assert result.exit_code == 0 and ":1:" in result.stdout and "no-exercises" in result.stdout


def test_rules_lists_every_rule_and_explains_one():
    listing = invoke("rules").stdout
    assert "direction-conflict" in listing and "safety" in listing
    columns = {len(re.match(r"^\S+\s+", line).group()) for line in listing.splitlines()}
    assert len(columns) == 1  # the severities line up whatever the longest rule id
    one = invoke("rules", "kb-conflict")
    assert one.exit_code == 0 and "## Bad" in one.stdout and "## Good" in one.stdout
    assert invoke("rules", "no-such-rule").exit_code == 2


def test_stdin_is_audited_with_lines_in_what_was_read():
    text = SEED_TXT.read_text(encoding="utf-8")
    result = invoke("audit", "-", input=text)
    lines = [m for m in map(LINE.match, result.stdout.splitlines()) if m]
    conflict = next(m for m in lines if m["rule"] == "position-conflict" and "Seated Forward Bend" in m["msg"])
    assert conflict["path"] == "<stdin>"
    src = text.splitlines()[int(conflict["line"]) - 1]
    assert src[int(conflict["col"]) - 1:].startswith("Stand with your feet hip-width apart")


def test_inline_suppression_in_html_before_the_first_section_covers_the_file(tmp_path):
    page = tmp_path / "draft.html"
    body = ("<html><body><article><h1>Hip Care</h1><!-- stretchpipe: ignore missing-hold -->"
            "<h2>Pelvic Tilts</h2><p>Lie on your back with your knees bent. Gently tilt your pelvis up and down.</p>"
            "<h2>Neck Rolls</h2><p>Sit tall and roll your head slowly in a circle.</p></article></body></html>")
    page.write_text(body)
    result = invoke("audit", page)
    assert "missing-hold" not in result.stdout and "2 suppressed inline" in result.stdout
    page.write_text(body.replace("ignore missing-hold", "ignore safety"))
    assert "missing-hold" in invoke("audit", page).stdout


# --------------------------------------------------------------------------- as ruff users expect

def _in(folder, *args, input=None):
    """The audit run from `folder` (where it looks for pyproject.toml)."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], input=input)
    finally:
        os.chdir(cwd)


def _rules_of(result):
    return {m["rule"] for m in map(LINE.match, result.stdout.splitlines()) if m}


def test_select_ignore_and_extend_select_resolve_as_in_ruff(tmp_path, seed_json):
    every = {f["rule"] for f in seed_json if f["path"].endswith(".html")}
    missing = {r for r in every if r.startswith("missing-")}
    assert len(missing) >= 2 and "kb-conflict" in every  # the seed shows each case below
    cases = {
        ("--select", "kb-conflict"): {"kb-conflict"},
        ("--select", "missing"): missing,  # a prefix of whole words
        ("--select", "missing,kb-conflict", "--ignore", "missing-hold"): missing - {"missing-hold"} | {"kb-conflict"},
        ("--ignore", "ALL", "--select", "kb-conflict"): {"kb-conflict"},  # the more specific selector wins
        ("--select", "ALL", "--ignore", "missing"): every - missing,
        ("--select", "kb-conflict", "--select", "safety,missing-hold"): {"kb-conflict", "missing-hold"} & every,
        ("--ignore", "missing", "--extend-select", "missing-hold"): every - missing | {"missing-hold"},
    }
    for args, expected in cases.items():
        assert _rules_of(_in(tmp_path, "audit", SEED_HTML, *args)) == expected, args


def test_the_command_line_wins_over_the_configuration(tmp_path, seed_json):
    every = {f["rule"] for f in seed_json if f["path"].endswith(".html")}
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "drafts"\n\n[tool.stretchpipe.audit]\n'
                                             'select = ["position-conflict", "missing"]\nignore = ["missing-hold"]\n')
    configured = _rules_of(_in(tmp_path, "audit", SEED_HTML))
    assert configured == {"position-conflict", "missing-steps", "missing-entry"} & every and configured
    # --select replaces the configured selection, ignore included (ruff: a new select starts afresh)
    assert _rules_of(_in(tmp_path, "audit", SEED_HTML, "--select", "missing-hold")) == {"missing-hold"}
    assert _rules_of(_in(tmp_path, "audit", SEED_HTML, "--extend-select", "kb-conflict")) == configured | {"kb-conflict"}
    assert _rules_of(_in(tmp_path, "audit", SEED_HTML, "--ignore", "position-conflict")) == configured - {
        "position-conflict"}
    # a folder below without the table uses the one above; a pyproject.toml without it is skipped
    sub = tmp_path / "drafts"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert _rules_of(_in(sub, "audit", SEED_HTML)) == configured


@pytest.mark.parametrize("toml, key, says", [
    ('select = "kb-conflict"', "select", "must be a list"),
    ('ignore = "missing-hold"', "ignore", "must be a list"),
    ('extend-select = ["kb-conflict", 3]', "extend-select.1", "must be a string"),
    ('severity = ["missing-hold"]', "severity", "must be a table"),
    ('severity = { missing-hold = "fatal" }', "severity.missing-hold", "must be one of info, warning, error"),
    ('fail-on = 2', "fail-on", "must be one of"),
    ('selct = ["kb-conflict"]', "selct", "unknown key"),
])
def test_config_values_are_type_checked_with_the_key_named(tmp_path, toml, key, says):
    page = tmp_path / "warn.md"
    page.write_text(WARNING_ONLY)
    (tmp_path / "pyproject.toml").write_text(f"[tool.stretchpipe.audit]\n{toml}\n")
    result = _in(tmp_path, "audit", page)
    assert result.exit_code == 2 and "[SP601]" in result.output and "Traceback" not in result.output
    assert key in result.output and says in result.output
    assert "'k'" not in result.output  # a string is never read letter by letter as rule ids


def test_unknown_selectors_are_usage_errors_naming_them(tmp_path):
    page = tmp_path / "warn.md"
    page.write_text(WARNING_ONLY)
    for args in (["--select", "kb-conflct"], ["--ignore", "ALL,nope"], ["--extend-select", "miss"]):
        result = _in(tmp_path, "audit", page, *args)
        assert result.exit_code == 2 and "[SP602]" in result.output, args
        assert repr(args[1].split(",")[-1]) in result.output
    (tmp_path / "pyproject.toml").write_text('[tool.stretchpipe.audit]\nignore = ["no-such-rule"]\n')
    result = _in(tmp_path, "audit", page)
    assert result.exit_code == 2 and "[SP602]" in result.output and "ignore" in result.output


def test_binary_or_broken_config_is_a_coded_error_without_its_bytes(tmp_path):
    page = tmp_path / "warn.md"
    page.write_text(WARNING_ONLY)
    for name, data in (("binary.toml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"),
                       ("nul.toml", b'select = ["kb-conflict"]\x00\x01\n'),
                       ("broken.toml", b"select = [kb-conflict\n")):
        cfg = tmp_path / name
        cfg.write_bytes(data)
        result = _in(tmp_path, "audit", page, "--config", cfg)
        assert result.exit_code == 2 and "[SP601]" in result.output and name in result.output, name
        assert result.output.isprintable() or all(c.isprintable() or c == "\n" for c in result.output)
        assert "PNG" not in result.output and "IHDR" not in result.output and "Traceback" not in result.output
    bad = tmp_path / "base.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    result = _in(tmp_path, "audit", page, "--baseline", bad)
    assert result.exit_code == 2 and "[SP603]" in result.output and "garbage" not in result.output


def test_statistics_count_findings_per_rule(tmp_path, seed_json):
    html = [f for f in seed_json if f["path"].endswith(".html")]
    expected = {}
    for f in html:
        expected[f["rule"]] = expected.get(f["rule"], 0) + 1
    result = invoke("audit", SEED_HTML, "--statistics")
    assert result.exit_code == 1  # as ruff: statistics do not change the exit code
    rows = [re.split(r"\t", line) for line in result.stdout.splitlines()]
    assert {rule.strip(): int(n) for n, rule, _ in rows} == expected
    counts = [int(n) for n, _, _ in rows]
    assert counts == sorted(counts, reverse=True)  # most frequent first
    as_json = json.loads(invoke("audit", SEED_HTML, "--statistics", "--output-format", "json").stdout)
    assert {row["rule"]: row["count"] for row in as_json} == expected
    assert all(row["severity"] in ("error", "warning", "info") for row in as_json)


def test_exit_zero_reports_findings_but_exits_0(tmp_path):
    result = invoke("audit", SEED_HTML, "--exit-zero")
    assert result.exit_code == 0 and " error " in result.stdout
    assert invoke("audit", SEED_HTML, "--exit-zero", "--select", "nope").exit_code == 2
    assert invoke("audit", tmp_path / "missing.html", "--exit-zero").exit_code == 2


def _between(path, f):
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    start = sum(len(x) for x in lines[:f["line"] - 1]) + f["column"] - 1
    end = sum(len(x) for x in lines[:f["end_line"] - 1]) + f["end_column"] - 1
    return "".join(lines)[start:end]


def test_findings_have_end_positions_that_close_their_evidence(seed_json):
    for f in seed_json:
        assert {"path", "line", "column", "end_line", "end_column", "rule", "severity", "message",
                "stretch"} <= set(f)
        assert (f["end_line"], f["end_column"]) > (f["line"], f["column"])
        if not f["evidence"]:
            continue
        quoted = _between(f["path"], f)
        words = re.findall(r"\w+", f["evidence"][0])
        assert quoted and words[-1] in quoted[-len(words[-1]) - 12:], (f["rule"], quoted[-60:], words[-3:])
        assert words[0] in quoted[:len(words[0]) + 4]


def test_page_level_findings_point_at_the_visible_title_not_the_head(tmp_path):
    page = tmp_path / "essay.html"
    page.write_text("<!DOCTYPE html>\n<html><head>\n<title>Why Stretch Every Day</title>\n"
                    '<meta property="og:title" content="Why Stretch Every Day">\n</head>\n<body>\n<nav>Home</nav>\n'
                    "<main>\n  <h1 class='headline'>Why Stretch Every Day</h1>\n"
                    "  <p>Stretching keeps you limber. Many people find it relaxing.</p>\n</main>\n</body></html>\n")
    found = json.loads(invoke("audit", page, "--format", "json").stdout)["findings"]
    page_level = [f for f in found if f["stretch"] is None]
    assert page_level
    for f in page_level:
        assert _between(page, f) == "Why Stretch Every Day" and f["line"] == 9


def test_sarif_uses_relative_uris_under_srcroot_with_regions_and_help(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.stretchpipe.audit]\n'
                                             'docs-url = "https://example.org/stretchpipe/blob/main/docs/rules/{id}.md"\n')
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    page = drafts / "seed page.html"
    page.write_bytes(SEED_HTML.read_bytes())
    result = _in(tmp_path, "audit", page.resolve(), "--format", "sarif")
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    run = log["runs"][0]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == tmp_path.resolve().as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "drafts/seed%20page.html", "uriBaseId": "%SRCROOT%", "index": 0}
        region = loc["region"]
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
    assert run["artifacts"] == [{"location": {"uri": "drafts/seed%20page.html", "uriBaseId": "%SRCROOT%"}}]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["helpUri"] == f"https://example.org/stretchpipe/blob/main/docs/rules/{rule['id']}.md"
        assert (REPO / "docs" / "rules" / f"{rule['id']}.md").is_file()  # the page the URI names exists
        assert "## Bad" in rule["help"]["markdown"] and rule["help"]["text"]


@pytest.mark.parametrize("urls, expected", [
    (["Documentation, https://docs.example.org/stretchpipe/"], "https://docs.example.org/stretchpipe/rules/{id}.md"),
    (["Documentation, https://docs.example.org/lint/{id}.html"], "https://docs.example.org/lint/{id}.html"),
    (["Homepage, https://example.org/", "Repository, https://example.org/stretchpipe.git"], None),
    ([], None),
])
def test_sarif_help_uri_is_the_installed_distributions_documentation_url(tmp_path, urls, expected):
    # a real distribution's metadata, found first on the path: what `pip install` leaves behind
    site = tmp_path / "site"
    dist = site / "stretchpipe-0.0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: stretchpipe\nVersion: 0.0.0\n"
                                   + "".join(f"Project-URL: {u}\n" for u in urls), encoding="utf-8")
    page = tmp_path / "hips.md"
    page.write_text(WARNING_ONLY, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    done = subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", "audit", page.name,
                           "--format", "sarif", "--exit-zero"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rules = json.loads(done.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(rule["help"]["text"] and "## Bad" in rule["help"]["markdown"] for rule in rules)
    for rule in rules:
        assert rule.get("helpUri") == (expected.format(id=rule["id"]) if expected else None)


def test_summary_is_plain_english(tmp_path):
    warn = tmp_path / "warn.md"
    warn.write_text(WARNING_ONLY)
    last = invoke("audit", warn).stdout.splitlines()[-1]
    assert re.fullmatch(r"0 errors, \d+ warnings?, 0 info in 1 file", last) and "(s)" not in last


DEV_PAGES = REPO / "tests" / "devcorpus"  # real pages copied from ../shared/dev-corpus (licences in their JSON)


def test_on_real_pages_a_quote_found_verbatim_in_the_source_is_exactly_the_range_reported():
    # the pages' own markup (tables, emphasis, headings the cleaner set aside) between the words
    names = ["sugita-running-table.md", "neg-why-stretch-daily.html", "stayfit-stretch-pages.html",
             "healthcare-yoga-cards.html", "tortoisewolfe-12-poses.md", "kendo-daily-warmup.html"]
    result = invoke("audit", *[DEV_PAGES / n for n in names], "--format", "json", "--exit-zero")
    checked = 0
    for f in json.loads(result.stdout)["findings"]:
        source = Path(f["path"]).read_text(encoding="utf-8")
        quote = f["evidence"][0] if f["evidence"] else ""
        if not quote or quote not in source:
            continue
        between = _between(f["path"], f)
        assert between == quote or (quote in source.split("</head>")[0] and quote in between), (f["rule"], between)
        assert "<title" not in source.splitlines()[f["line"] - 1]  # never the head's <title>
        checked += 1
    assert checked >= 5


def test_sarif_of_fetched_pages_names_them_by_their_url(tmp_path):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = SEED_HTML.read_bytes()
    archive = tmp_path / "crawl.warc.gz"
    with archive.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://example.org/stretches?page=1&sort=<new>", "response",
                                                      payload=io.BytesIO(body), http_headers=headers))
    log = json.loads(invoke("audit", archive, "--format", "sarif").stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    run = log["runs"][0]
    assert run["artifacts"] == [{"location": {"uri": "https://example.org/stretches?page=1&sort=%3Cnew%3E"}}]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {
        "https://example.org/stretches?page=1&sort=%3Cnew%3E"}
