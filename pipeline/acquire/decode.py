"""Bytes to text as browsers do it (WHATWG Encoding Standard and the HTML "encoding sniffing" steps).

Order: byte-order mark, then the transport header (HTTP Content-Type, WARC), then for HTML the
`<meta>` prescan (with its overrides: a UTF-16 declaration is read as UTF-8, x-user-defined as
windows-1252; unknown labels are ignored), then UTF-16 without a BOM, valid UTF-8, a detector for
non-Latin scripts, and the windows-1252 fallback. A declared encoding is never second-guessed:
bytes it cannot decode become U+FFFD. Labels resolve through `webencodings` (the WHATWG label
table), so "latin1" and "iso-8859-1" mean windows-1252 and "undefined" means nothing.

`Decoded.rule` names the step that decided; the manifest records it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import webencodings

from ..config import ACQUIRE

# the step that decided the encoding, as recorded in the manifest
RULES = ("bom", "transport", "meta", "xml-declaration", "utf-16-sniff", "utf-8", "detected", "fallback")

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16le"), (b"\xfe\xff", "utf-16be"))
_META_OVERRIDES = {"utf-16le": "utf-8", "utf-16be": "utf-8", "x-user-defined": "windows-1252"}
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_META = re.compile(rb"<meta(?=[\s/])([^>]*)>", re.I)
_ATTR = re.compile(rb"""([^\s/>=]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_CHARSET_IN_CONTENT = re.compile(rb"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))""", re.I)
_XML_DECL = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls but tab, newline, form feed, CR
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, *range(0x0e, 0x20), 0x7f])  # the same, as UTF-8 bytes


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # WHATWG name: "utf-8", "windows-1252", "utf-16le", "iso-8859-2", ...
    rule: str  # one of RULES
    replaced: int = 0  # undecodable byte sequences replaced by U+FFFD
    removed_controls: int = 0  # NUL and other control characters dropped

    @property
    def control_share(self) -> float:
        return self.removed_controls / max(1, len(self.text) + self.removed_controls)


def decode(data: bytes, *, html: bool, transport: str | None = None) -> Decoded:
    """Decode `data`; `transport` is the charset of an HTTP or WARC Content-Type, when known."""
    encoding, rule, offset = _choose(data, html, transport)
    text = encoding.codec_info.decode(data[offset:], "replace")[0]
    replaced = text.count("\ufffd") - _fffd_in_source(data, encoding)
    removed = 0
    if encoding.name != "utf-8" or len(data.translate(None, _CONTROL_BYTES)) != len(data):
        # (a control character in UTF-8 text is its own byte, never part of a longer sequence: text
        # without such bytes needs no scan, and the byte check is four times faster than the regex)
        text, removed = _CONTROL.subn("", text)  # NUL bytes never reach the records or the JSON
    return Decoded(text, encoding.name, rule, max(0, replaced), removed)


def lookup(label: str | bytes | None) -> webencodings.Encoding | None:
    """The WHATWG encoding for a label, or None for an unknown one ("undefined", "foo")."""
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    try:
        return webencodings.lookup(label.strip())
    except Exception:  # a malformed label is an unknown label
        return None


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value."""
    if not content_type:
        return None
    match = _CHARSET_IN_CONTENT.search(content_type.encode("latin-1", "replace"))
    return _first_group(match).decode("ascii", "replace") if match else None


def prescan(data: bytes) -> tuple[webencodings.Encoding, str] | None:
    """The HTML `<meta>` prescan: the first meta charset (or http-equiv Content-Type charset) with a
    known label, with the spec's overrides; else an XML declaration at the very start."""
    head = _COMMENT.sub(b"", data[:ACQUIRE.prescan_bytes])
    for match in _META.finditer(head):
        attrs = {}
        for attr in _ATTR.finditer(match.group(1)):
            name = attr.group(1).lower()
            if name not in attrs:  # the first of repeated attributes counts, as in the spec
                attrs[name] = _first_group(attr, start=2) or b""
        label = attrs.get(b"charset")
        if label is None and attrs.get(b"http-equiv", b"").strip().lower() == b"content-type":
            in_content = _CHARSET_IN_CONTENT.search(attrs.get(b"content", b""))
            label = _first_group(in_content) if in_content else None
        encoding = lookup(label)
        if encoding is not None:
            return webencodings.lookup(_META_OVERRIDES.get(encoding.name, encoding.name)), "meta"
    declared = _XML_DECL.match(data[:1024])
    encoding = lookup(declared.group(1)) if declared else None
    if encoding is not None:
        return webencodings.lookup(_META_OVERRIDES.get(encoding.name, encoding.name)), "xml-declaration"
    return None


def _choose(data: bytes, html: bool, transport: str | None) -> tuple[webencodings.Encoding, str, int]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return webencodings.lookup(name), "bom", len(bom)
    declared = lookup(transport)
    if declared is not None:
        return declared, "transport", 0
    if html:
        found = prescan(data)
        if found is not None:
            return found[0], found[1], 0
    utf16 = _sniff_utf16(data)  # before UTF-8: NUL bytes are valid UTF-8, but never every other byte of a page
    if utf16:
        return webencodings.lookup(utf16), "utf-16-sniff", 0
    try:
        data.decode("utf-8")
        return webencodings.lookup("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    detected = _detect_non_latin(data)
    if detected is not None:
        return detected, "detected", 0
    return webencodings.lookup("windows-1252"), "fallback", 0


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: text in Latin or most other scripts has a zero in every other byte."""
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zero, odd_zero = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zero > 0.4 and even_zero < 0.05:
        return "utf-16le"
    if even_zero > 0.4 and odd_zero < 0.05:
        return "utf-16be"
    return None


def _detect_non_latin(data: bytes) -> webencodings.Encoding | None:
    """For undeclared legacy bytes, trust a detector only when it finds a non-Latin script (Cyrillic,
    Greek, CJK...). Detectors cannot tell the Latin single-byte codecs apart on English text (cp1250,
    cp775 and latin-1 all fit), and browsers in English locales fall back to windows-1252."""
    from charset_normalizer import from_bytes  # only undeclared non-UTF-8 input gets here

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    letters = [ch for ch in str(best) if ord(ch) > 127 and ch.isalpha()]
    if not letters:
        return None
    non_latin = sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN"))
    if non_latin / len(letters) < 0.5:
        return None
    return lookup(best.encoding) or lookup(best.encoding.replace("_", "-"))


def _fffd_in_source(data: bytes, encoding: webencodings.Encoding) -> int:
    """U+FFFD characters that the source itself encodes (not introduced by replacement)."""
    if encoding.name == "utf-8":
        return data.count(b"\xef\xbf\xbd")
    return 0


def _first_group(match: re.Match, start: int = 1) -> bytes | None:
    for group in match.groups()[start - 1:]:
        if group is not None:
            return group
    return None
