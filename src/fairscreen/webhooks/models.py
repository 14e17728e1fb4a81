"""Webhook endpoints, and the persistent outbox of deliveries with their log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class Endpoint(Base):
    __tablename__ = "webhooks_endpoint"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    # The signing key is sealed in the vault (vault/secrets.py, purpose SECRET_PURPOSE);
    # this column only holds a secret written before that, until the next delivery run
    # seals it (actions.seal_legacy_secrets).
    secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Delivery(Base):
    """One message to one endpoint; the same id is kept across retries."""

    __tablename__ = "webhooks_delivery"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhooks_endpoint.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|failed
    # Why the last attempt failed, in our words ("no 2xx answer", "timed out", ...), for the
    # operator's log; the target's own status code and body are never stored or shown.
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
