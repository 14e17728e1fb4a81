"""Checkpoints (c2sp.org/tlog-checkpoint) in Ed25519 signed notes (c2sp.org/signed-note).

A checkpoint is three lines, origin, decimal tree size and base64 root hash, then
optional extension lines, each ending in a newline. A signed note is that text, a
blank line, and signature lines ``— <key name> <base64(key id || signature)>`` (an em
dash U+2014, then a space). The key id is the first four bytes of
``SHA-256(name || 0x0A || 0x01 || public key)``; the verifier key, the form a log
publishes, is ``<name>+<8 hex digits of key id>+<base64(0x01 || public key)>``.

Both formats are those of Go's golang.org/x/mod/sumdb/note and of the
transparency-dev tools, so any of their verifiers accepts our checkpoints; the tests
pin this with the Go package's own example key and note.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_TYPE = 0x01
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100  # the spec asks for at least 16; Go's note package stops at 100

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_KEY_HASH = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """A note, checkpoint or verifier key is malformed or does not verify."""


class InvalidNoteSignature(NoteError):
    """A signature by the trusted key is present and does not verify."""


class UnverifiedNote(NoteError):
    """No signature by the trusted key is present."""


@dataclass(frozen=True)
class Verifier:
    """A parsed verifier key: the name, 4-byte key id and Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


@dataclass(frozen=True)
class Checkpoint:
    """The parsed text of a checkpoint."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """Return the 4-byte key id of an Ed25519 key under a name."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519_TYPE]) + raw).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """Return the verifier key string ``<name>+<hex key id>+<base64(0x01 || key)>``."""
    _check_key_name(name)
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    encoded = base64.b64encode(bytes([ED25519_TYPE]) + raw).decode("ascii")
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(vkey: str) -> Verifier:
    """Parse a verifier key, checking its type, length and key id."""
    # The key name has no '+', but the base64 key may: split twice only.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<key id>+<key>")
    name, id_hex, encoded = parts
    _check_key_name(name)
    if not _KEY_HASH.fullmatch(id_hex):
        raise NoteError("the key id of a verifier key is 8 lowercase hex digits")
    data = _b64decode(encoded, "verifier key")
    if len(data) != 33 or data[0] != ED25519_TYPE:
        raise NoteError("only Ed25519 verifier keys (type 0x01, 32 bytes) are supported")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(data[1:])
    except ValueError:
        raise NoteError("the verifier key is not an Ed25519 public key") from None
    if key_id(name, public_key).hex() != id_hex:
        raise NoteError("the key id does not match the key and name")
    return Verifier(name=name, key_id=bytes.fromhex(id_hex), public_key=public_key)


def format_checkpoint(
    origin: str, size: int, root_hash: bytes, extensions: tuple[str, ...] | list[str] = ()
) -> str:
    """Return the text of a checkpoint, ending in a newline."""
    if not origin or "\n" in origin:
        raise NoteError("the origin is one non-empty line")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise NoteError("the tree size is a non-negative integer")
    if len(root_hash) != 32:
        raise NoteError("the root hash is 32 bytes")
    for line in extensions:
        if not line or "\n" in line:
            raise NoteError("an extension line is one non-empty line")
    lines = [origin, str(size), base64.b64encode(root_hash).decode("ascii"), *extensions]
    text = "".join(line + "\n" for line in lines)
    _check_note_chars(text)
    return text


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint text (as returned by ``open_note``)."""
    if not text.endswith("\n"):
        raise NoteError("checkpoint text ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin, a size and a root hash line")
    origin, size_line, root_line, *extensions = lines
    if not origin:
        raise NoteError("the checkpoint origin is empty")
    if not _DECIMAL.fullmatch(size_line):
        raise NoteError("the tree size is decimal without leading zeros")
    root_hash = _b64decode(root_line, "root hash")
    if len(root_hash) != 32:
        raise NoteError("the root hash is 32 bytes")
    if any(not line for line in extensions):
        raise NoteError("extension lines are not empty")
    return Checkpoint(origin, int(size_line), root_hash, tuple(extensions))


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Return the text signed by one Ed25519 key as a signed note."""
    _check_key_name(name)
    if not text.endswith("\n"):
        raise NoteError("note text ends with a newline")
    _check_note_chars(text)
    signature = private_key.sign(text.encode("utf-8"))
    blob = key_id(name, private_key.public_key()) + signature
    return f"{text}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode('ascii')}\n"


def sign_checkpoint(
    origin: str,
    size: int,
    root_hash: bytes,
    private_key: Ed25519PrivateKey,
    extensions: tuple[str, ...] | list[str] = (),
) -> str:
    """Return a checkpoint signed under its origin as key name, as the spec advises."""
    return sign_note(format_checkpoint(origin, size, root_hash, extensions), origin, private_key)


def open_note(note: str, vkey: str | Verifier) -> str:
    """Return the text of a note after checking its signature by the given key."""
    verifier = vkey if isinstance(vkey, Verifier) else parse_verifier_key(vkey)
    _check_note_chars(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    text, signatures = note[: split + 1], note[split + 2 :]
    if not signatures.endswith("\n"):
        raise NoteError("signature lines end with a newline")
    lines = signatures[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    verified = False
    for line in lines:
        name, blob = _parse_signature_line(line)
        # Signatures by other keys are ignored (key rotation, witnesses), as the spec says.
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        try:
            if len(blob) != 4 + 64:
                raise InvalidSignature
            verifier.public_key.verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise InvalidNoteSignature(f"the signature by {name} does not verify") from None
        verified = True
    if not verified:
        raise UnverifiedNote(f"no signature by {verifier.name}+{verifier.key_id.hex()}")
    return text


def open_checkpoint(note: str, vkey: str | Verifier) -> Checkpoint:
    """Return the checkpoint in a signed note after checking its signature."""
    return parse_checkpoint(open_note(note, vkey))


def _parse_signature_line(line: str) -> tuple[str, bytes]:
    """Split ``— <name> <base64>`` into the name and the decoded key id and signature."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError("a signature line starts with an em dash and a space")
    name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise NoteError("a signature line is '— <name> <signature>'")
    _check_key_name(name)
    blob = _b64decode(encoded, "signature")
    if len(blob) < 5:
        raise NoteError("a signature holds a key id and signature bytes")
    return name, blob


def _check_key_name(name: str) -> None:
    """Refuse key names that are empty or hold a space or a plus."""
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"invalid key name {name!r}")


def _check_note_chars(text: str) -> None:
    """Refuse ASCII control characters other than newline, as signed notes require."""
    if any(ch < " " and ch != "\n" for ch in text):
        raise NoteError("a note holds no control characters but newline")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError("a note is valid UTF-8") from None


def _b64decode(encoded: str, what: str) -> bytes:
    """Decode standard base64 strictly: alphabet, padding, and no stray bits."""
    try:
        data = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"the {what} is not base64") from None
    # Unused low bits of the last character would let two strings decode alike.
    if base64.b64encode(data).decode("ascii") != encoded:
        raise NoteError(f"the {what} is not canonical base64")
    return data
