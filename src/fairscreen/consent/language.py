"""The candidate's language: that of the consent page they last answered, else the default.

Mail to a candidate is written in it (mail/render.py). Before the candidate has opened
the consent page (the invitation itself) nothing is known and the default is used.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fairscreen.consent.models import ConsentRecord
from fairscreen.shared.catalogues import DEFAULT_LANG, LANGS


def candidate_lang(session: Session, case_id: str) -> str:
    """Return the language of the case's latest signature or refusal, else the default."""
    lang = session.scalar(
        select(ConsentRecord.document_lang)
        .where(ConsentRecord.case_id == case_id)
        .order_by(ConsentRecord.at.desc())
        .limit(1)
    )
    return lang if lang in LANGS else DEFAULT_LANG
