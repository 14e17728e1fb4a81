"""The transaction boundary: a unit of work is entered once, and refusals count by class."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from fairscreen.compliance.actions import COUNTED_CODES, refusal_counts
from fairscreen.db.uow import NestedUnitOfWork, Tx
from fairscreen.identity.models import Org
from fairscreen.shared import errors
from fairscreen.shared.ids import new_id


def _org(name: str) -> Org:
    return Org(id=new_id("org"), name=name, kind="employer", created_at=datetime.now(UTC))


def test_entering_an_entered_unit_of_work_raises_instead_of_losing_the_outer_rows(fs) -> None:
    # Before: the second entry replaced the session, and the outer transaction's row
    # (never committed) was lost with no error.
    uow = fs.uow()
    with uow as tx:
        tx.session.add(_org("Outer Co"))
        with pytest.raises(NestedUnitOfWork), uow:
            pass
        tx.commit()
    with fs.reader() as tx:
        names = tx.session.scalars(select(Org.name)).all()
    assert "Outer Co" in names


def test_a_unit_of_work_may_be_entered_again_after_it_ends(fs) -> None:
    uow = fs.uow()
    with uow as first:
        first.session.add(_org("First Co"))
        first.commit()
    with uow as second:
        assert second is not first
        assert second.session.scalars(select(Org.name)).all() == ["First Co"]


def test_the_transaction_is_not_a_unit_of_work_so_helpers_cannot_enter_it(fs) -> None:
    with fs.reader() as tx:
        assert isinstance(tx, Tx)
        with pytest.raises(TypeError):
            with tx:  # type: ignore[attr-defined]
                pass


def test_effects_run_only_after_commit(fs) -> None:
    ran: list[str] = []
    with fs.uow() as tx:
        tx.after_commit(lambda: ran.append("rolled back"))
    assert ran == []
    with fs.uow() as tx:
        tx.after_commit(lambda: ran.append("committed"))
        tx.commit()
    assert ran == ["committed"]


def test_counted_refusals_are_a_property_of_the_error_class() -> None:
    counted = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.DomainError) and cls.counted
    }
    assert (
        counted
        == set(COUNTED_CODES)
        == {
            "out_of_scope",
            "forbidden_category",
            "forbidden_content",
            "consent_required",
            "consent_withdrawn",
        }
    )


def test_a_counted_refusal_is_counted_for_the_organisation_the_transaction_acts_for(fs) -> None:
    org = _org("Counted Co")
    with fs.uow() as tx:
        tx.session.add(org)
        tx.commit()
    with pytest.raises(errors.OutOfScope), fs.uow() as tx:
        tx.concerning(org.id)
        raise errors.OutOfScope()
    with pytest.raises(errors.InvalidState), fs.uow() as tx:
        tx.concerning(org.id)
        raise errors.InvalidState()  # not an attempt to collect: not counted
    with pytest.raises(errors.ForbiddenContent), fs.uow():
        raise errors.ForbiddenContent()  # acting for no organisation: nowhere to count
    counts = refusal_counts(fs.reader(), org_id=org.id)
    assert counts["out_of_scope"] == 1
    assert sum(counts.values()) == 1
