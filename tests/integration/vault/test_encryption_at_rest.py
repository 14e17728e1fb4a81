"""Personal data is stored only as ciphertext under a per-case key."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from factories.world import make_world, open_case
from fairscreen.cases.models import Case
from fairscreen.shared.sealed import Sealed
from fairscreen.vault.crypto import SealError
from fairscreen.vault.models import VaultCaseKey

NAME = "欧阳娜娜Zq"
EMAIL = "ouyang.unique.q7@candidate.example"


def test_database_never_holds_candidate_name_or_email_in_plaintext(fs, backend) -> None:
    world = make_world(fs)
    open_case(world, name=NAME, email=EMAIL)
    with fs.reader() as uow:
        case = uow.session.scalars(select(Case)).one()
        assert isinstance(case.candidate_name, Sealed)
        assert NAME.encode() not in case.candidate_name.blob
    if backend == "sqlite":
        fs.engine.dispose()
        for path in Path(fs.settings.data_dir).rglob("*"):
            if path.is_file():
                raw = path.read_bytes()
                assert NAME.encode() not in raw, path
                assert EMAIL.encode() not in raw, path


def test_each_case_has_its_own_wrapped_data_key(fs) -> None:
    world = make_world(fs)
    a, _ = open_case(world, email="a@candidate.example")
    b, _ = open_case(world, email="b@candidate.example")
    with fs.reader() as uow:
        keys = {k.case_id: k.wrapped for k in uow.session.scalars(select(VaultCaseKey))}
    assert set(keys) == {a, b}
    assert keys[a] != keys[b]


def test_ciphertext_moved_to_another_case_does_not_open(fs) -> None:
    world = make_world(fs)
    a, _ = open_case(world, email="a@candidate.example")
    b, _ = open_case(world, email="b@candidate.example")
    with fs.reader() as uow:
        vault = uow.vault
        case_a = uow.session.get(Case, a)
        assert vault.open(a, "case.candidate_name", case_a.candidate_name) == "张伟"
        with pytest.raises(SealError):
            vault.open(b, "case.candidate_name", case_a.candidate_name)
        with pytest.raises(SealError):
            vault.open(a, "case.candidate_email", case_a.candidate_name)


def test_email_lookup_uses_a_keyed_hash(fs) -> None:
    world = make_world(fs)
    open_case(world, email=EMAIL)
    with fs.reader() as uow:
        vault = uow.vault
        case = uow.session.scalars(select(Case)).one()
        assert case.candidate_email_index == vault.lookup_hash("email", EMAIL)
        assert EMAIL not in (case.candidate_email_index or "")
