"""`stretchpipe report` rendered in a real headless Chromium: the findings show, the removed blocks
and records are there, and the filters (driven through the URL fragment, the same code the
checkboxes run) hide what they should."""
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import REPO
from lxml import html as lxml_html

from pipeline.cli import main

SEED = REPO / "raw" / "13-stretches-for-lower-back-pain.html"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(main, ["report", str(SEED), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_report_is_self_contained_and_deterministic(report, tmp_path):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing fetched from the network
    again = tmp_path / "again.html"
    CliRunner().invoke(main, ["report", str(SEED), "-o", str(again)], catch_exceptions=False)
    assert again.read_bytes() == report.read_bytes()


def _dom(report, fragment=""):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium with apt-get when it can)")
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                           report.as_uri() + fragment], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "<html" in proc.stdout, proc.stderr[-500:]
    return lxml_html.fromstring(proc.stdout)


def _findings(dom):
    items = dom.xpath('//li[contains(@class, "finding")]')
    return [(li.get("data-rule"), li.get("data-severity"), li.get("hidden") is None) for li in items]


def test_findings_render_beside_highlighted_evidence(report):
    dom = _dom(report)
    findings = _findings(dom)
    assert len(findings) >= 10 and all(shown for _, _, shown in findings)
    assert {"position-conflict", "direction-conflict", "kb-conflict"} <= {rule for rule, _, _ in findings}
    marks = dom.xpath("//pre[@class='text']//mark[@data-findings]")
    assert marks and not [m for m in marks if "off" in (m.get("class") or "")]
    assert any("Stand with your feet hip-width apart" in m.text_content() for m in marks)
    assert dom.xpath("//details[contains(@class,'removed')]/summary")[0].text_content().startswith("Removed blocks")
    assert len(dom.xpath("//details/table/tbody/tr")) >= 13  # the records table has the 13 sections
    assert dom.xpath("//svg[@class='chart']//rect")


def test_severity_filter_hides_warnings(report):
    dom = _dom(report, "#severity=error")
    findings = _findings(dom)
    assert [s for _, s, shown in findings if shown] and all(s == "error" for _, s, shown in findings if shown)
    assert all(not shown for _, s, shown in findings if s != "error")
    total = dom.get_element_by_id("shown-total").text_content()
    assert int(total) == sum(1 for _, _, shown in findings if shown)


def test_rule_filter_shows_one_rule_and_dims_the_other_highlights(report):
    dom = _dom(report, "#rule=kb-conflict")
    findings = _findings(dom)
    shown = [r for r, _, on in findings if on]
    assert shown and set(shown) == {"kb-conflict"}
    ids = {li.get("id") for li in dom.xpath('//li[contains(@class,"finding")]') if li.get("hidden") is None}
    for mark in dom.xpath("//mark[@data-findings]"):
        lit = "off" not in (mark.get("class") or "").split()
        assert lit == bool(set(mark.get("data-findings").split()) & ids)
