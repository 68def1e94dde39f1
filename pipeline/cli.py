"""Command line: `stretchpipe run|curate|clean|extract|audit|report|fetch|rules`, a thin face over the Python API.

Exit codes: 0 success; 1 nothing could be processed, or (audit) an error flag was found;
2 bad usage (click's own). Data goes to stdout, messages to stderr.
"""
from __future__ import annotations

import errno
import json
import logging
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__, errors
from .display import plural, printable
from .executors import ENGINES

# Heavy modules (pandas, spaCy, the knowledge base, dask) are imported inside the commands that
# need them, so `--help` and `--version` start instantly; tests/test_startup.py keeps it so.
if TYPE_CHECKING:
    from .records import ManifestEntry
    from .runner import Options, Outcome

INPUTS = click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
log = logging.getLogger("stretchpipe")
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # a full disk, a full quota, a file-size limit


class OutputPath(click.ParamType):
    """A file a command writes (`-o`), checked before any work: a folder, a socket or a block device
    is a usage error; a FIFO or character device is written as a stream, never replaced."""

    name = "file"

    def convert(self, value, param, ctx):
        from .emit import refuse_target, target_kind
        if value != "-" and target_kind(value) is None:
            self.fail(str(refuse_target(value)), param, ctx)
        return value


class Number(click.ParamType):
    """A finite number within [low, high]: nan, inf and values past the range are usage errors (exit 2),
    so no option can switch a budget off or overflow the code that uses it."""

    def __init__(self, kind: type, low: float, high: float, *, low_open: bool = False):
        self.kind, self.low, self.high, self.low_open = kind, low, high, low_open
        self.name = "integer" if kind is int else "number"

    def convert(self, value, param, ctx):
        if isinstance(value, self.kind) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = self.kind(str(value).strip())
            except (TypeError, ValueError, OverflowError):
                self.fail(f"{value!r} is not a valid {self.name}", param, ctx)
        if self.kind is float and not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        below = number <= self.low if self.low_open else number < self.low
        if below or number > self.high:
            self.fail(f"{value!r} is not in the range {'(' if self.low_open else '['}{self.low:g}, {self.high:g}]",
                      param, ctx)
        return number


DAY = 24 * 3600.0
OUTPUT = click.option("-o", "--output", default="-", show_default=True, type=OutputPath(),
                      help="File to write, or - for stdout.")


def fetch_options(command):
    """Where and how politely pages are fetched: `stretchpipe fetch`, and `stretchpipe run` given URLs."""
    for option in reversed([
        click.option("--into", default="raw", show_default=True, type=click.Path(file_okay=False, path_type=Path),
                     help="Folder for fetched pages: crawl.warc.gz, crawl.sqlite and fetch-manifest.json."),
        click.option("--delay", type=Number(float, 0, DAY), default=1.0, show_default=True,
                     help="Seconds between two requests to one host (a robots.txt Crawl-delay can raise it)."),
        click.option("--allow-private", is_flag=True, help="Allow private, loopback and link-local addresses."),
    ]):
        command = option(command)
    return command


def _split_selectors(ctx, param, values: tuple[str, ...]) -> tuple[str, ...] | None:
    """`--select a,b --select c` -> (a, b, c); None when the option is not given (an empty value
    selects nothing, as ruff's `--select ''` does)."""
    if not values:
        return None
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def audit_options(command):
    """Which rules run, as ruff chooses them: the configuration, then these (the command line wins)."""
    for option in reversed([
        click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     help="TOML file with select/extend-select/ignore/severity/fail-on (default: "
                          "[tool.stretchpipe.audit] in the nearest pyproject.toml that has it)."),
        click.option("--select", multiple=True, callback=_split_selectors, metavar="RULE",
                     help="Only these rules (comma-separated rule ids, word prefixes such as `missing`, or ALL); "
                          "replaces the configuration's select."),
        click.option("--extend-select", multiple=True, callback=_split_selectors, metavar="RULE",
                     help="Rules to run on top of the selection."),
        click.option("--ignore", multiple=True, callback=_split_selectors, metavar="RULE",
                     help="Rules not to run (a more specific --select still wins, as in ruff)."),
    ]):
        command = option(command)
    return command


