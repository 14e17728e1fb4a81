"""Read-only views of an organisation's staff and API keys, for its admin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.actions import API_KEY_PREFIX
from fairscreen.identity.addresses import own_domains
from fairscreen.identity.models import ApiKey, Org, StaffSession, User
from fairscreen.identity.policy import (
    ROLES_BY_ORG_KIND,
    Actor,
    OrgRef,
    access_org_as_admin_or_regulator,
    require_staff,
)
from fairscreen.shared.clock import as_utc
from fairscreen.shared.errors import NotFound


def org_ref(org: Org) -> OrgRef:
    """Return what access checks need of an organisation."""
    return OrgRef(org.id, org.kind, org.regulator_id)


def load_org_as_admin_or_regulator(session: Session, actor: Actor, org_id: str) -> Org:
    """Load an organisation for its own admin or its regulator, or raise."""
    org = session.get(Org, org_id)
    access_org_as_admin_or_regulator(actor, org_ref(org) if org is not None else None)
    assert org is not None
    return org


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def key_prefix(key_id: str) -> str:
    """Return the part of an API key that may be shown again: never its secret."""
    return f"{API_KEY_PREFIX}{key_id}"


def _admin_org(tx: Tx, actor: Actor) -> Org:
    require_staff(actor, "admin")
    org = tx.session.get(Org, actor.org_id) if actor.org_id else None
    if org is None:
        raise NotFound("There is no such organisation.")
    return org


def orgs_under(uow: UnitOfWork, regulator_id: str) -> list[str]:
    """Return the ids of the organisations under a regulator."""
    with uow as tx:
        return list(tx.session.scalars(select(Org.id).where(Org.regulator_id == regulator_id)))


def org_users(uow: UnitOfWork, *, actor: Actor) -> dict[str, Any]:
    """Return the admin's organisation, its users and the roles its kind allows."""
    with uow as tx:
        org = _admin_org(tx, actor)
        users = tx.session.scalars(
            select(User).where(User.org_id == org.id).order_by(User.created_at, User.email)
        )
        return {
            "org": {"id": org.id, "name": org.name, "kind": org.kind},
            "roles": list(ROLES_BY_ORG_KIND[org.kind]),
            "users": [
                {
                    "id": u.id,
                    "email": u.email,
                    "name": u.name,
                    "role": u.role,
                    "active": u.active,
                    "can_sign_in": u.password_hash is not None,
                    "created_at": _iso(u.created_at),
                }
                for u in users
            ],
        }


def org_api_keys(uow: UnitOfWork, *, actor: Actor) -> list[dict[str, Any]]:
    """Return the API keys of the admin's organisation by prefix (never a secret), newest first."""
    with uow as tx:
        org = _admin_org(tx, actor)
        rows = tx.session.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(User.org_id == org.id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
        now = tx.clock.now()
        return [
            {
                "id": key.id,
                "prefix": key_prefix(key.id),
                "user_id": user.id,
                "user_email": user.email,
                "role": user.role,
                "created_at": _iso(key.created_at),
                "last_used_at": _iso(key.last_used_at),
                "expires_at": _iso(key.expires_at),
                "expired": key.expires_at is not None and as_utc(key.expires_at) <= now,
                "revoked_at": _iso(key.revoked_at),
            }
            for key, user in rows
        ]


def staff_clients_from(
    session: Session, org_id: str, ip_hash: str, since: datetime
) -> list[str | None]:
    """Return the client hashes of the org's staff sessions from one address alive since then."""
    return list(
        session.scalars(
            select(StaffSession.client_hash)
            .join(User, User.id == StaffSession.user_id)
            .where(
                StaffSession.client_ip_hash == ip_hash,
                User.org_id == org_id,
                StaffSession.expires_at >= since,
            )
            .limit(100)
        )
    )


def org_mail_domains(uow: UnitOfWork, *, actor: Actor, org_id: str) -> dict[str, Any]:
    """Return the organisation's mail domains: declared, and those of its staff's addresses."""
    with uow as tx:
        org = _admin_org(tx, actor)
        if org.id != org_id:
            raise NotFound("There is no such organisation.")
        staff = tx.session.scalars(select(User.email).where(User.org_id == org.id))
        return {
            "mail_domains": list(org.mail_domains or []),
            "own_domains": sorted(own_domains(org.mail_domains or (), staff)),
        }
