"""Identity commands: organisations, users, API keys, sign-in."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.addresses import parse_address, parse_domain, public_providers
from fairscreen.identity.keycache import RecentKeys
from fairscreen.identity.models import ApiKey, Org, StaffSession, User
from fairscreen.identity.policy import (
    ORG_KINDS,
    ROLES,
    ROLES_BY_ORG_KIND,
    Actor,
    check_password,
    require_staff,
)
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.shared.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from fairscreen.shared.ids import new_id, new_secret, secret_hash

SESSION_HOURS = 12
API_KEY_PREFIX = "fsk_"
API_KEY_DAYS = 365  # an API key's life unless its creator chooses another
MAX_API_KEY_DAYS = 3650
# A key's last use is written at most this often: every API request authenticates its key.
KEY_USE_RESOLUTION = timedelta(minutes=1)
MAX_MAIL_DOMAINS = 50
# One answer for every address that cannot be a new user's, taken or malformed alike: an
# admin adding a user learns nothing of who works elsewhere.
UNUSABLE_ADDRESS = (
    "This e-mail address cannot be used for a new user; give the person's own address."
)


def clean_mail_domains(domains: Sequence[str]) -> list[str]:
    """Return an organisation's declared mail domains, checked and in order, or refuse."""
    if len(domains) > MAX_MAIL_DOMAINS:
        raise ValidationFailed(
            f"Give at most {MAX_MAIL_DOMAINS} mail domains.", field="mail_domains"
        )
    out: list[str] = []
    for raw in domains:
        domain = parse_domain(raw)
        if domain is None:
            raise ValidationFailed(
                f"{raw[:100]!r} is not a mail domain (example.com).", field="mail_domains"
            )
        if domain in public_providers():
            raise ValidationFailed(
                f"{domain} is a public mailbox provider: candidates have their own addresses "
                "there, so it cannot be the organisation's own domain.",
                field="mail_domains",
            )
        if domain not in out:
            out.append(domain)
    return out


def do_create_org(
    uow: UnitOfWork,
    *,
    actor: Actor,
    name: str,
    kind: str,
    regulator_id: str | None = None,
    mail_domains: Sequence[str] = (),
) -> str:
    """Create an organisation; employers and agencies name the regulator over them."""
    domains = clean_mail_domains(mail_domains)
    if kind not in ORG_KINDS:
        raise ValidationFailed(f"Kind must be one of {', '.join(ORG_KINDS)}.", field="kind")
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("Give a name of 1 to 200 characters.", field="name")
    with uow as tx:
        if regulator_id is not None:
            reg = tx.session.get(Org, regulator_id)
            if reg is None or reg.kind != "regulator":
                raise ValidationFailed(
                    "The regulator must be an existing regulator organisation.", field="regulator"
                )
            if kind == "regulator":
                raise ValidationFailed("A regulator has no regulator above it.", field="regulator")
        org = Org(
            id=new_id("org"),
            name=name,
            kind=kind,
            regulator_id=regulator_id,
            mail_domains=domains,
            created_at=tx.clock.now(),
        )
        tx.session.add(org)
        append_event(
            tx.session,
            type=EventType.ORG_CREATED,
            actor=actor.ref,
            at=org.created_at,
            org_id=org.id,
            data={"kind": kind, "regulator_id": regulator_id},
        )
        tx.commit()
        return org.id


def do_set_mail_domains(
    uow: UnitOfWork, *, actor: Actor, org_id: str, mail_domains: Sequence[str]
) -> list[str]:
    """Set the organisation's own mail domains (no candidate address may be at one)."""
    domains = clean_mail_domains(mail_domains)
    with uow as tx:
        org = tx.session.get(Org, org_id)
        if actor.kind == "staff":
            require_staff(actor, "admin")
            if actor.org_id != org_id:
                org = None
        if org is None:
            raise NotFound("There is no such organisation.")
        org.mail_domains = domains
        append_event(
            tx.session,
            type=EventType.ORG_MAIL_DOMAINS_SET,
            actor=actor.ref,
            at=tx.clock.now(),
            org_id=org.id,
            data={"count": len(domains)},
        )
        tx.commit()
        return domains


def do_create_user(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org_id: str,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
) -> str:
    """Create a staff user with one role, or return the existing one with that e-mail."""
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field="role")
    address = parse_address(email)
    if address is None:
        raise ValidationFailed(UNUSABLE_ADDRESS, field="email")
    email = address.lower()
    if password is not None:
        check_password(password)
    with uow as tx:
        org = tx.session.get(Org, org_id)
        if org is None:
            raise NotFound("There is no such organisation.")
        if actor.kind == "staff":
            require_staff(actor, "admin")
            if actor.org_id != org_id:
                raise NotFound("There is no such organisation.")
        if role not in ROLES_BY_ORG_KIND[org.kind]:
            raise ValidationFailed(f"A {org.kind} cannot have a {role} user.", field="role")
        existing = tx.session.scalar(select(User).where(User.email == email))
        if existing is not None:
            if existing.org_id != org_id or existing.role != role:
                raise ValidationFailed(UNUSABLE_ADDRESS, field="email")
            return existing.id
        user = User(
            id=new_id("usr"),
            org_id=org_id,
            email=email,
            name=name or email,
            role=role,
            password_hash=tx.passwords.hash(password) if password else None,
            created_at=tx.clock.now(),
        )
        tx.session.add(user)
        append_event(
            tx.session,
            type=EventType.USER_CREATED,
            actor=actor.ref,
            at=user.created_at,
            org_id=org_id,
            data={"user_id": user.id, "role": role},
        )
        tx.commit()
        return user.id


