"""The published rating rules: public, so anyone can check how a rating is reached."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from fairscreen.rating.policy import load_rules
from fairscreen.web.api.common import errors

router = APIRouter()


@router.get("/rating-rules", responses=errors(), tags=["rating"])
def rating_rules() -> dict[str, Any]:
    """The rating rules in force, in plain words in three languages, with version and sha256."""
    return load_rules().published()
