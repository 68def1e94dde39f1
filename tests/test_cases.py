"""Saved pages beside their expected JSON: one generated test per pair (recipe-scrapers style).

Adding a case is adding two files to tests/data: `<case>.<txt|html|md>` and `<case>.json`.
An expected file may name its inputs (paths from the repo root) instead of a sibling page.
Fields left out of an expected record are not checked; `*_include` lists must be contained.
"""
import json

import pytest

from conftest import DATA
from helpers import article_from_file

from pipeline.evaluate import case_pages

def _cases():
    for expected in sorted(DATA.glob("*.json")):
        spec = json.loads(expected.read_text(encoding="utf-8"))
        inputs = case_pages(expected, spec)
        assert inputs, f"{expected.name} has no page beside it"
        for page in inputs:
            yield pytest.param(page, spec, id=f"{expected.stem}[{page.suffix[1:]}]")


def _range(value, lo, hi):
    return None if value is None else [value[lo], value[hi]]


def check_record(record, want):
    d = record.to_dict()
    got = {
        "kind": d["kind"], "position": d["position"], "per_side": d["per_side"],
        "hold": _range(d["hold"], "min_seconds", "max_seconds"),
        "duration": _range(d["duration"], "min_seconds", "max_seconds"),
        "repetitions": _range(d["repetitions"], "min", "max"),
        "breaths": _range(d["breaths"], "min", "max"),
        "targets": d["targets"], "canonical_name": d["canonical_name"],
        "position_options": d["position_options"], "number": d["number"], "targets_source": d["targets_source"],
    }
    for key, value in want.items():
        if key == "name":
            continue
        if key == "targets_include":
            assert set(value) <= set(d["targets"]), (record.name, key, d["targets"])
        elif key == "targets_exclude":
            assert not set(value) & set(d["targets"]), (record.name, key, d["targets"])
        elif key == "steps_count":
            assert len(d["steps"]) == value, (record.name, d["steps"])
        elif key == "steps_start":
            assert d["steps"] and d["steps"][0].startswith(value), (record.name, d["steps"])
        elif key == "flags":
            assert sorted({f["rule"] for f in d["flags"]}) == sorted(value), (record.name, d["flags"])
        elif key == "flags_include":
            assert set(value) <= {f["rule"] for f in d["flags"]}, (record.name, d["flags"])
        elif key == "flags_exclude":
            assert not set(value) & {f["rule"] for f in d["flags"]}, (record.name, d["flags"])
        elif key == "no_error_flags":
            assert not [f for f in d["flags"] if f["severity"] == "error"], (record.name, d["flags"])
        elif key == "targets":
            assert sorted(got["targets"]) == sorted(value), (record.name, got["targets"])
        else:
            assert got[key] == value, (record.name, key, got[key])


@pytest.mark.parametrize("page, spec", list(_cases()))
def test_case(page, spec):
    article = article_from_file(page)
    if "title" in spec:
        assert article.title == spec["title"]
    if "claimed_count" in spec:
        assert article.claimed_count == spec["claimed_count"]
    stretches = {r.name: r for r in article.stretches}
    assert list(stretches) == [s["name"] for s in spec["stretches"]], "stretch records lost or invented"
    for want in spec["stretches"]:
        check_record(stretches[want["name"]], want)
    if "other_exercises" in spec:
        others = [{"name": r.name, "kind": r.kind} for r in article.other_exercises]
        assert others == spec["other_exercises"]
    if "summary_list_length" in spec:
        assert len(article.summary_list) == spec["summary_list_length"]
    reasons = {r.reason for r in article.removed}
    assert set(spec.get("removed_reasons_include", [])) <= reasons, reasons
    record_text = json.dumps([r.to_dict() for r in article.records], ensure_ascii=False)
    for fragment in spec.get("text_excludes", []):
        assert fragment not in record_text, f"boilerplate {fragment!r} survived into a record"
    if "article_flags" in spec:
        assert sorted(f.rule for f in article.flags) == sorted(spec["article_flags"])
