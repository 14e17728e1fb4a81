"""Scope commands: positions."""

from __future__ import annotations

from sqlalchemy import select

from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.scope.guard import ensure_clean_text
from fairscreen.scope.models import Position
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import Forbidden, ForbiddenContent, NotFound, ValidationFailed
from fairscreen.shared.ids import new_id


def check_field_text(text: str, field: str, what: str) -> None:
    """Refuse free text (a title, a description) that touches a forbidden topic.

    Such text is shown to others (a position's title to every candidate it invites), so a
    requirement the law forbids ("unmarried women under 30 only") cannot ride in it.
    """
    try:
        ensure_clean_text(text)
    except ForbiddenContent as exc:
        raise ForbiddenContent(
            f"The {what} touches a topic that may never be a requirement or be recorded: "
            f"{exc.details.get('topic')}.",
            field=field,
            **exc.details,
        ) from None


def do_create_position(
    uow: UnitOfWork, *, actor: Actor, title: str, purpose: str, grade: str
) -> Position:
    """Create a position; its purpose and grade fix the categories it may request."""
    require_staff(actor, "employer", "admin")
    title = title.strip()
    if not title or len(title) > 200:
        raise ValidationFailed("Give a title of 1 to 200 characters.", field="title")
    with uow as tx:
        org = tx.session.get(Org, actor.org_id)
        if org is None or org.kind != "employer":
            raise Forbidden("Only an employer organisation has positions.")
        tx.concerning(org.id)  # a forbidden title counts for the employer
        check_field_text(title, "title", "position title")
        pack = load_pack(org.pack)
        allowed = pack.allowed_categories(purpose, grade)
        position = Position(
            id=new_id("pos"),
            org_id=org.id,
            title=title,
            purpose=purpose,
            grade=grade,
            pack=pack.code,
            pack_version=pack.version,
            allowed_categories=list(allowed),
            created_at=tx.clock.now(),
        )
        tx.session.add(position)
        append_event(
            tx.session,
            type=EventType.POSITION_CREATED,
            actor=actor.ref,
            at=position.created_at,
            org_id=org.id,
            data={
                "position_id": position.id,
                "purpose": purpose,
                "grade": grade,
                "pack_version": pack.version,
                "allowed": list(allowed),
            },
        )
        tx.commit()
        tx.session.expunge(position)
        return position


def get_position(uow: UnitOfWork, *, actor: Actor, position_id: str) -> Position:
    """Return one of the actor's organisation's positions."""
    with uow as tx:
        position = tx.session.get(Position, position_id)
        if position is None or position.org_id != actor.org_id:
            raise NotFound("There is no such position.")
        tx.session.expunge(position)
        return position


def list_positions(uow: UnitOfWork, *, actor: Actor) -> list[Position]:
    """Return the actor's organisation's positions."""
    with uow as tx:
        rows = list(
            tx.session.scalars(
                select(Position)
                .where(Position.org_id == actor.org_id)
                .order_by(Position.created_at)
            )
        )
        for row in rows:
            tx.session.expunge(row)
        return rows
