"""Time comes from an injected clock so tests move time instead of sleeping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock for tests and CLI `--now`: stands still until moved."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        """Return the frozen instant."""
        return self.at

    def advance(self, **kwargs: float) -> None:
        """Move the clock forward by a timedelta given as keywords."""
        self.at = self.at + timedelta(**kwargs)

    def set(self, at: datetime) -> None:
        """Jump to an instant."""
        self.at = at if at.tzinfo else at.replace(tzinfo=UTC)


def as_utc(value: datetime) -> datetime:
    """Return an aware UTC datetime (SQLite hands naive ones back)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
