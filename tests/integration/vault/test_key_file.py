"""The key file under writers that race: each one's change survives the others'.

Each provider here stands for a process of its own (its own view of the file, its own
open of the lock), the way `keys rotate` and `serve` share one data dir.
"""

from __future__ import annotations

import json
import os
import threading

import pytest

from fairscreen.vault.keys import LocalKeyProvider, WrappedKey, kek_version

AAD = b"fairscreen/dek|case_x"


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "keys" / "fairscreen.key"
    assert LocalKeyProvider.create(path)
    return path


def test_a_rotation_from_a_stale_view_adds_a_version_and_keeps_the_one_it_did_not_see(key_file):
    early = LocalKeyProvider(key_file)  # read the file while it held k1 only
    other = LocalKeyProvider(key_file)
    assert other.rotate() == "k2"
    under_k2 = other.wrap(os.urandom(32), AAD)

    assert early.rotate() == "k3"

    fresh = LocalKeyProvider(key_file)
    assert fresh.kek_ids() == ["k1", "k2", "k3"] and fresh.current_kek_id() == "k3"
    assert len(fresh.unwrap(under_k2, AAD)) == 32


def test_rotations_and_retirements_racing_in_many_writers_lose_no_version(key_file):
    writers, rounds = 6, 5
    start = threading.Barrier(writers)
    made: list[str] = []
    failures: list[BaseException] = []

    def write() -> None:
        keys = LocalKeyProvider(key_file)
        try:
            start.wait()
            for _ in range(rounds):
                made.append(keys.rotate())
                keys.retire("k1")  # every writer retires the same old version: once is enough
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(made, key=kek_version) == [f"k{n}" for n in range(2, 2 + writers * rounds)]
    data = json.loads(key_file.read_text())
    assert sorted(data["keks"], key=kek_version) == sorted(made, key=kek_version)
    assert data["retired"] == ["k1"]
    assert data["current"] == f"k{1 + writers * rounds}"
    assert [p.name for p in key_file.parent.iterdir() if p.suffix == ".tmp"] == []


def test_a_retired_version_is_never_handed_out_again(key_file):
    keys = LocalKeyProvider(key_file)
    assert keys.rotate() == "k2"
    keys.retire("k1")
    keys.retire("k1")  # a second rotation retiring it too: nothing to do
    assert keys.rotate() == "k3"
    assert LocalKeyProvider(key_file).kek_ids() == ["k2", "k3"]
    with pytest.raises(ValueError):
        keys.retire("k3")


def test_the_file_stays_private_after_a_rewrite(key_file):
    LocalKeyProvider(key_file).rotate()
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("kek_id", "version"), [("k1", 1), ("k12", 12), ("fairscreen-kek-3", 3), ("kek-40", 40)]
)
def test_kek_versions_are_read_from_the_end_of_the_id(kek_id, version):
    assert kek_version(kek_id) == version


def test_an_id_without_a_version_is_refused():
    with pytest.raises(ValueError):
        kek_version("kek-")


def test_a_wrapped_key_from_before_a_rotation_still_unwraps_after_it(key_file):
    keys = LocalKeyProvider(key_file)
    wrapped = keys.wrap(b"k" * 32, AAD)
    LocalKeyProvider(key_file).rotate()
    assert keys.unwrap(WrappedKey(wrapped.kek_id, wrapped.blob), AAD) == b"k" * 32
