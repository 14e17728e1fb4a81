"""Shared pieces of the JSON API: strict bodies and documented error responses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, model_validator

# Dates outside these years are typing mistakes; near year 1 or 9999 the date arithmetic
# of deadlines (72 hours, 30 days) and the conversion to UTC would overflow.
MIN_YEAR, MAX_YEAR = 1900, 2999
# The largest integer both databases store (a 64-bit signed integer).
MAX_INT = 2**63 - 1


def _no_nul(value: Any) -> None:
    # PostgreSQL refuses NUL in text; SQLite would store it. Refuse it in both, at the edge.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text may not contain the NUL character")
    if isinstance(value, dict):
        for item in value.values():
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)


class Body(BaseModel):
    """A request body: unknown fields refused, strings trimmed, no NUL characters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        _no_nul(data)
        return data


def _sane_day(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be from {MIN_YEAR} to {MAX_YEAR}")
    return value


def _sane_moment(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"the year must be from {MIN_YEAR} to {MAX_YEAR}") from None
    _sane_day(utc.date())
    return utc


# A calendar day, and an instant with its offset (kept in UTC), within sane years.
Day = Annotated[date, AfterValidator(_sane_day)]
Moment = Annotated[AwareDatetime, AfterValidator(_sane_moment)]


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
