"""Canonical bytes of ledger events and of the lines of a ledger export.

An event becomes a leaf as its RFC 8785 (JSON Canonicalization Scheme) serialisation,
so anyone can recompute its hash from the parsed JSON with any RFC 8785 library.
Events hold ids, codes, times (as strings) and hashes only, never personal data; that
is the callers' rule, and this module refuses anything that is not plain JSON.

The export line formats are specified in this package's README.md. They are written
here, next to the event bytes, and read by ``verify.py``, which rebuilds them on its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, cast

import rfc8785

EXPORT_FORMAT = "fairscreen-ledger-export/1"

_SAFE_INT = 2**53 - 1  # I-JSON (RFC 7493): larger integers lose precision in other parsers


class NotCanonicalizable(ValueError):
    """An event holds a value that has no single RFC 8785 form."""


def check_json_value(value: object, where: str = "event") -> None:
    """Refuse anything but JSON objects, arrays, strings, finite numbers, booleans and null."""
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _check_text(value, where)
        return
    if isinstance(value, int):
        if not -_SAFE_INT <= value <= _SAFE_INT:
            raise NotCanonicalizable(f"{where}: integer {value} is outside the I-JSON range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotCanonicalizable(f"{where}: {value!r} is not a JSON number")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonicalizable(f"{where}: object key {key!r} is not a string")
            _check_text(key, f"{where} key")
            check_json_value(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            check_json_value(item, f"{where}[{position}]")
        return
    raise NotCanonicalizable(f"{where}: {type(value).__name__} is not a JSON value")


def canonical_event_bytes(event: Mapping[str, object]) -> bytes:
    """Return the RFC 8785 bytes of an event, the data of its ledger leaf."""
    if not isinstance(event, Mapping):
        raise NotCanonicalizable("an event is a JSON object")
    if _checked_plain(event, "event"):
        return _PLAIN_JSON.encode(event).encode("utf-8")
    return rfc8785.dumps(cast(Any, event))


# For JSON without numbers other than integers, and with ASCII object keys, the
# standard library's serialisation is the RFC 8785 one: integers in the I-JSON range
# print as digits in both, strings escape the same characters the same way (\b \t
# \n \f \r \" \\ and \u00xx, lower case) and leave the rest as UTF-8, and keys sort
# by code point, which for ASCII keys is RFC 8785's UTF-16 order. It is a few times
# faster than the `rfc8785` package; floats (ECMAScript number formatting) and
# non-ASCII keys (sorting by UTF-16 code units) still go through the package.
# tests/unit/ledger/test_canonical.py checks the two agree on generated events.
_PLAIN_JSON = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def _checked_plain(value: object, where: str) -> bool:
    """Check a value as `check_json_value` does; tell whether it holds no float and no
    non-ASCII key, and no object that is not a dict (the encoder takes dicts only)."""
    if isinstance(value, str):
        if not value.isascii():
            _check_text(value, where)
        return True
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        if not -_SAFE_INT <= value <= _SAFE_INT:
            raise NotCanonicalizable(f"{where}: integer {value} is outside the I-JSON range")
        return True
    if isinstance(value, Mapping):
        plain = isinstance(value, dict)
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonicalizable(f"{where}: object key {key!r} is not a string")
            if not key.isascii():
                _check_text(key, f"{where} key")
                plain = False
            plain = _checked_plain(item, f"{where}.{key}") and plain
        return plain
    if isinstance(value, list | tuple):
        plain = True
        for position, item in enumerate(value):
            plain = _checked_plain(item, f"{where}[{position}]") and plain
        return plain
    check_json_value(value, where)  # a float, or what is not JSON: refused there
    return False


def export_header_line(origin: str, verifier_key: str) -> bytes:
    """Return the first line of an export, newline included."""
    header = {"format": EXPORT_FORMAT, "origin": origin, "verifier_key": verifier_key}
    return rfc8785.dumps(header) + b"\n"


def export_event_line(index: int, event_bytes: bytes, leaf_hash: bytes) -> bytes:
    """Return the export line of event ``index`` from its canonical bytes and leaf hash."""
    # The keys are already in RFC 8785 order, so the line is the canonical form of
    # {"event", "index", "kind", "leaf_hash"} without re-serialising the event.
    return b'{"event":%s,"index":%d,"kind":"event","leaf_hash":"%s"}\n' % (
        event_bytes,
        index,
        leaf_hash.hex().encode("ascii"),
    )


def export_checkpoint_line(note: str) -> bytes:
    """Return the export line of a signed checkpoint note."""
    return rfc8785.dumps({"kind": "checkpoint", "note": note}) + b"\n"


def _check_text(text: str, where: str) -> None:
    """Refuse strings that are not valid Unicode (lone surrogates have no UTF-8 form)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonicalizable(f"{where}: string is not valid Unicode") from None
