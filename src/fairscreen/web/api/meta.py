"""Public and reference routes: categories, health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from fairscreen.scope.policy import load_taxonomy
from fairscreen.web.api.common import errors
from fairscreen.web.deps import AppDep, StaffDep

router = APIRouter()


@router.get("/categories", responses=errors(401, 403), tags=["scope"])
def categories(actor: StaffDep) -> list[dict[str, Any]]:  # noqa: ARG001
    """The category taxonomy: which information may be requested, which never."""
    taxonomy = load_taxonomy()
    return [
        {
            "code": c.code,
            "name": c.names["en"],
            "names": dict(c.names),
            "sensitive": c.sensitive,
            "forbidden": c.forbidden,
            "methods": list(c.methods),
            "version": taxonomy.version,
        }
        for c in taxonomy.categories.values()
    ]


@router.get("/health", tags=["meta"], responses=errors())
def health(app: AppDep) -> dict[str, str]:
    """Liveness and database reachability."""
    with app.reader() as tx:
        tx.session.execute(text("SELECT 1"))
    return {"status": "ok"}
