"""Organisations, staff users, API keys and staff sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class Org(Base):
    __tablename__ = "identity_org"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # employer | agency | regulator
    regulator_id: Mapped[str | None] = mapped_column(
        ForeignKey("identity_org.id"), nullable=True, index=True
    )
    pack: Mapped[str] = mapped_column(String(16), default="cn")
    # The organisation's own mail domains: no candidate address may be at one of them.
    mail_domains: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "identity_user"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # staff work address
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin | employer | investigator | regulator
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ApiKey(Base):
    __tablename__ = "identity_api_key"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the secret
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)


class StaffSession(Base):
    __tablename__ = "identity_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Keyed hashes (vault.lookup_hash) of the signing-in client, never the address itself:
    # they let a consent signed from a staff device be recognised (consent.actions).
    client_ip_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
