"""Fast start: importing the CLI (what `stretchpipe --help` and `--version` do) must not import the
heavy libraries; they load inside the commands that need them. Behaviour, not timing: a fresh
interpreter imports the CLI and lists what came with it."""
import json
import subprocess
import sys

HEAVY = ("pandas", "numpy", "spacy", "bs4", "lxml", "dask", "distributed", "trafilatura", "pyarrow",
         "charset_normalizer", "pipeline.knowledge", "pipeline.nlp", "pipeline.runner")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_module():
    loaded = _modules_after("import pipeline.cli")
    assert not [m for m in HEAVY if m in loaded]


def test_help_and_version_load_no_heavy_module():
    for args in (["--help"], ["--version"], ["run", "--help"], ["clean", "--help"]):
        code = ("import sys\nfrom pipeline.cli import main\n"
                f"try:\n    main({args!r}, standalone_mode=False)\nexcept SystemExit:\n    pass")
        loaded = _modules_after(code)
        assert not [m for m in HEAVY if m in loaded], args


def test_the_probe_sees_heavy_modules_when_a_command_loads_them():
    # the check above would pass vacuously if the probe could not see imports (the runner itself
    # imports spaCy only when a page reaches extraction: pipeline.extract loads it)
    assert "spacy" in _modules_after("import pipeline.extract")
    assert "spacy" not in _modules_after("import pipeline.runner")


def test_importing_the_package_loads_no_heavy_module():
    loaded = _modules_after("import pipeline\npipeline.read_dataset")
    assert not [m for m in HEAVY if m in loaded]


def test_the_api_functions_have_real_signatures():
    # pipeline.run used to be a module made callable: help() and editors saw (*args, **kwargs)
    import inspect

    import pipeline
    from pipeline import api
    assert pipeline.run is api.run and pipeline.extract_page is api.extract_page
    assert list(inspect.signature(pipeline.run).parameters)[:2] == ["inputs", "out"]
    assert "url" in inspect.signature(pipeline.extract_page).parameters


def test_a_run_of_a_page_without_exercises_loads_no_parquet_or_nlp_library(tmp_path):
    # a one-page run of a news page (the early exit stops it) writes every table without a row: once the
    # empty Parquet files are in the cache folder (the first run makes them), pyarrow and numpy stay unloaded
    from conftest import DATA
    page = sorted((DATA / "not-exercise").glob("*.html"))[0]
    code = ("import os, sys\nos.environ['XDG_CACHE_HOME'] = sys.argv[1]\nfrom pipeline.cli import main\n"
            "try:\n    main(['run', sys.argv[2], '--out', sys.argv[3], '--workers', '1'], standalone_mode=False)\n"
            "except SystemExit:\n    pass\nimport json\nprint(json.dumps(sorted(sys.modules)))")
    for n in (1, 2):
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "cache"), str(page), str(tmp_path / f"out{n}")],
                             capture_output=True, text=True, check=True).stdout
        loaded = set(json.loads(out.splitlines()[-1]))
        assert (tmp_path / f"out{n}" / "stretches.parquet").is_file()
    assert not [m for m in ("pyarrow", "numpy", "pandas", "spacy", "yaml") if m in loaded]
