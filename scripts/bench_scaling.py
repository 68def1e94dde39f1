"""Cost per stretch as a page grows (`make bench-scaling`): is every step linear?

Usage: python scripts/bench_scaling.py [--sizes 10,100,1000,10000] [--budget SECONDS]

Writes one HTML page per size with that many headed stretches (names from the knowledge base,
three steps and a hold each), runs the stages of `pipeline.runner.process_page` on it in this
process and prints the CPU time per stretch of each stage (clean, extract, audit) and of the
whole page. Flat figures down a column mean a linear step; a column that grows with the size is
super-linear. A size is skipped (and said so) once the previous one took longer than --budget
seconds. A benchmark: it prints, asserts nothing.
"""
from __future__ import annotations

import argparse
import html
import time

from pipeline.audit import audit_article
from pipeline.clean import clean_page
from pipeline.knowledge import load_knowledge
from pipeline.records import Page
from pipeline.runner import warm_up

# each under the clean stage's near-duplicate length (12 words), and named: copies of one text
# would be removed as duplicates, and the page would shrink
STEPS = ("Start the {name} with your back straight.",
         "Ease into the {name} slowly.",
         "Breathe out and relax into it.")


def build_page(n: int) -> str:
    """n headed stretches, named from the knowledge base in turn (numbered when a name repeats)."""
    names = [e.canonical_name for e in load_knowledge().exercises if e.kind.endswith("stretch")]
    parts = ["<html><head><title>A long stretching routine</title></head><body><article>",
             "<h1>A long stretching routine</h1><p>Do these stretches slowly, one after another.</p>"]
    for i in range(n):
        name = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        steps = "".join(f"<li>{html.escape(s.format(name=name.lower()))}</li>" for s in STEPS)
        parts.append(f"<h2>{html.escape(name)}</h2><ol>{steps}</ol><p>Hold for {20 + i % 5 * 5} seconds on each side.</p>")
    parts.append("</article></body></html>")
    return "".join(parts)


def timed(page: Page) -> tuple[dict[str, float], int]:
    from pipeline.extract import extract_article

    kb = load_knowledge()
    spent = {}
    start = time.process_time()
    doc = clean_page(page, kb)
    spent["clean"] = time.process_time() - start
    start = time.process_time()
    article = extract_article(doc, kb)
    spent["extract"] = time.process_time() - start
    start = time.process_time()
    audit_article(article, kb, doc)
    spent["audit"] = time.process_time() - start
    spent["page"] = sum(spent.values())
    return spent, len(article.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--budget", type=float, default=120.0, help="skip the next size once one took longer")
    args = parser.parse_args()
    warm_up()
    timed(Page(source="warm-up", format="html", text=build_page(3)))  # spaCy and the lazy imports
    print("stretches  records  CPU ms per stretch:   clean  extract    audit     page   (page total s)")
    previous = None
    for n in (int(s) for s in args.sizes.split(",")):
        if previous is not None and previous > args.budget:
            print(f"{n:>9}  skipped: the previous size took {previous:.0f} s (over --budget {args.budget:g} s)")
            continue
        page = Page(source=f"scaling-{n}.html", format="html", text=build_page(n))
        spent, records = timed(page)
        per = {k: v / n * 1000 for k, v in spent.items()}
        print(f"{n:>9}  {records:>7}  {'':>19}{per['clean']:8.2f} {per['extract']:8.2f} {per['audit']:8.2f} "
              f"{per['page']:8.2f}   ({spent['page']:.1f} s)", flush=True)
        previous = spent["page"]


if __name__ == "__main__":
    main()
