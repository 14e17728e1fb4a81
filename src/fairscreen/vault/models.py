"""Per-case data keys, stored only wrapped by a key-encryption key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class VaultCaseKey(Base):
    __tablename__ = "vault_case_key"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime]
    destroyed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class VaultSecret(Base):
    """A system secret wrapped by a KEK (vault/secrets.py): an endpoint's signing key."""

    __tablename__ = "vault_secret"

    owner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
