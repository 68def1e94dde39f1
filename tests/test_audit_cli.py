"""`stretchpipe audit` as a linter: locations in the original file, formats, exit codes,
configuration, baseline and inline suppression."""
import json
import os
import re
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
