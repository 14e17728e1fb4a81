"""The pkcs11 key provider against a real SoftHSM2 token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories.world import make_world, open_case
from fairscreen.bootstrap import App
from fairscreen.cases.models import Case
from fairscreen.vault.crypto import SealError, new_data_key
from support import softhsm

pytestmark = pytest.mark.skipif(not softhsm.available(), reason="softhsm2 is not installed")


@pytest.fixture(scope="session")
def hsm(tmp_path_factory):
    # SoftHSM2 reads its configuration once per process, so the session shares one token.
    from fairscreen.vault.pkcs11 import Pkcs11KeyProvider

    softhsm.make_token(tmp_path_factory.mktemp("hsm"))
    return Pkcs11KeyProvider(softhsm.MODULE, "fairscreen", softhsm.PIN)


def test_data_keys_wrap_and_unwrap_inside_the_token(hsm) -> None:
    dek = new_data_key()
    wrapped = hsm.wrap(dek, b"case_1")
    assert dek not in wrapped.blob
    assert hsm.unwrap(wrapped, b"case_1") == dek
    with pytest.raises(SealError):
        hsm.unwrap(wrapped, b"case_2")


def test_the_kek_cannot_be_extracted(hsm) -> None:
    import pkcs11
    from pkcs11 import Attribute

    key = hsm._key(hsm.current_kek_id())
    assert key[Attribute.EXTRACTABLE] is False
    with pytest.raises(pkcs11.exceptions.PKCS11Error):
        key[Attribute.VALUE]


def test_rotation_keeps_old_keys_readable(hsm) -> None:
    dek = new_data_key()
    old = hsm.wrap(dek, b"c")
    new_id = hsm.rotate()
    assert new_id != old.kek_id and hsm.wrap(dek, b"c").kek_id == new_id
    assert hsm.unwrap(old, b"c") == dek


def test_a_case_round_trips_through_the_hsm(fs, hsm) -> None:
    app = App(fs.settings, clock=fs.clock, engine=fs.engine, keys=hsm, passwords=fs.passwords)
    world = make_world(app)
    case_id, _ = open_case(world, name="欧阳修")
    with app.reader() as uow:
        vault = uow.vault
        case = uow.session.scalars(select(Case)).one()
        assert vault.open(case_id, "case.candidate_name", case.candidate_name) == "欧阳修"
    assert hsm.ledger_signing_key().public_key() is not None
