"""Build pipeline/data/stretches.csv from the shared exercise datasets plus the curated file.

Run from the repo root:  python scripts/build_knowledge_base.py ../shared/data-sources
It takes facts only (names, aliases, positions, muscles, kind), never instruction prose.
The result is committed, so the pipeline never needs the shared folder at run time.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "pipeline" / "data"

# First-match cues for the position a description starts in (build time only; checked by eye).
POSITION_CUES = [
    ("side-lying", r"\b(lie|lying|lay) on (your|one|the) (left |right )?side\b|side-lying"),
    ("prone", r"\b(lie|lying|lay)( face down| on your (stomach|belly|front))|\bprone\b|face down"),
    ("supine", r"\b(lie|lying|lay)( down)?( flat)? on (your|the) back\b|\bsupine\b|\b(lie|lying) down\b"),
    ("quadruped", r"hands and knees|all fours|table ?top|quadruped"),
    ("kneeling", r"\bkneel|\bkneeling\b|on (your|one|both) knees?\b"),
    ("seated", r"\b(sit|sitting|seated)\b"),
    ("standing", r"\b(stand|standing|upright)\b"),
]
YOGA_CATEGORY_POSITIONS = {"Seated Yoga": "seated", "Standing Yoga": "standing"}
FED_MUSCLES = {"adductors": "groin", "abductors": "abductors", "middle back": "middle back"}


def load_body_parts() -> dict[str, str]:
    lines = [ln for ln in (DATA / "body_parts.csv").read_text().splitlines() if not ln.startswith("#")]
    synonyms: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        for syn in row["synonyms"].split("|"):
            synonyms[syn.strip().lower()] = row["canonical"]
        synonyms[row["canonical"]] = row["canonical"]
    return synonyms


def norm_part(name: str, synonyms: dict[str, str]) -> str | None:
    key = name.strip().lower()
    return FED_MUSCLES.get(key) or synonyms.get(key)


def first_position(text: str) -> str | None:
    text = text.lower()
    hits = []
    for label, pattern in POSITION_CUES:
        m = re.search(pattern, text)
        if m:
            hits.append((m.start(), label))
    return min(hits)[1] if hits else None


def key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower().replace("'", "")).strip()


def unsided(name: str) -> str:
    """wger lists "Left neck stretch" and "Triceps stretch right": one exercise, done per side."""
    return re.sub(r"^(left|right)\s+|\s+(left|right)$", "", name.strip(), flags=re.I)


def title(name: str) -> str:
    return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in name.split())


def entries_from_free_exercise_db(src: Path, synonyms) -> list[dict]:
    out = []
    for rec in json.loads((src / "free-exercise-db" / "stretching.json").read_text()):
        text = " ".join(rec["instructions"])
        kind = "other" if rec.get("equipment") == "foam roll" or "SMR" in rec["name"] else (
            "dynamic-stretch" if re.search(r"\b(repetitions|reps|swing|circles|rotate back and forth)\b", text, re.I)
            else "static-stretch")
        out.append({
            "canonical_name": title(rec["name"]),
            "aliases": [],
            "position": first_position(rec["instructions"][0] if rec["instructions"] else ""),
            "primary_targets": [p for m in rec["primaryMuscles"] if (p := norm_part(m, synonyms))],
            "secondary_targets": [p for m in rec["secondaryMuscles"] if (p := norm_part(m, synonyms))],
            "kind": kind,
            "source": "free-exercise-db",
        })
    return out


def entries_from_wger(src: Path, synonyms) -> list[dict]:
    muscles = json.loads((src / "wger" / "muscles_map.json").read_text())

    def parts(ids):
        result = []
        for mid in ids:
            m = muscles.get(str(mid))
            if not m:
                continue
            p = norm_part(m["name_en"], synonyms) if m["name_en"] else None
            p = p or norm_part(m["name"], synonyms)
            if p and p not in result:
                result.append(p)
        return result

    out = []
    for rec in json.loads((src / "wger" / "stretch_like_en.json").read_text()):
        text = html.unescape(re.sub(r"<[^>]+>", " ", rec.get("description_html") or ""))
        start = re.search(r"starting position:\s*(.+?)(steps:|$)", text, re.I | re.S)
        out.append({
            "canonical_name": title(unsided(rec["name"])),
            "aliases": [a.strip() for a in rec.get("aliases") or [] if a.strip()],
            "position": first_position(start.group(1) if start else text[:300]),
            "primary_targets": parts(rec.get("muscles") or []),
            "secondary_targets": parts(rec.get("muscles_secondary") or []),
            "kind": "static-stretch",
            "source": "wger",
        })
    return out


def entries_from_yoga(src: Path, synonyms) -> list[dict]:
    out = []
    for rec in json.loads((src / "yoga-api" / "poses_with_categories.json").read_text()):
        position = next((YOGA_CATEGORY_POSITIONS[c] for c in rec["categories"] if c in YOGA_CATEGORY_POSITIONS), None)
        position = first_position(rec["pose_description"].split(".")[0]) or position
        targets = []
        for m in re.finditer(r"\bstretch(?:es)? (?:the )?([^.]+)", rec.get("pose_benefits") or "", re.I):
            for piece in re.split(r",| and ", m.group(1)):
                p = norm_part(re.sub(r"^(the|your)\s+", "", piece.strip().lower()), synonyms)
                if p and p not in targets:
                    targets.append(p)
        name = rec["english_name"].strip()
        if not re.search(r"\b(pose|stretch)\b", name, re.I):
            name = f"{name} Pose"
        aliases = [rec["english_name"].strip(), rec["sanskrit_name_adapted"].strip()]
        kind = "balance" if "Balancing Yoga" in rec["categories"] else (
            "strength" if "Core Yoga" in rec["categories"] and "Strengthening Yoga" in rec["categories"] else "static-stretch")
        out.append({
            "canonical_name": title(name),
            "aliases": [a for a in aliases if a and key(a) != key(name)],
            "position": position,
            "primary_targets": targets[:3],
            "secondary_targets": targets[3:],
            "kind": kind,
            "source": "yoga-api",
        })
    return out


def curated() -> list[dict]:
    lines = [ln for ln in (DATA / "stretches_curated.csv").read_text().splitlines() if not ln.startswith("#")]
    out = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        out.append({
            "canonical_name": row["canonical_name"],
            "aliases": [a for a in row["aliases"].split("|") if a],
            "position": row["position"] or None,
            "primary_targets": [a for a in row["primary_targets"].split("|") if a],
            "secondary_targets": [a for a in row["secondary_targets"].split("|") if a],
            "kind": row["kind"],
            "source": "curated",
        })
    return out


def merge(groups: list[list[dict]]) -> list[dict]:
    """Earlier groups win; a later entry whose name or alias is already known adds its aliases."""
    by_key: dict[str, dict] = {}
    merged: list[dict] = []
    for group in groups:
        for entry in group:
            names = [entry["canonical_name"], *entry["aliases"]]
            existing = next((by_key[key(n)] for n in names if key(n) in by_key), None)
            if existing:
                for n in names:
                    if key(n) not in by_key:
                        existing["aliases"].append(n)
                        by_key[key(n)] = existing
                for field in ("position",):
                    existing[field] = existing[field] or entry[field]
                continue
            merged.append(entry)
            for n in names:
                by_key.setdefault(key(n), entry)
    return sorted(merged, key=lambda e: key(e["canonical_name"]))


def main(src: str) -> None:
    src_path = Path(src)
    synonyms = load_body_parts()
    entries = merge([curated(), entries_from_yoga(src_path, synonyms), entries_from_wger(src_path, synonyms),
                     entries_from_free_exercise_db(src_path, synonyms)])
    out = DATA / "stretches.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        fh.write("# Stretch knowledge base for stretchpipe, built by scripts/build_knowledge_base.py from "
                 "stretches_curated.csv (original) and facts from yuhonas/free-exercise-db (Unlicense), "
                 "wger-project/wger exercise data (CC-BY-SA 3/4, CC0; per-record authors in wger) and "
                 "alexcumplido/yoga-api (MIT).\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["canonical_name", "aliases", "position", "primary_targets", "secondary_targets", "kind", "source"])
        for e in entries:
            writer.writerow([e["canonical_name"], "|".join(dict.fromkeys(e["aliases"])), e["position"] or "",
                             "|".join(e["primary_targets"]), "|".join(e["secondary_targets"]), e["kind"], e["source"]])
    print(f"wrote {len(entries)} entries to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(REPO.parent / "shared" / "data-sources"))
