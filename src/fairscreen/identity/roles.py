"""Changing a staff user's role: the organisation's admin, within what its kind allows.

An organisation always keeps one active admin, so nobody can lock it out of its own
settings by demoting the last one.
"""

from __future__ import annotations

from sqlalchemy import func, select

from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.models import Org, User
from fairscreen.identity.policy import ROLES, ROLES_BY_ORG_KIND, Actor, require_staff
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.shared.errors import InvalidState, NotFound, ValidationFailed


def leaves_no_admin(current_role: str, new_role: str, active_admins: int) -> bool:
    """Tell whether a change would take the organisation's last active admin away."""
    return current_role == "admin" and new_role != "admin" and active_admins <= 1


def do_change_role(uow: UnitOfWork, *, actor: Actor, user_id: str, role: str) -> str:
    """Give a user of the admin's organisation another role; return the role now held."""
    require_staff(actor, "admin")
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field="role")
    with uow as tx:
        user = tx.session.get(User, user_id, with_for_update=True)
        if user is None or user.org_id != actor.org_id:
            raise NotFound("There is no such user.")
        org = tx.session.get(Org, user.org_id)
        assert org is not None
        if role not in ROLES_BY_ORG_KIND[org.kind]:
            raise ValidationFailed(f"A {org.kind} cannot have a {role} user.", field="role")
        if user.role == role:
            return role
        admins = tx.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.org_id == org.id, User.role == "admin", User.active.is_(True))
        )
        if leaves_no_admin(user.role, role, int(admins or 0)):
            raise InvalidState("The organisation needs at least one admin.", field="role")
        previous, user.role = user.role, role
        append_event(
            tx.session,
            type=EventType.USER_ROLE_CHANGED,
            actor=actor.ref,
            at=tx.clock.now(),
            org_id=org.id,
            data={"user_id": user.id, "from": previous, "to": role},
        )
        tx.commit()
        return role