def _audit_config(params: dict, rules):
    """The audit configuration with the command line's selection on top; a bad one is a usage error
    with its code (exit 2)."""
    from .audit.lint import ConfigError, Selection, load_config
    select, extend, ignore = params.pop("select"), params.pop("extend_select"), params.pop("ignore")
    cli = Selection(select, extend or (), ignore or ()) if (select, extend, ignore) != (None, None, None) else None
    try:
        return load_config(params.pop("config_path"), rules, cli=cli)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def run_options(command):
    """The options every command that processes pages shares: verbosity, the log, the engine, the budget."""
    for option in reversed([
        click.option("-v", "--verbose", count=True,
                     help="-v lists every skipped input, not just the counts; -v -v also logs debug details "
                          "(tracebacks of internal errors) to stderr."),
        click.option("-q", "--quiet", is_flag=True,
                     help="No progress bar and no summary lines; failures and errors are still printed."),
        click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Append the debug log (with tracebacks of internal errors) to this file."),
        click.option("--engine", type=click.Choice(list(ENGINES)), default="local", show_default=True,
                     help="local: worker processes on this machine; dask: a dask.distributed cluster."),
        click.option("--workers", type=Number(int, 1, 4096), default=None,
                     help="Worker processes (local engine, or a dask LocalCluster)  [default: the number of cores]"),
        click.option("--scheduler", metavar="ADDRESS",
                     help="An existing dask scheduler, e.g. tcp://host:8786 (implies --engine dask)."),
        click.option("--timeout", type=Number(float, 0, DAY, low_open=True), default=None,
                     help="Wall-clock budget per input, in seconds; over it the input is stopped and "
                          "recorded (SP302).  [default: 30]"),
        click.option("--follow-links", is_flag=True,
                     help="Follow symbolic links in input folders that point out of them (by default they are "
                          "recorded as SP117 and not read)."),
        click.option("--max-memory", type=Number(int, 1, 1 << 30), default=None, metavar="MB",
                     help="Memory budget per input, in MB; over it the input is stopped and recorded "
                          "(SP303).  [default: 2048]"),
        click.option("--early-exit/--no-early-exit", default=True, show_default=True,
                     help="Stop a page whose content names no exercise and instructs no body (SP202) before "
                          "cleaning it (run, extract; same records either way)."),
    ]):
        command = option(command)
    return command


def _options(params: dict) -> Options:
    from .executors import Budget, missing_engine
    from .runner import Options
    _configure_logging(params.pop("verbose"), params.pop("log_file"))
    click.get_current_context().meta["quiet"] = params.pop("quiet")
    defaults = Budget()
    timeout, memory = params.pop("timeout"), params.pop("max_memory")
    scheduler = params.pop("scheduler")
    engine = "dask" if scheduler else params.pop("engine")
    if missing_engine(engine):
        raise click.UsageError(missing_engine(engine))  # exit 2, before any work
    return Options(engine=engine, workers=params.pop("workers"),
                   scheduler=scheduler, budget=Budget(timeout or defaults.timeout_seconds,
                                                      memory or defaults.memory_mb),
                   early_exit=params.pop("early_exit"), follow_links=params.pop("follow_links"))


def _configure_logging(verbose: int, log_file: Path | None) -> None:
    click.get_current_context().meta["verbose"] = verbose
    handlers: list[logging.Handler] = []
    if verbose >= 2:
        handlers.append(logging.StreamHandler(sys.stderr))
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    for old in [h for h in log.handlers if h.get_name() == "notices"]:  # an earlier command in this process
        log.removeHandler(old)
    if verbose < 2:  # warnings (a resume state rebuilt) are said on stderr, once, as they are
        notices = logging.StreamHandler(sys.stderr)
        notices.set_name("notices")
        notices.setLevel(logging.WARNING)
        log.addHandler(notices)
    log.setLevel(logging.DEBUG if handlers else logging.WARNING)


def _stdin(inputs) -> bytes | None:
    """Standard input when "-" is among the inputs, read up to one byte past the read limit (so
    `< /dev/zero` ends as "too large", never reads forever)."""
    from .config import ACQUIRE
    return sys.stdin.buffer.read(ACQUIRE.max_bytes + 1) if "-" in inputs else None