def do_create_api_key(
    uow: UnitOfWork, *, actor: Actor, user_id: str, expires_in_days: int = API_KEY_DAYS
) -> str:
    """Create an API key for a user and return it; only its hash is kept. It expires."""
    if not 1 <= expires_in_days <= MAX_API_KEY_DAYS:
        raise ValidationFailed(
            f"A key lives 1 to {MAX_API_KEY_DAYS} days.", field="expires_in_days"
        )
    with uow as tx:
        user = tx.session.get(User, user_id)
        if user is None:
            raise NotFound("There is no such user.")
        if actor.kind == "staff" and (actor.role != "admin" or actor.org_id != user.org_id):
            raise Forbidden()
        key_id = new_id("key")
        secret = new_secret(32)
        now = tx.clock.now()
        tx.session.add(
            ApiKey(
                id=key_id,
                user_id=user_id,
                secret_hash=secret_hash(secret),
                created_at=now,
                expires_at=now + timedelta(days=expires_in_days),
            )
        )
        append_event(
            tx.session,
            type=EventType.APIKEY_CREATED,
            actor=actor.ref,
            at=tx.clock.now(),
            org_id=user.org_id,
            data={"key_id": key_id, "user_id": user_id, "expires_in_days": expires_in_days},
        )
        tx.commit()
        return f"{API_KEY_PREFIX}{key_id}.{secret}"


def do_revoke_api_key(uow: UnitOfWork, *, actor: Actor, key_id: str) -> None:
    """Revoke an API key at once."""
    with uow as tx:
        key = tx.session.get(ApiKey, key_id)
        user = tx.session.get(User, key.user_id) if key else None
        if key is None or user is None:
            raise NotFound()
        require_staff(actor, "admin")
        if actor.org_id != user.org_id:
            raise NotFound()
        if key.revoked_at is None:
            key.revoked_at = tx.clock.now()
            append_event(
                tx.session,
                type=EventType.APIKEY_REVOKED,
                actor=actor.ref,
                at=key.revoked_at,
                org_id=user.org_id,
                data={"key_id": key_id},
            )
        tx.after_commit(lambda: tx.recent_keys.forget(key_id))
        tx.commit()


def _actor_for(user: User, org: Org) -> Actor:
    return Actor(kind="staff", id=user.id, org_id=org.id, role=user.role, org_kind=org.kind)


def _split_api_key(presented: str) -> tuple[str, str]:
    if not presented.startswith(API_KEY_PREFIX) or "." not in presented:
        raise Unauthenticated()
    key_id, _, secret = presented[len(API_KEY_PREFIX) :].partition(".")
    return key_id, secret_hash(secret)


def recall_api_key(recent: RecentKeys, presented: str) -> Actor | None:
    """Return the actor of an API key this process accepted moments ago, without the database.

    None means "ask the database" (`authenticate_api_key`), never "refused".
    """
    try:
        key_id, presented_hash = _split_api_key(presented)
    except Unauthenticated:
        return None
    return recent.recall(key_id, presented_hash)


def authenticate_api_key(
    uow: UnitOfWork, presented: str, *, writer: UnitOfWork | None = None
) -> Actor:
    """Return the staff actor for an API key, or refuse.

    With `writer`, the key's last use is noted there (at most once a minute per key).
    """
    key_id, presented_hash = _split_api_key(presented)
    with uow as tx:
        # Every API request starts here: key, user and organisation in one statement.
        found = tx.session.execute(
            select(
                ApiKey.revoked_at,
                ApiKey.secret_hash,
                ApiKey.expires_at,
                ApiKey.last_used_at,
                User,
                Org,
            )
            .join(User, User.id == ApiKey.user_id)
            .join(Org, Org.id == User.org_id)
            .where(ApiKey.id == key_id)
        ).first()
        if found is None or found.revoked_at is not None:
            raise Unauthenticated("This API key is unknown or revoked.")
        if not hmac.compare_digest(found.secret_hash, presented_hash):
            raise Unauthenticated("This API key is unknown or revoked.")
        now = tx.clock.now()
        if found.expires_at is not None and found.expires_at <= now:
            raise Unauthenticated("This API key has expired; ask your admin for a new one.")
        user, org = found.User, found.Org
        if not user.active:
            raise Unauthenticated("This API key's user is no longer active.")
        actor = _actor_for(user, org)
        tx.recent_keys.remember(key_id, presented_hash, actor)
    if writer is not None and _use_due(found.last_used_at, now):
        note_key_use(writer, key_id)
    return actor


