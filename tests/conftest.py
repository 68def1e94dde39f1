from pathlib import Path

import pytest

from pipeline.knowledge import load_knowledge

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()