class _Progress:
    """A progress line on stderr when it is a terminal (quiet in CI, pipes and with -q): pages done of
    the total, the rate, the time elapsed, the inputs failed so far (as they fail, not at the end),
    and "writing" once the pages are done and the files are being written.
    `advance(n, total=N, phase=..., failed=k)` moves it (`k` of the `n` inputs just done failed);
    until a total is known (inputs are counted after discovery) a running count is shown."""

    def __init__(self, label: str):
        import time
        self.label, self.total, self.count, self.failed, self.phase = label, None, 0, 0, None
        self.started, self.clock = time.monotonic(), time.monotonic
        quiet = click.get_current_context(silent=True) is not None and \
            click.get_current_context().meta.get("quiet", False)
        self.tty = sys.stderr.isatty() and not quiet
        self.shown = False

    def advance(self, n: int, total: int | None = None, phase: str | None = None, failed: int = 0) -> None:
        if total is not None and self.total is None:
            self.total = total
        self.count += n
        self.failed += failed
        self.phase = phase or self.phase
        if self.tty:
            self._show()

    def line(self) -> str:
        elapsed = self.clock() - self.started
        rate = self.count / elapsed if elapsed > 0 else 0.0
        done = f"{self.count}/{self.total}" if self.total is not None else f"{self.count}"
        minutes, seconds = divmod(int(elapsed), 60)
        text = f"{self.label}: {done} inputs, {rate:.1f}/s, {minutes}:{seconds:02d} elapsed, {self.failed} failed"
        return f"{text}; {self.phase}" if self.phase else text

    def _show(self) -> None:
        click.echo("\r\x1b[2K" + self.line(), err=True, nl=False)
        self.shown = True

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            click.echo(err=True)


def _outcomes(inputs: tuple[str, ...], options: Options, label: str, until: str = "audit") -> Iterator[Outcome]:
    from .curate.identity import IdAssigner
    from .runner import outcomes
    stdin = _stdin(inputs)
    ids = IdAssigner(inputs)  # the same ids as `run` writes
    with _Progress(label) as progress:
        for outcome in outcomes(inputs, stdin=stdin, until=until, options=options, advance=progress.advance):
            for article in outcome.articles:
                ids.assign(article)
            yield outcome


def _report_problems(manifest: list[ManifestEntry], written: str | None = None) -> None:
    """Failures always, one line each; skips one line each with -v, else counted by code
    (a run over thousands of pages should not print thousands of "no exercises" lines); `written`:
    the manifest.json the command wrote, named in the count line (only `run` writes one)."""
    verbose = click.get_current_context().meta.get("verbose", 0)
    quiet = click.get_current_context().meta.get("quiet", False)
    skipped: dict[str, int] = {}
    for entry in manifest:
        if entry.status == "failed" or verbose and (entry.status != "processed" or entry.reason):
            click.echo(printable(f"{entry.status}: {entry.source}: {entry.reason}"), err=True)
        elif entry.status == "skipped":
            skipped[entry.code or "?"] = skipped.get(entry.code or "?", 0) + 1
    if skipped and not verbose and not quiet:
        counts = ", ".join(f"{n} {code} {errors.SHORT.get(code, '')}".rstrip() for code, n in sorted(skipped.items()))
        where = f"see {written} or use -v" if written else "use -v to list them"
        click.echo(f"skipped {plural(sum(skipped.values()), 'input')} ({counts}); {where}", err=True)


def _open_out(output: str):
    if output == "-":
        return click.open_file(output, "w", encoding="utf-8")
    from .emit import open_output
    return open_output(output)


ENGINE_PARAMS = ("engine", "workers", "scheduler", "timeout", "max_memory")


