"""Import every module's tables so metadata is complete (explicit, not import-time magic)."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from fairscreen.db.base import Base

MODEL_MODULES = (
    "fairscreen.identity.models",
    "fairscreen.vault.models",
    "fairscreen.scope.models",
    "fairscreen.cases.models",
    "fairscreen.ledger.models",
    "fairscreen.consent.models",
    "fairscreen.compliance.models",
    "fairscreen.verification.models",
    "fairscreen.rating.models",
    "fairscreen.retention.models",
    "fairscreen.webhooks.models",
    "fairscreen.privacy.models",
    "fairscreen.audit.models",
    "fairscreen.statements.models",
    "fairscreen.matching.models",
    "fairscreen.evidence.models",
    "fairscreen.feedback.models",
    "fairscreen.mail.models",
)


def metadata() -> MetaData:
    """Return the metadata with every table registered."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
