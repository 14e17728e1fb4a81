"""The public ledger routes: checkpoint, key, proofs that verify, refusals."""

from __future__ import annotations

import pytest

from fairscreen.ledger.events import append_event
from fairscreen.ledger.note import open_checkpoint
from fairscreen.ledger.verify import verify_consistency, verify_inclusion


def append(fs, n: int, org_id: str | None = None) -> None:
    with fs.uow() as uow:
        for i in range(n):
            append_event(
                uow.session,
                type="test.appended",
                actor="system",
                at=fs.clock.now(),
                org_id=org_id,
                data={"i": i},
            )
        uow.commit()


def test_checkpoint_is_signed_by_the_published_key_and_proofs_verify_against_it(client, fs) -> None:
    append(fs, 11)
    vkey = client.get("/api/v1/ledger/public-key").json()["verifier_key"]
    assert vkey.startswith("testserver/fairscreen-ledger+")
    cp = client.get("/api/v1/ledger/checkpoint").json()
    assert set(cp) == {"size", "root_hash", "timestamp", "note"}
    opened = open_checkpoint(cp["note"], vkey)
    assert cp["size"] == opened.size == 11
    assert cp["root_hash"] == opened.root_hash.hex() == cp["root_hash"].lower()
    for index in range(11):
        body = client.get(f"/api/v1/ledger/proof/inclusion?index={index}&size=11").json()
        path = [bytes.fromhex(h) for h in body["path"]]
        assert verify_inclusion(bytes.fromhex(body["leaf_hash"]), index, 11, path, opened.root_hash)
    older = client.get("/api/v1/ledger/checkpoint").json()
    append(fs, 6)
    newer = client.get("/api/v1/ledger/checkpoint").json()
    assert newer["size"] == 17
    proof = client.get("/api/v1/ledger/proof/consistency?first=11&second=17").json()["path"]
    assert verify_consistency(
        11,
        17,
        bytes.fromhex(older["root_hash"]),
        bytes.fromhex(newer["root_hash"]),
        [bytes.fromhex(h) for h in proof],
    )


def test_the_checkpoint_is_not_re_signed_while_the_ledger_does_not_grow(client, fs) -> None:
    append(fs, 2)
    first = client.get("/api/v1/ledger/checkpoint").json()
    fs.clock.advance(days=1)
    assert client.get("/api/v1/ledger/checkpoint").json() == first


def test_an_empty_ledger_has_a_checkpoint_of_size_zero(client) -> None:
    cp = client.get("/api/v1/ledger/checkpoint").json()
    assert cp["size"] == 0
    assert cp["root_hash"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    "query",
    [
        "proof/inclusion?index=5&size=5",
        "proof/inclusion?index=-1&size=3",
        "proof/inclusion?index=0&size=99",
        "proof/inclusion?index=0&size=-2",
        "proof/inclusion?index=x&size=3",
        "proof/consistency?first=4&second=2",
        "proof/consistency?first=-1&second=2",
        "proof/consistency?first=1&second=99",
        "events?from=-1",
        "events?limit=0",
    ],
)
def test_requests_beyond_the_tree_are_validation_errors(client, fs, world, query) -> None:
    append(fs, 5)
    response = client.get(f"/api/v1/ledger/{query}", headers=world["hr"].headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_events_are_listed_in_order_with_their_leaf_hashes(client, fs, world) -> None:
    first = client.get("/api/v1/ledger/checkpoint").json()["size"]  # the world's own events
    append(fs, 5, org_id=world.employer)
    size = first + 5
    mine = world["hr"].headers
    page = client.get(f"/api/v1/ledger/events?from={first + 1}&limit=3", headers=mine).json()
    assert [e["index"] for e in page["events"]] == [first + 1, first + 2, first + 3]
    assert page["next"] == first + 4
    assert page["events"][0]["event"]["data"] == {"i": 1}
    proof = client.get(f"/api/v1/ledger/proof/inclusion?index={first + 2}&size={size}").json()
    assert page["events"][1]["leaf_hash"] == proof["leaf_hash"]
    last = client.get(f"/api/v1/ledger/events?from={first + 4}", headers=mine).json()
    assert last["next"] is None