def _use_due(last_used: datetime | None, now: datetime) -> bool:
    return last_used is None or now - last_used >= KEY_USE_RESOLUTION


def note_key_use(uow: UnitOfWork, key_id: str) -> None:
    """Record that a key was used now, unless that was noted less than a minute ago."""
    with uow as tx:
        now = tx.clock.now()
        # The condition keeps concurrent requests of one key to one write a minute.
        tx.session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key_id,
                or_(
                    ApiKey.last_used_at.is_(None),
                    ApiKey.last_used_at <= now - KEY_USE_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
        )
        tx.commit()


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    cookie: str


@dataclass(frozen=True)
class Client:
    """The network address and browser a request came from (kept only as keyed hashes)."""

    ip: str | None = None
    user_agent: str | None = None


def client_hashes(tx: Tx, client: Client) -> tuple[str | None, str | None]:
    """Return the keyed hashes (address; address and browser) that recognise a client."""
    if not client.ip:
        return None, None
    ip_hash = tx.vault.lookup_hash("client.ip", client.ip)
    return ip_hash, tx.vault.lookup_hash("client", f"{client.ip}|{client.user_agent or ''}")


def do_sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    replacing: str | None = None,
    client: Client = Client(),
) -> SignedIn:
    """Check a password and open a new session (a new id each time: no fixation).

    `replacing` is the session cookie the browser still held, if any: it is revoked in the
    same transaction, so signing in always rotates the session, but only when its secret
    checks and it is the signer's own (else anyone could end another's session by name).
    The client is kept as keyed hashes only, so that a consent signed from a staff
    device can be recognised.
    """
    with uow as tx:
        user = tx.session.scalar(select(User).where(User.email == email.strip().lower()))
        # Checked even when there is no one to check (identity/passwords.py): the time taken
        # does not reveal who exists.
        stored = user.password_hash if user is not None and user.active else None
        ok = tx.passwords.check(stored or None, password)
        if not ok or user is None:
            raise Unauthenticated("The e-mail or password is not right.")
        org = tx.session.get(Org, user.org_id)
        assert org is not None
        now = tx.clock.now()
        if replacing:
            _end_own_session(tx, replacing, user_id=user.id, now=now)
        session_id = new_id("ses")
        secret = new_secret(32)
        ip_hash, full_hash = client_hashes(tx, client)
        tx.session.add(
            StaffSession(
                id=session_id,
                user_id=user.id,
                secret_hash=secret_hash(secret),
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
                client_ip_hash=ip_hash,
                client_hash=full_hash,
            )
        )
        append_event(
            tx.session,
            type=EventType.USER_SIGNED_IN,
            actor=f"staff:{user.id}",
            at=now,
            org_id=org.id,
            data={},  # never the session id: with it, anyone could name the session
        )
        tx.commit()
        return SignedIn(_actor_for(user, org), f"{session_id}.{secret}")


def _end_own_session(tx: Tx, cookie: str, *, user_id: str, now: datetime) -> None:
    """Revoke the session of `cookie` if its secret checks and it belongs to `user_id`."""
    session_id, _, secret = cookie.partition(".")
    old = tx.session.get(StaffSession, session_id)
    if old is None or old.revoked_at is not None or old.user_id != user_id:
        return
    if hmac.compare_digest(old.secret_hash, secret_hash(secret)):
        old.revoked_at = now


def do_sign_out(uow: UnitOfWork, *, cookie: str) -> None:
    """Revoke the staff session of a cookie whose secret checks (a forged one ends nothing)."""
    session_id, _, secret = cookie.partition(".")
    with uow as tx:
        row = tx.session.get(StaffSession, session_id)
        if row is None or row.revoked_at is not None:
            return
        if hmac.compare_digest(row.secret_hash, secret_hash(secret)):
            row.revoked_at = tx.clock.now()
            tx.commit()


def authenticate_session(uow: UnitOfWork, cookie: str) -> Actor:
    """Return the staff actor of a session cookie, or refuse."""
    session_id, _, secret = cookie.partition(".")
    with uow as tx:
        row = tx.session.get(StaffSession, session_id)
        now = tx.clock.now()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise Unauthenticated("Your session has ended; sign in again.")
        if not hmac.compare_digest(row.secret_hash, secret_hash(secret)):
            raise Unauthenticated("Your session has ended; sign in again.")
        user = tx.session.get(User, row.user_id)
        org = tx.session.get(Org, user.org_id) if user else None
        if user is None or org is None or not user.active:
            raise Unauthenticated()
        return _actor_for(user, org)
