"""Signed notes and checkpoints in the C2SP formats, byte for byte as Go's sumdb/note."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fairscreen.ledger.note import (
    Checkpoint,
    InvalidNoteSignature,
    NoteError,
    UnverifiedNote,
    format_checkpoint,
    key_id,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
)

# The example of golang.org/x/mod/sumdb/note (note.go and note_test.go).
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n"
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
    "gotpRZb6KE6RyyBwJnAM=\n"
)
# A verifier key of transparency-dev/formats' tests whose base64 holds a '+'.
PLUS_VERIFIER = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"

ROOT = bytes(range(32))


def go_private_key() -> Ed25519PrivateKey:
    seed = base64.b64decode(GO_SIGNER.split("+", 4)[4])  # the base64 may hold a "+"
    assert seed[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


def test_signing_the_go_example_gives_the_go_note_byte_for_byte() -> None:
    assert sign_note(GO_TEXT, "PeterNeumann", go_private_key()) == GO_NOTE


def test_the_verifier_key_of_the_go_example_is_the_go_string() -> None:
    public = go_private_key().public_key()
    assert verifier_key("PeterNeumann", public) == GO_VERIFIER
    assert key_id("PeterNeumann", public).hex() == "c74f20a3"


def test_the_go_note_opens_with_the_go_verifier_key() -> None:
    assert open_note(GO_NOTE, GO_VERIFIER) == GO_TEXT


def test_a_verifier_key_may_hold_a_plus_in_its_base64() -> None:
    parsed = parse_verifier_key(PLUS_VERIFIER)
    assert parsed.name == "TEST"
    assert parsed.key_id.hex() == "7997405c"


@pytest.mark.parametrize(
    "bad",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # uppercase id
        "PeterNeumanX+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # other name
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # short key
        "PeterNeumann+c74f20a3+AhpczQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # key type 2
        "PeterNeumann+c74f20a3",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",
    ],
)
def test_malformed_or_mismatched_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        parse_verifier_key(bad)


def test_a_signed_checkpoint_round_trips(signing_key: Ed25519PrivateKey, vkey: str) -> None:
    note = sign_checkpoint("ledger.fairscreen.test/log", 42, ROOT, signing_key)
    assert open_checkpoint(note, vkey) == Checkpoint("ledger.fairscreen.test/log", 42, ROOT)


def test_a_checkpoint_is_origin_size_root_and_extensions_each_on_a_line() -> None:
    text = format_checkpoint("example.com/log", 20852163, ROOT, ["ts 1700000000"])
    root_b64 = base64.b64encode(ROOT).decode()
    assert text == f"example.com/log\n20852163\n{root_b64}\nts 1700000000\n"
    assert parse_checkpoint(text) == Checkpoint(
        "example.com/log", 20852163, ROOT, ("ts 1700000000",)
    )


def test_the_signed_note_separates_text_and_signature_by_a_blank_line(
    signing_key: Ed25519PrivateKey,
) -> None:
    note = sign_checkpoint("ledger.fairscreen.test/log", 0, ROOT, signing_key)
    text, _, signatures = note.rpartition("\n\n")
    assert text.count("\n") == 2 and note.startswith(text + "\n\n")
    assert signatures.startswith("\u2014 ledger.fairscreen.test/log ")
    assert signatures.endswith("\n") and signatures.count("\n") == 1
    blob = base64.b64decode(signatures.split(" ")[2])
    assert len(blob) == 4 + 64


@pytest.mark.parametrize(
    "text",
    [
        "example.com/log\n01\n" + base64.b64encode(ROOT).decode() + "\n",  # leading zero
        "example.com/log\n-1\n" + base64.b64encode(ROOT).decode() + "\n",
        "example.com/log\n\u0661\n" + base64.b64encode(ROOT).decode() + "\n",  # Arabic digit
        "example.com/log\n1\n" + base64.b64encode(ROOT[:31]).decode() + "\n",
        "example.com/log\n1\n" + base64.b64encode(ROOT).decode(),  # no final newline
        "example.com/log\n1\n" + base64.b64encode(ROOT).decode() + "\n\n",  # empty extension
        "\n1\n" + base64.b64encode(ROOT).decode() + "\n",
        "example.com/log\n1\n",
    ],
)
def test_malformed_checkpoint_text_is_refused(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_the_spare_bits_of_base64_cannot_be_changed_unnoticed() -> None:
    text = format_checkpoint("example.com/log", 1, ROOT)
    lines = text.split("\n")
    last = lines[2][-2]  # the character before '=' carries two unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    lines[2] = lines[2][:-2] + alphabet[alphabet.index(last) ^ 1] + "="
    with pytest.raises(NoteError):
        parse_checkpoint("\n".join(lines))


def test_a_changed_text_does_not_open(signing_key: Ed25519PrivateKey, vkey: str) -> None:
    note = sign_checkpoint("ledger.fairscreen.test/log", 7, ROOT, signing_key)
    with pytest.raises(InvalidNoteSignature):
        open_note(note.replace("\n7\n", "\n8\n"), vkey)


def test_a_changed_signature_does_not_open(signing_key: Ed25519PrivateKey, vkey: str) -> None:
    note = sign_checkpoint("ledger.fairscreen.test/log", 7, ROOT, signing_key)
    text, _, line = note[:-1].rpartition("\n")
    prefix, encoded = line.rsplit(" ", 1)
    blob = bytearray(base64.b64decode(encoded))
    blob[10] ^= 0x01
    forged = f"{text}\n{prefix} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(InvalidNoteSignature):
        open_note(forged, vkey)


def test_a_truncated_signature_by_the_trusted_key_does_not_open(
    signing_key: Ed25519PrivateKey, vkey: str
) -> None:
    note = sign_checkpoint("ledger.fairscreen.test/log", 7, ROOT, signing_key)
    text, _, line = note[:-1].rpartition("\n")
    prefix, encoded = line.rsplit(" ", 1)
    short = base64.b64encode(base64.b64decode(encoded)[:-1]).decode()
    with pytest.raises(InvalidNoteSignature):
        open_note(f"{text}\n{prefix} {short}\n", vkey)


def test_a_note_signed_by_another_key_does_not_open(
    other_key: Ed25519PrivateKey, vkey: str
) -> None:
    note = sign_checkpoint("ledger.fairscreen.test/log", 7, ROOT, other_key)
    with pytest.raises(UnverifiedNote):
        open_note(note, vkey)


def test_signatures_by_unknown_keys_are_ignored_beside_the_trusted_one(
    signing_key: Ed25519PrivateKey, other_key: Ed25519PrivateKey, vkey: str
) -> None:
    text = format_checkpoint("ledger.fairscreen.test/log", 7, ROOT)
    ours = sign_note(text, "ledger.fairscreen.test/log", signing_key)
    witness = sign_note(text, "witness.example", other_key)
    both = ours + witness[len(text) + 1 :]
    assert open_note(both, vkey) == text


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\u2014 ", "-- "),
        lambda n: n.replace("\u2014 ", "\u2014"),
        lambda n: n[:-1],
        lambda n: n.replace("\n\n", "\n"),
        lambda n: n.replace("\n", "\r\n"),
        lambda n: n + "\u2014 extra\n",
    ],
)
def test_a_malformed_note_does_not_open(
    mangle: object, signing_key: Ed25519PrivateKey, vkey: str
) -> None:
    note = sign_checkpoint("ledger.fairscreen.test/log", 7, ROOT, signing_key)
    with pytest.raises(NoteError):
        open_note(mangle(note), vkey)  # type: ignore[operator]


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u3000b"])
def test_key_names_with_spaces_or_plus_are_refused(
    name: str, signing_key: Ed25519PrivateKey
) -> None:
    with pytest.raises(NoteError):
        sign_note("text\n", name, signing_key)
    with pytest.raises(NoteError):
        verifier_key(name, signing_key.public_key())


def test_text_must_end_with_a_newline_and_hold_no_control_characters(
    signing_key: Ed25519PrivateKey,
) -> None:
    with pytest.raises(NoteError):
        sign_note("no newline", "k", signing_key)
    with pytest.raises(NoteError):
        sign_note("tab\there\n", "k", signing_key)
