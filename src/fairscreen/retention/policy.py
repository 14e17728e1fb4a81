"""Destruction on expiry (到期銷毀): when a case's data must go, and what survives it.

Pure: the periods come from the jurisdiction pack (`retention_days`); an organisation
may shorten them, never lengthen them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fairscreen.shared.errors import ValidationFailed

# Tables that outlive a case's destruction: they hold ids, codes and hashes only, and
# are what proves the destruction happened (the ledger, the tombstone) or what the
# regulator's figures count. Every other table with a `case_id` column is emptied.
SURVIVING_TABLES = frozenset(
    {
        "ledger_event",
        "retention_tombstone",
        "retention_hold",
        "retention_erasure",
        "compliance_refusal",
        "vault_case_key",
    }
)
DEFAULT_DAYS = {"not_hired": 180, "hired_after_end": 30, "abandoned_without_consent": 30}
# The longest a legal hold may last (FAIRSCREEN_LEGAL_HOLD_MAX_DAYS): a hold keeps data
# past the candidate's withdrawal or the end of retention, so it always ends.
LEGAL_HOLD_MAX_DAYS = 365


def check_hold_end(ends_at: datetime | None, now: datetime, max_days: int) -> datetime:
    """Return a legal hold's end if it is given, in the future and within `max_days`."""
    if ends_at is None:
        raise ValidationFailed(
            f"Give the date the hold ends: a hold lasts at most {max_days} days.",
            field="ends_at",
        )
    if ends_at <= now:
        raise ValidationFailed("The hold must end in the future.", field="ends_at")
    if ends_at > now + timedelta(days=max_days):
        raise ValidationFailed(
            f"A hold lasts at most {max_days} days: give an end no later than"
            f" {(now + timedelta(days=max_days)).date().isoformat()}, and place a new hold"
            " then if it is still needed.",
            field="ends_at",
            max_days=max_days,
        )
    return ends_at


@dataclass(frozen=True)
class RetentionPolicy:
    not_hired: int
    hired_after_end: int
    abandoned_without_consent: int

    @staticmethod
    def from_pack(
        pack_days: Mapping[str, int], org_days: Mapping[str, int] | None = None
    ) -> RetentionPolicy:
        """Combine the pack's periods with an organisation's shorter ones."""
        days = {**DEFAULT_DAYS, **pack_days}
        for key, value in (org_days or {}).items():
            if key not in days:
                raise ValidationFailed(f"Unknown retention period '{key}'.", field=key)
            if value < 0:
                raise ValidationFailed("A retention period cannot be negative.", field=key)
            if value > days[key]:
                raise ValidationFailed(
                    f"'{key}' may be shortened but not lengthened beyond {days[key]} days.",
                    field=key,
                )
            days[key] = value
        return RetentionPolicy(
            days["not_hired"], days["hired_after_end"], days["abandoned_without_consent"]
        )

    def due_after_decision(
        self, outcome: str, decided_at: datetime, employment_end: date | None
    ) -> datetime | None:
        """Return when a decided case must be destroyed (None: hired, end not known yet)."""
        if outcome == "reject":
            return decided_at + timedelta(days=self.not_hired)
        if employment_end is None:
            return None
        end = datetime.combine(employment_end, time(0, 0), tzinfo=decided_at.tzinfo)
        return end + timedelta(days=self.hired_after_end)

    def abandoned_due(self, invited_at: datetime) -> datetime:
        """Return when a case nobody consented to is abandoned and destroyed."""
        return invited_at + timedelta(days=self.abandoned_without_consent)


def hold_in_force(ends_at: datetime | None, released_at: datetime | None, now: datetime) -> bool:
    """Tell whether a legal hold still suspends destruction."""
    if released_at is not None:
        return False
    return ends_at is None or ends_at > now
