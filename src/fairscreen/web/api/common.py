"""Shared pieces of the JSON API: strict bodies and documented error responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    """A request body: unknown fields refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document error responses in the OpenAPI document."""
    text = {
        401: "Not authenticated (`unauthenticated`)",
        403: "Role or organisation may not do this (`forbidden`)",
        404: "No such object, or not yours (`not_found`)",
        409: "Refused in the case's current state",
        413: "Body too large (`payload_too_large`)",
        422: "Invalid input or a refusal of the rules",
        429: "Too many attempts (`rate_limited`)",
        503: "Database unavailable (`unavailable`)",
    }
    wanted = sorted(set(statuses) | {413, 422, 503})
    return {s: {"model": ErrorResponse, "description": text.get(s, "Error")} for s in wanted}
