"""Rule families, one module each; importing this package registers every rule."""
from . import position, structure, topic, hold, duplicates, knowledge, safety, structured  # noqa: F401