class _Command(click.Command):
    """`--help` lists the command's own options first and the engine and budget options apart."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        own, engine = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record:
                (engine if param.name in ENGINE_PARAMS else own).append(record)
        if own:
            with formatter.section("Options"):
                formatter.write_dl(own)
        if engine:
            with formatter.section("Engine and budget options"):
                formatter.write_dl(engine)


class _Group(click.Group):
    """No traceback ever reaches the user: an unexpected error is one line on stderr and exit 1;
    the traceback goes to the debug log (-v -v or --log-file)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except errors.StretchpipeError as exc:
            click.echo(printable(f"stretchpipe: {exc}"), err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:  # the reader went away (`stretchpipe extract ... | head`): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so that the final flush at exit does not fail again
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("stretchpipe: interrupted; run the same command again to resume", err=True)
            ctx.exit(130)
        except OSError as exc:
            if exc.errno in NO_SPACE:  # no space: a coded error, wherever it hits
                where = f" writing {exc.filename}" if exc.filename else ""
                click.echo(f"stretchpipe: [{errors.WRITE_FAILED}] no space left{where} ({exc.strerror}); nothing "
                           "was replaced: free some space and run the command again", err=True)
                ctx.exit(1)
            _internal_error(exc)
            ctx.exit(1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            log.debug("unexpected error", exc_info=True)
            click.echo(f"stretchpipe: internal error: {printable(repr(exc))}; rerun with -v -v or --log-file FILE for the "
                       "details and please report it", err=True)
            ctx.exit(1)


def _internal_error(exc: BaseException) -> None:
    log.debug("unexpected error", exc_info=True)
    click.echo(f"stretchpipe: internal error: {exc!r}; rerun with -v -v or --log-file FILE for the "
               "details and please report it", err=True)


_Group.command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stretchpipe")
def main() -> None:
    """Turn fitness articles into a clean, audited dataset of stretches.

    INPUT is a file (.txt, .html, .htm, .md, .markdown), a folder (read recursively) or - for stdin.
    """


@main.command("run", epilog="""\b
Example:
  stretchpipe run ~/articles --out my-stretches --format json,parquet""")
@INPUTS
@click.option("--out", "out_dir", default="processed", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the output files.")
@click.option("--format", "formats", default=None, metavar="[json|jsonl|csv|parquet],...",
              show_default="json,csv,parquet",
              help="Output formats, comma-separated (stretches.json is always written; see docs/output.md).")
@fetch_options
@run_options
def run_cmd(inputs: tuple[str, ...], out_dir: Path, formats: str | None, into: Path, delay: float,
            allow_private: bool, **params) -> None:
    """Run every stage and write stretches, articles, flags and a manifest to --out.

    INPUT may also be an http(s) URL: it is fetched politely into --into first (see `stretchpipe
    fetch`), then read from there. The output folder is written as one set (staged, then swapped in
    whole) and a re-run redoes only the inputs that changed; an interrupted run resumes where it stopped."""
    from .emit import DEFAULT_FORMATS, FORMATS
    from .outputs import OutputSet
    from .runner import run_dataset
    if str(out_dir) == "-":
        raise click.BadParameter("the output is a folder of files, not a stream: name a folder (records on stdout: "
                                 "`stretchpipe extract INPUT`)", param_hint="--out")
    _check_inputs(inputs)  # nothing to read at all: a usage error before --out is touched
    options = _options(params)
    chosen = _chosen_formats(formats, FORMATS, DEFAULT_FORMATS)
    try:
        output_set = OutputSet(out_dir).open()  # checked and locked before any work
    except errors.OutputError as exc:
        if exc.code == errors.OUT_UNWRITABLE:
            raise click.BadParameter(str(exc), param_hint="--out") from None
        raise
    try:
        inputs = _fetch_url_inputs(inputs, into, delay, allow_private)
        stdin = _stdin(inputs)
        with _Progress("processing") as progress:
            result = run_dataset(inputs, output_set, formats=chosen, stdin=stdin, options=options,
                                 advance=progress.advance)
    finally:
        output_set.close()
    _report_problems(result.problems, written=str(Path(out_dir) / "manifest.json") if result.written else None)
    if result.kept_previous:
        click.echo(f"stretchpipe: {errors.output_error(errors.NOTHING_PROCESSED, path=str(output_set.out))}",
                   err=True)
        sys.exit(1)
    done = "up to date, nothing written" if result.up_to_date else f"-> {out_dir} ({len(result.written)} files)"
    reused = f" ({result.reused} unchanged, taken from the last run)" if result.reused else ""
    dupes = f", {plural(result.duplicates, 'duplicate article')} set aside" if result.duplicates else ""
    if not click.get_current_context().meta.get("quiet"):
        click.echo(f"{result.processed} of {plural(result.total, 'input')} processed{reused}: {result.stretches} stretches, "
                   f"{result.flags} flags{dupes}, {result.dataset_rows} dataset rows {done}", err=True)
    if result.processed == 0:
        sys.exit(1)


@main.command("curate", epilog="""\b
Example:
  stretchpipe curate my-stretches""")
@click.argument("processed", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the dataset files  [default: PROCESSED itself].")
@click.option("--format", "formats", default=None, metavar="[json|jsonl|csv|parquet],...",
              show_default="the formats PROCESSED holds",
              help="Output formats, comma-separated (see docs/output.md).")
def curate_cmd(processed: Path, out_dir: Path | None, formats: str | None) -> None:
    """Rebuild the curated dataset (one row per canonical stretch) from a folder written by
    `stretchpipe run`: writes dataset.* and flags.* (with the new source-conflict flags)."""
    from . import api
    from .emit import FORMATS
    chosen = _chosen_formats(formats, FORMATS, ()) if formats else None  # None: the formats the run wrote
    rows, written = api.curate_folder(processed, out_dir or processed, chosen)  # SP505: exit 1, one line
    conflicts = sum(len(r.flags) for r in rows)
    click.echo(f"{len(rows)} dataset rows, {plural(conflicts, 'source-conflict flag')} -> {out_dir or processed} "
               f"({len(written)} files)", err=True)


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _check_inputs(inputs: tuple[str, ...]) -> None:
    """A usage error (exit 2, SP101) when no input exists at all; "no pages found in DIR" when the
    only inputs are folders without a file of a type the pipeline reads. A missing input beside
    others that exist is not an error here: it is SP101 in the manifest and the run goes on."""
    from .config import ARCHIVE_SUFFIXES, SUPPORTED_EXTENSIONS
    local = [i for i in inputs if i != "-" and not _is_url(i)]
    if len(local) < len(inputs):
        return
    missing = [i for i in local if not os.path.lexists(i)]
    if missing and len(missing) == len(local):
        raise click.BadParameter(" ".join(str(errors.input_error(errors.NOT_FOUND, path=i)) for i in missing),
                                 param_hint="INPUT")
    folders = [i for i in local if os.path.isdir(i)]
    if folders and len(folders) == len(local):
        def has_page(folder: str) -> bool:
            for _root, dirs, files in os.walk(folder):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                if any(not f.startswith(".") and (f.lower().endswith(ARCHIVE_SUFFIXES) or
                                                  Path(f.removesuffix(".gz")).suffix.lower() in SUPPORTED_EXTENSIONS)
                       for f in files):
                    return True
            return False
        empty = [f for f in folders if not has_page(f)]
        if len(empty) == len(folders):
            raise click.BadParameter("; ".join(f"no pages found in {f} (read: "
                                               f"{', '.join(sorted(SUPPORTED_EXTENSIONS))}, web archives)"
                                               for f in empty), param_hint="INPUT")


def _chosen_formats(formats: str | None, known: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(f.strip() for f in (formats or ",".join(default)).split(",") if f.strip())
    unknown = [f for f in chosen if f not in known]
    if unknown or not chosen:
        said = f"unknown {'format' if len(unknown) == 1 else 'formats'} {', '.join(unknown)}" if unknown \
            else "no format given"
        raise click.BadParameter(f"{said}; choose from "
                                 f"{', '.join(known)}", param_hint="--format")
    return chosen


@main.command("clean")
@INPUTS
@OUTPUT
@click.option("--removed", is_flag=True, help="Also list the removed blocks with their reasons (on stderr).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True,
              help="text: the cleaned text; jsonl: one JSON object per input (source, title, text, removed blocks "
                   "with their reasons).")
@click.option("--tree", is_flag=True, help="With --format jsonl: add the document tree (sections, lists, tables).")
@run_options
def clean_cmd(inputs: tuple[str, ...], output: str, removed: bool, fmt: str, tree: bool, **params) -> None:
    """Print the cleaned text of each input (boilerplate and duplicates removed)."""
    options = _options(params)
    manifest: list[ManifestEntry] = []
    held = None  # the first document, until a second one shows whether headers are needed
    emitted = 0

    def emit(doc, header: bool) -> None:
        nonlocal emitted
        if fmt == "jsonl":
            fh.write(json.dumps(doc.to_dict(tree=tree), ensure_ascii=False) + "\n")
            emitted += 1
            return
        if header:
            fh.write(("\n" if emitted else "") + f"==> {printable(doc.source)} <==\n")
        fh.write(doc.text)
        emitted += 1
        if removed:
            for r in doc.removed:
                click.echo(printable(f"removed {r.reason}: {r.text[:80]}"), err=True)

    with _open_out(output) as fh:
        for outcome in _outcomes(inputs, options, "cleaning", until="clean"):
            manifest.extend(outcome.entries)
            for doc in outcome.documents:
                if emitted == 0 and held is None:
                    held = doc
                    continue
                if held is not None:
                    emit(held, True)
                    held = None
                emit(doc, True)
        if held is not None:
            emit(held, False)
    _report_problems(manifest)
    if not emitted:
        sys.exit(1)


@main.command("extract", epilog="""\b
Example:
  stretchpipe extract page.html -o records.jsonl""")
@INPUTS
@OUTPUT
@click.option("--all-kinds", is_flag=True, help="Include strength, balance and other exercises, not only stretches.")
@run_options
def extract_cmd(inputs: tuple[str, ...], output: str, all_kinds: bool, **params) -> None:
    """Print one JSON object per stretch (JSON Lines)."""
    options = _options(params)
    manifest: list[ManifestEntry] = []
    written = 0
    with _open_out(output) as fh:
        for outcome in _outcomes(inputs, options, "extracting"):
            manifest.extend(outcome.entries)
            for article in outcome.articles:
                for record in (article.records if all_kinds else article.stretches):
                    fh.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
                    written += 1
    _report_problems(manifest)
    if not manifest:
        click.echo(f"no pages found in {', '.join(inputs)}", err=True)
    elif not written:
        click.echo(f"no {'exercise' if all_kinds else 'stretch'} records found in {plural(len(manifest), 'input')}",
                   err=True)
    if not any(m.status == "processed" for m in manifest):
        sys.exit(1)


@main.command("audit")
@INPUTS
@OUTPUT
@click.option("--format", "--output-format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True,
              help="text: path:line:column: severity rule message; json: findings with start "
              "and end positions; sarif: SARIF 2.1.0; github: workflow annotations.")
@audit_options
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Exit 1 when a finding is at or above this severity  [default: error, or fail-on in the config]")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported (2 still means bad usage).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Hide findings whose fingerprint is in this baseline file.")
@click.option("--write-baseline", type=OutputPath(), default=None,
              help="Write the fingerprints of the current findings to this file and exit 0.")
@run_options
def audit_cmd(inputs: tuple[str, ...], output: str, fmt: str, fail_on: str | None, exit_zero: bool,
              statistics: bool, baseline: str | None, write_baseline: str | None, **params) -> None:
    """Lint articles: print each finding as path:line:column: severity rule-id message, then a summary.

    Exit 0 when clean, 1 when a finding is at or above --fail-on (0 with --exit-zero), 2 on bad usage
    or when no input could be read. Silence a rule in a section of an HTML or Markdown source with
    <!-- stretchpipe: ignore RULE-ID -->.
    """
    from .audit import load_rules
    from .audit.formats import plural, render, render_statistics, summary
    from .audit.lint import ConfigError, baseline_json, lint, read_baseline
    rules = load_rules()
    config = _audit_config(params, rules)
    options = _options(params)
    verbose = click.get_current_context().meta.get("verbose", 0)
    try:
        known = read_baseline(baseline) if baseline else None
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    stdin = _stdin(inputs)
    with _Progress("auditing") as progress:
        result = lint(inputs, stdin=stdin, config=config, baseline=known, advance=progress.advance, options=options)
    for entry in result.problems:
        if entry.status == "failed" or verbose:
            click.echo(printable(f"{entry.status}: {entry.source}: {entry.reason}"), err=True)
    if not result.pages:
        click.echo("error: no input could be read", err=True)
        sys.exit(2)
    if write_baseline:
        with _open_out(write_baseline) as fh:
            fh.write(baseline_json(result.findings))
        click.echo(f"wrote {plural(len(result.findings), 'finding')} to the baseline {write_baseline}", err=True)
        return
    with _open_out(output) as fh:
        if statistics:
            fh.write(render_statistics(result, fmt))
        else:
            fh.write(render(result, fmt, rules, docs_url=config.docs_url))
    if statistics or fmt != "text" or output != "-":
        click.echo(summary(result), err=True)
    order = {"info": 0, "warning": 1, "error": 2}
    threshold = order[fail_on or config.fail_on or "error"]
    if not exit_zero and any(order[f.severity] >= threshold for f in result.findings):
        sys.exit(1)


@main.command("fetch")
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option("--urls", "url_file", type=click.File("r", encoding="utf-8"),
              help="File with one URL per line (# comments allowed), or - for stdin.")
@click.option("--sitemap", "sitemaps", multiple=True, metavar="URL",
              help="Sitemap (XML, text or robots.txt; gzip; indexes followed) whose pages to fetch. Repeatable.")
@fetch_options
@click.option("--timeout", type=Number(float, 0.01, DAY), default=20.0, show_default=True,
              help="Connect and read timeout, seconds.")
@click.option("--max-bytes", type=Number(int, 1, 1 << 40), default=5 * 1024 * 1024, show_default=True,
              help="Largest body stored; larger ones are skipped while streaming.")
@click.option("--retries", type=Number(int, 0, 100), default=3, show_default=True,
              help="Tries after the first on connection errors, 429 and 5xx.")
@click.option("--refresh", is_flag=True, help="Revalidate stored pages (If-None-Match / If-Modified-Since).")
@click.option("--contact", metavar="EMAIL|URL", help="How site owners reach you; added to the User-Agent.")
@click.option("-v", "--verbose", is_flag=True, help="List every skipped URL too, not just the failed ones.")
def fetch_cmd(urls: tuple[str, ...], url_file, sitemaps: tuple[str, ...], into: Path, delay: float, timeout: float,
              max_bytes: int, retries: int, refresh: bool, allow_private: bool, contact: str | None,
              verbose: bool) -> None:
    """Fetch web pages politely into WARC under --into (then `stretchpipe run` that folder).

    Honours robots.txt, waits between requests to a host, retries transient errors, and records
    every URL in fetch-manifest.json as fetched, not-modified, skipped or failed, with the reason.
    """
    from .acquire.fetch import FetchOutcome, fetch_urls, sitemap_urls, write_manifest
    from .acquire.http import FetchOptions, PoliteClient

    options = FetchOptions(delay=delay, timeout=timeout, max_bytes=max_bytes, retries=retries,
                           allow_private=allow_private, contact=contact)
    wanted = list(urls)
    if url_file is not None:
        wanted += [line.strip() for line in url_file if line.strip() and not line.lstrip().startswith("#")]
    if not wanted and not sitemaps:
        raise click.UsageError("give URLs, --urls FILE or --sitemap URL")
    sitemap_failures: list[FetchOutcome] = []
    with PoliteClient(options) as client:
        for sitemap in sitemaps:
            pages, failed = sitemap_urls(sitemap, client)
            wanted += pages
            sitemap_failures += failed
        try:
            with _FetchProgress(len(set(wanted))) as progress:
                outcomes = sitemap_failures + fetch_urls(wanted, into, options, refresh=refresh, client=client,
                                                         on_outcome=progress)
        except errors.StretchpipeError as exc:
            raise click.ClickException(str(exc)) from None
    write_manifest(str(into), outcomes)
    counts = {status: sum(1 for o in outcomes if o.status == status)
              for status in ("fetched", "not-modified", "skipped", "failed")}
    for outcome in outcomes:
        if outcome.status == "failed" or verbose and outcome.status == "skipped":
            click.echo(printable(f"{outcome.status}: {outcome.url}: {outcome.reason}"), err=True)
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items())
               + f" -> {into / 'crawl.warc.gz'} (details in {into / 'fetch-manifest.json'})", err=True)
    if outcomes and counts["failed"] == len(outcomes):
        sys.exit(1)


def _fetch_url_inputs(inputs: tuple[str, ...], into: Path, delay: float, allow_private: bool) -> tuple[str, ...]:
    """URL inputs fetched into `into` and replaced by their stored records; failures reported."""
    if not any(_is_url(i.lower()) for i in inputs):  # as acquire.fetch.is_url, without importing it
        return inputs  # no URL: the HTTP client and its libraries stay unimported (a run's start-up)
    from .acquire.fetch import fetch_inputs
    from .acquire.http import FetchOptions
    try:
        resolved, outcomes = fetch_inputs(inputs, str(into), FetchOptions(delay=delay, allow_private=allow_private))
    except errors.StretchpipeError as exc:
        raise click.ClickException(str(exc)) from None
    for outcome in outcomes:
        if outcome.record is None:
            click.echo(printable(f"{outcome.status}: {outcome.url}: {outcome.reason} (see "
                                 f"{into / 'fetch-manifest.json'})"), err=True)
    return tuple(resolved)


class _FetchProgress(_Progress):
    """The fetch line: URLs done, with pages stored, megabytes and failures so far."""

    def __init__(self, total: int):
        super().__init__("fetching")
        self.total, self.pages, self.bytes = total, 0, 0

    def __call__(self, outcome) -> None:
        self.pages += outcome.status == "fetched"
        self.bytes += outcome.bytes
        self.advance(1, failed=int(outcome.status == "failed"))

    def line(self) -> str:
        return f"{super().line()}; {self.pages} stored, {self.bytes / 1e6:.1f} MB"


@main.command("report")
@INPUTS
@click.option("-o", "--output", default="report.html", show_default=True,
              help="The HTML file to write, or - for stdout.")
@audit_options
@run_options
def report_cmd(inputs: tuple[str, ...], output: str, **params) -> None:
    """Write one self-contained HTML page: an index of the articles with their counts, a summary and
    filters, and per article the cleaned text with the findings' evidence highlighted and the findings
    beside it, the removed blocks and the records."""
    from .audit import load_rules
    from .audit.formats import summary
    from .audit.lint import lint
    from .audit.report import render_report
    _check_report_output(output)
    rules = load_rules()
    config = _audit_config(params, rules)
    options = _options(params)
    stdin = _stdin(inputs)
    with _Progress("auditing") as progress:
        result = lint(inputs, stdin=stdin, config=config, advance=progress.advance, options=options)
    for entry in result.problems:
        if entry.status == "failed":
            click.echo(printable(f"{entry.status}: {entry.source}: {entry.reason}"), err=True)
    if not result.pages:
        click.echo("error: no input could be read", err=True)
        sys.exit(2)
    with _open_out(output) as fh:
        fh.write(render_report(result, rules))
    click.echo(f"{summary(result)} -> {output}", err=True)


def _check_report_output(output: str) -> None:
    """-o must name a file whose folder exists: a folder, or a missing folder, is a usage error with
    its code before any page is read."""
    if output == "-":
        return
    path = Path(output)
    if path.is_dir():
        raise click.BadParameter(f"[{errors.REPORT_OUTPUT}] {output} is a folder; name the HTML file to write, "
                                 f"such as {(path / 'report.html').as_posix()}", param_hint="-o/--output")
    if not path.parent.is_dir():
        raise click.BadParameter(f"[{errors.REPORT_OUTPUT}] the folder {path.parent.as_posix()} does not exist; "
                                 "create it or write the report elsewhere", param_hint="-o/--output")


@main.command("rules")
@click.argument("rule_id", required=False)
def rules_cmd(rule_id: str | None) -> None:
    """List the audit rules, or explain one: stretchpipe rules RULE-ID."""
    from .audit import load_rules, rule_doc
    rules = load_rules()
    if rule_id is None:
        width = max(len(r) for r in rules)
        for r in rules.values():
            click.echo(f"{r.id:<{width}}  {r.severity:<8} {r.scope:<8} {r.summary}")
        return
    if rule_id not in rules:
        raise click.BadParameter(f"no rule {rule_id!r}; `stretchpipe rules` lists them", param_hint="RULE_ID")
    r = rules[rule_id]
    click.echo(f"{r.id} ({r.severity}, {r.scope} rule, family {r.family})\n")
    click.echo(rule_doc(r.id) or r.summary)


if __name__ == "__main__":
    main()
