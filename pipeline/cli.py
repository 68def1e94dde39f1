"""Command line: `stretchpipe run|clean|extract|audit|rules`.

Exit codes: 0 success; 1 nothing could be processed, or (audit) an error flag was found;
2 bad usage (click's own). Data goes to stdout, messages to stderr.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__, errors

# Heavy modules (pandas, spaCy, the knowledge base, dask) are imported inside the commands that
# need them, so `--help` and `--version` start instantly; tests/test_startup.py keeps it so.
if TYPE_CHECKING:
    from .run import RunResult

INPUTS = click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
OUTPUT = click.option("-o", "--output", default="-", show_default=True, help="File to write, or - for stdout.")
VERBOSE = click.option("-v", "--verbose", is_flag=True, help="List every skipped input, not just the counts.")


def _progress(label: str):
    def wrap(items):
        if not sys.stderr.isatty():  # quiet in CI and pipes
            yield from items
            return
        with click.progressbar(items, label=label, file=sys.stderr, show_pos=True) as bar:
            yield from bar
    return wrap


def _run(inputs: tuple[str, ...], label: str, until: str = "audit", exclude: tuple = ()) -> RunResult:
    from .run import run
    stdin = sys.stdin.buffer.read() if "-" in inputs else None
    return run(inputs, stdin=stdin, until=until, progress=_progress(label), exclude=exclude)


def _report_problems(result: RunResult, verbose: bool = False) -> None:
    """Failures always, one line each; skips one line each with -v, else counted by code
    (a run over thousands of pages should not print thousands of "no exercises" lines)."""
    skipped: dict[str, int] = {}
    for entry in result.manifest:
        if entry.status == "failed" or verbose and (entry.status != "processed" or entry.reason):
            click.echo(f"{entry.status}: {entry.source}: {entry.reason}", err=True)
        elif entry.status == "skipped":
            skipped[entry.code or "?"] = skipped.get(entry.code or "?", 0) + 1
    if skipped and not verbose:
        counts = ", ".join(f"{n} {code} {errors.SHORT.get(code, '')}".rstrip() for code, n in sorted(skipped.items()))
        click.echo(f"skipped {sum(skipped.values())} input(s) ({counts}); see manifest.json or use -v", err=True)


def _open_out(output: str):
    return click.open_file(output, "w", encoding="utf-8", atomic=output != "-")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stretchpipe")
def main() -> None:
    """Turn fitness articles into a clean, audited dataset of stretches.

    INPUT is a file (.txt, .html, .htm, .md, .markdown), a folder (read recursively) or - for stdin.
    """


@main.command("run")
@INPUTS
@VERBOSE
@click.option("--out", "out_dir", default="processed", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the output files.")
@click.option("--format", "formats", default=None, show_default="all formats",
              help="Comma-separated output formats (see README).")
def run_cmd(inputs: tuple[str, ...], out_dir: Path, formats: str | None, verbose: bool) -> None:
    """Run every stage and write stretches, articles, flags and a manifest to --out."""
    from .audit import all_flags
    from .emit import FORMATS, write_outputs
    formats = formats or ",".join(FORMATS)
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from "
                                 f"{', '.join(FORMATS)}", param_hint="--format")
    result = _run(inputs, "processing", exclude=(out_dir,))
    written = write_outputs(out_dir, result.articles, result.manifest, result.stats_dict(), chosen)
    _report_problems(result, verbose)
    stretches = sum(len(a.stretches) for a in result.articles)
    flags = sum(len(all_flags(a)) for a in result.articles)
    click.echo(f"{result.processed} of {len(result.manifest)} input(s) processed: {stretches} stretches, "
               f"{flags} flags -> {', '.join(str(p) for p in written)}", err=True)
    if result.processed == 0:
        sys.exit(1)


@main.command("clean")
@INPUTS
@VERBOSE
@OUTPUT
@click.option("--removed", is_flag=True, help="Also list the removed blocks with their reasons (on stderr).")
def clean_cmd(inputs: tuple[str, ...], output: str, removed: bool, verbose: bool) -> None:
    """Print the cleaned text of each input (boilerplate and duplicates removed)."""
    result = _run(inputs, "cleaning", until="clean")
    with _open_out(output) as fh:
        for i, doc in enumerate(result.documents):
            if len(result.documents) > 1:
                fh.write(f"{'' if i == 0 else chr(10)}==> {doc.source} <==\n")
            fh.write(doc.text)
            if removed:
                for r in doc.removed:
                    click.echo(f"removed {r.reason}: {r.text[:80]}", err=True)
    _report_problems(result, verbose)
    if not result.documents:
        sys.exit(1)


@main.command("extract")
@INPUTS
@VERBOSE
@OUTPUT
@click.option("--all-kinds", is_flag=True, help="Include strength, balance and other exercises, not only stretches.")
def extract_cmd(inputs: tuple[str, ...], output: str, all_kinds: bool, verbose: bool) -> None:
    """Print one JSON object per stretch (JSON Lines)."""
    result = _run(inputs, "extracting")
    with _open_out(output) as fh:
        for article in result.articles:
            for record in (article.records if all_kinds else article.stretches):
                fh.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
    _report_problems(result, verbose)
    if result.processed == 0:
        sys.exit(1)


@main.command("audit")
@INPUTS
@VERBOSE
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--min-severity", type=click.Choice(["info", "warning", "error"]), default="info", show_default=True)
def audit_cmd(inputs: tuple[str, ...], fmt: str, min_severity: str, verbose: bool) -> None:
    """Print the audit flags; exit 1 when any error flag is found (use it as an editorial lint)."""
    from .audit import all_flags
    order = {"info": 0, "warning": 1, "error": 2}
    result = _run(inputs, "auditing")
    rows = []
    for article in result.articles:
        for flag in all_flags(article):
            if order[flag.severity] >= order[min_severity]:
                rows.append((article.source, flag))
    if fmt == "json":
        click.echo(json.dumps([dict(source=s, **f.to_dict()) for s, f in rows], ensure_ascii=False, indent=2))
    else:
        click.echo(_table(rows))
    _report_problems(result, verbose)
    errors = sum(1 for _, f in rows if f.severity == "error")
    click.echo(f"{len(rows)} flag(s), {errors} error(s) in {len(result.articles)} article(s)", err=True)
    if errors or result.processed == 0:
        sys.exit(1)


@main.command("rules")
def rules_cmd() -> None:
    """List the audit rules with their severity."""
    from .audit import RULES
    for r in RULES.values():
        click.echo(f"{r.id:<18} {r.severity:<8} {r.scope:<8} {r.summary}")


def _table(rows) -> str:
    if not rows:
        return "no flags"
    lines = []
    header = ("SEVERITY", "RULE", "STRETCH", "MESSAGE")
    data = [(f.severity, f.rule, (f.stretch or "(article)")[:32], f.message) for _, f in rows]
    widths = [max(len(str(r[i])) for r in data + [header]) for i in range(3)]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header[:3], widths)) + "  " + header[3])
    source = None
    for (src, flag), row in zip(rows, data):
        if src != source:
            lines.append(f"-- {src}")
            source = src
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row[:3], widths)) + "  " + row[3])
        for ev in flag.evidence[:3]:
            lines.append(" " * (sum(widths) + 6) + f"> {ev[:100]}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
