"""The rules of the compliance figures: the period asked about and what must stay at zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from fairscreen.shared.errors import ValidationFailed

DEFAULT_DAYS = 365
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_DAYS = 3660
# A destruction a day late is overdue: the purge runs at least daily.
DESTRUCTION_GRACE = timedelta(days=1)
# Figures that are breaches of the rules whenever they are not zero.
MUST_BE_ZERO = (
    "consent.cases_with_findings_without_consent",
    "retention.destructions_overdue",
    "decisions.adverse_before_waiting_or_during_dispute",
)


@dataclass(frozen=True)
class Period:
    """A half-open interval [since, until) in UTC, with the calendar dates it was asked as."""

    since: datetime
    until: datetime

    def as_dict(self) -> dict[str, str]:
        """Return the period as the dates a reader gave (the last day included)."""
        last = self.until - timedelta(microseconds=1)
        return {"from": self.since.date().isoformat(), "to": last.date().isoformat()}


def _day(text: str, name: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{name} is a date as YYYY-MM-DD.", field=name) from None
    # Near year 1 or 9999 the period's arithmetic would overflow; no record is that old.
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationFailed(f"{name} is a year from {MIN_YEAR} to {MAX_YEAR}.", field=name)
    return day


def parse_period(start: str | None, end: str | None, now: datetime) -> Period:
    """Return the period of `?from=&to=` (both days included); by default 365 days to today."""
    last = _day(end, "to") if end else now.astimezone(UTC).date()  # by default: today
    until = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    since = (
        datetime.combine(_day(start, "from"), time(), tzinfo=UTC)
        if start
        else until - timedelta(days=DEFAULT_DAYS)
    )
    if since >= until:
        raise ValidationFailed("from is on or before to.", field="from")
    if until - since > timedelta(days=MAX_DAYS):
        raise ValidationFailed(f"The period is at most {MAX_DAYS} days.", field="from")
    return Period(since, until)
