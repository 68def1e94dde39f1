"""stretchpipe: fitness articles in, a clean audited stretch dataset out."""

__version__ = "0.1.0"
