"""Small helpers shared by the tests: run one page through the stages in memory."""
from pipeline.acquire import read_page
from pipeline.audit import audit_article
from pipeline.clean import clean_page
from pipeline.extract import extract_article
from pipeline.records import Page


def page_from(text: str, fmt: str = "text", source: str = "test") -> Page:
    return Page(source=source, format=fmt, text=text)


def article_from(text: str, fmt: str = "text"):
    doc = clean_page(page_from(text, fmt))
    return audit_article(extract_article(doc), doc=doc)


def article_from_file(path):
    doc = clean_page(read_page(str(path)))
    return audit_article(extract_article(doc), doc=doc)


def by_name(article):
    return {r.name: r for r in article.records}


def md_records(text: str) -> dict:
    """The records of a Markdown page written in a test, by name."""
    return by_name(article_from(text, fmt="markdown"))


def kill_dask_worker_once(task: str) -> str:
    """A task for the dask engine's sandbox: the first time it sees a `task` naming "kill", it kills
    the dask worker process running it (the sandbox's parent), as a lost worker or connection would."""
    import os
    import signal
    import time
    from pathlib import Path

    marker = Path(task + ".tried")
    if "kill" in task and not marker.exists():
        marker.write_text("")
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(60)
    return f"done {Path(task).name}"
