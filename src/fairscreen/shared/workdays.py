"""Working days of a jurisdiction's official calendar, kept as versioned data.

A calendar document (schema ``fairscreen.workdays/1``, JSON) holds, for each year whose
official arrangement is known, the rest days of its public holidays and the make-up
working days (调休) that fall on weekends::

    {"schema": "fairscreen.workdays/1", "code": "cn", "timezone": "Asia/Shanghai",
     "weekend": [6, 7],                        # ISO weekdays, 6 = Saturday
     "name": {"zh-Hans": ..., "zh-Hant": ..., "en": ...}, "source": "...",
     "holiday_names": {"spring_festival": {"zh-Hans": "春节", "en": "Spring Festival"}},
     "years": {"2025": {"holidays": {"2025-01-28": "spring_festival", ...},
                        "workdays": {"2025-01-26": "spring_festival", ...},
                        "source": "..."}}}      # "source" optional

A year's arrangement governs the days from 24 December of the previous year to 23 December
of its own year, because a notice reaches into the last week of the year before (the 2019
notice made Monday 2018-12-31 a holiday). A day whose arrangement is missing counts Monday
to Friday, and every result that counted such a day is provisional and names the missing
years: never a crash, and never a silent skip of a year that has data.

Rule for deadlines: "n working days after start" ends on the n-th working day after the
local date of ``start`` (the start day itself never counts, working day or not), at the same
local clock time. ``working_days_between(a, b)`` counts the working days in (a, b], so
``working_days_between(s, add_working_days(s, n).at) == n``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fairscreen.shared.errors import ValidationFailed
from fairscreen.shared.languages import RULE_DATA_LANGUAGES

SCHEMA = "fairscreen.workdays/1"
_TOP_KEYS = {"schema", "code", "name", "timezone", "weekend", "source", "holiday_names", "years"}
_YEAR_KEYS = {"holidays", "workdays", "source"}
_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
# From this day of December on, a day belongs to the next year's arrangement.
_LEAD_IN = (12, 24)


class CalendarDataError(ValidationFailed):
    """A calendar document or a year's arrangement does not follow the schema."""

    default_message = "The working-day calendar data is not valid."


class UnknownCalendar(CalendarDataError):
    """No calendar ships under this code."""

    default_message = "There is no working-day calendar with this code."


def arrangement_year(d: date) -> int:
    """Return the year whose official arrangement decides whether ``d`` is a working day."""
    return d.year + 1 if (d.month, d.day) >= _LEAD_IN else d.year


@dataclass(frozen=True, slots=True)
class Deadline:
    """The end of a period counted in working days.

    ``at`` is a timezone-aware datetime in the calendar's timezone when the start was a
    datetime, else a date; ``day`` is always the local date.
    """

    at: date
    day: date
    provisional: bool
    missing_years: tuple[int, ...]
    calendar_version: str


@dataclass(frozen=True, slots=True)
class _Year:
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    source: str | None


@dataclass(frozen=True)
class Calendar:
    """An official working-day calendar: weekends, holidays and make-up working days."""

    code: str
    name: Mapping[str, str]
    timezone: ZoneInfo
    weekend: frozenset[int]  # date.isoweekday() values
    source: str
    holiday_names: Mapping[str, Mapping[str, str]]
    _years: Mapping[int, _Year]
    version: str = field(init=False)
    sha256: str = field(init=False)
    _rest: dict[date, str] = field(init=False, repr=False)
    _work: dict[date, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(_canonical(self.to_data())).hexdigest()
        object.__setattr__(self, "sha256", digest)
        object.__setattr__(self, "version", f"{self.code}-{digest[:12]}")
        rest = {d: c for y in self._years.values() for d, c in y.holidays.items()}
        work = {d: c for y in self._years.values() for d, c in y.workdays.items()}
        object.__setattr__(self, "_rest", rest)
        object.__setattr__(self, "_work", work)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Calendar:
        """Build a calendar from a document, refusing anything outside the schema."""
        _require(isinstance(data, Mapping), "the calendar document must be an object")
        unknown = set(data) - _TOP_KEYS
        _require(not unknown, f"unknown keys: {sorted(unknown)}")
        _require(data.get("schema") == SCHEMA, f"schema must be {SCHEMA!r}")
        code = data.get("code")
        if not (isinstance(code, str) and _CODE_RE.match(code)):
            raise CalendarDataError("code is not valid")
        tz_name = data.get("timezone")
        if not isinstance(tz_name, str):
            raise CalendarDataError("timezone must be a string")
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarDataError(f"unknown timezone {tz_name!r}") from exc
        weekend = data.get("weekend")
        if not (
            isinstance(weekend, list)
            and all(isinstance(w, int) and 1 <= w <= 7 for w in weekend)
            and len(set(weekend)) == len(weekend) < 7
        ):
            raise CalendarDataError(
                "weekend must list distinct ISO weekdays (1-7), leaving at least one working day"
            )
        source = data.get("source", "")
        _require(isinstance(source, str), "source must be a string")
        names = _names(data.get("name"), "name")
        holiday_names = _holiday_names(data.get("holiday_names"))
        raw_years = data.get("years")
        if not isinstance(raw_years, Mapping):
            raise CalendarDataError("years must be an object")
        weekend_set = frozenset(weekend)
        years = {
            year: _parse_year(year, body, holiday_names, weekend_set)
            for year, body in ((_year_key(k), v) for k, v in raw_years.items())
        }
        # Read-only views: load_calendar caches one instance that every caller shares.
        frozen_names = MappingProxyType({k: MappingProxyType(v) for k, v in holiday_names.items()})
        return cls(code, MappingProxyType(names), tz, weekend_set, source, frozen_names, years)

    def merged_with(
        self,
        years: Mapping[str, Any],
        holiday_names: Mapping[str, Any] | None = None,
    ) -> Calendar:
        """Return a calendar with these years' arrangements replacing or adding whole years."""
        data = self.to_data()
        data["holiday_names"] = {**data["holiday_names"], **(holiday_names or {})}
        data["years"] = {**data["years"], **{str(k): v for k, v in years.items()}}
        return Calendar.from_data(data)

    def to_data(self) -> dict[str, Any]:
        """Return the calendar as a normalised document (dates sorted) that from_data accepts."""
        years: dict[str, Any] = {}
        for year in sorted(self._years):
            y = self._years[year]
            body: dict[str, Any] = {
                "holidays": {d.isoformat(): c for d, c in sorted(y.holidays.items())},
                "workdays": {d.isoformat(): c for d, c in sorted(y.workdays.items())},
            }
            if y.source is not None:
                body["source"] = y.source
            years[str(year)] = body
        return {
            "schema": SCHEMA,
            "code": self.code,
            "name": dict(self.name),
            "timezone": self.timezone.key,
            "weekend": sorted(self.weekend),
            "source": self.source,
            "holiday_names": {k: dict(v) for k, v in sorted(self.holiday_names.items())},
            "years": years,
        }

    @property
    def years(self) -> tuple[int, ...]:
        """Return the years whose official arrangement the calendar holds."""
        return tuple(sorted(self._years))

    def missing_years(self, start: date, end: date) -> tuple[int, ...]:
        """Return the years without data whose arrangement decides a day in [start, end]."""
        first, last = sorted((self.local_date(start), self.local_date(end)))
        return self._missing(_arrangement_years(first, last))

    def is_working_day(self, d: date) -> bool:
        """Tell whether the local date of ``d`` is a working day."""
        day = self.local_date(d)
        if day in self._work:
            return True
        if day in self._rest:
            return False
        return day.isoweekday() not in self.weekend

    def holiday_code(self, d: date) -> str | None:
        """Return the holiday a day rests for or is worked for, if the data names one."""
        day = self.local_date(d)
        return self._work.get(day) or self._rest.get(day)

    def add_working_days(self, start: date, n: int) -> Deadline:
        """Return the deadline n working days after start (the start day does not count)."""
        if n < 0:
            raise ValueError("n must not be negative")
        first = self.local_date(start)
        day = first
        for _ in range(n):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        missing = self._missing(_arrangement_years(first + timedelta(days=1), day)) if n else ()
        at: date = day
        if isinstance(start, datetime):
            local = start.astimezone(self.timezone)
            at = datetime.combine(day, local.time(), self.timezone)
        return Deadline(at, day, bool(missing), missing, self.version)

    def working_days_between(self, a: date, b: date) -> int:
        """Count the working days after a up to and including b (negative when b is before a)."""
        first, last = self.local_date(a), self.local_date(b)
        if last < first:
            return -self.working_days_between(b, a)
        return sum(1 for d in _days(first + timedelta(days=1), last) if self.is_working_day(d))

    def local_date(self, value: date) -> date:
        """Return the date in the calendar's timezone; a datetime must be timezone-aware."""
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError("a datetime must be timezone-aware")
            return value.astimezone(self.timezone).date()
        return value

    def _missing(self, years: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(y for y in set(years) if y not in self._years))


@cache
def load_calendar(code: str = "cn") -> Calendar:
    """Load the calendar shipped in the package under this code."""
    if not _CODE_RE.match(code):
        raise UnknownCalendar(f"no calendar {code!r}")
    resource = resources.files("fairscreen.shared").joinpath("calendars", f"{code}.json")
    if not resource.is_file():
        raise UnknownCalendar(f"no calendar {code!r}")
    return Calendar.from_data(json.loads(resource.read_text(encoding="utf-8")))


def _arrangement_years(first: date, last: date) -> set[int]:
    if last < first:
        return set()
    return set(range(arrangement_year(first), arrangement_year(last) + 1))


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _canonical(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise CalendarDataError(message)


def _names(value: Any, where: str) -> dict[str, str]:
    _require(isinstance(value, Mapping) and bool(value), f"{where} must name it in a language")
    for lang, text in value.items():
        _require(lang in RULE_DATA_LANGUAGES, f"{where}: unknown language {lang!r}")
        _require(isinstance(text, str) and bool(text.strip()), f"{where}: empty {lang} name")
    return dict(value)


def _holiday_names(value: Any) -> dict[str, dict[str, str]]:
    _require(isinstance(value, Mapping), "holiday_names must be an object")
    out: dict[str, dict[str, str]] = {}
    for code, names in value.items():
        _require(isinstance(code, str) and bool(_CODE_RE.match(code)), f"bad holiday {code!r}")
        out[code] = _names(names, f"holiday_names.{code}")
    return out


def _parse_date(raw: Any, where: str) -> date:
    # fromisoformat alone would also take "20250101" and week dates.
    if isinstance(raw, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise CalendarDataError(f"{where}: bad date {raw!r}")


def _year_key(key: Any) -> int:
    _require(isinstance(key, str | int), f"year {key!r} is not a year")
    text = str(key)
    _require(len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2999, f"bad year {key!r}")
    return int(text)


def _parse_year(
    year: int, body: Any, holiday_names: Mapping[str, Any], weekend: frozenset[int]
) -> _Year:
    where = f"years.{year}"
    _require(isinstance(body, Mapping), f"{where} must be an object")
    unknown = set(body) - _YEAR_KEYS
    _require(not unknown, f"{where}: unknown keys {sorted(unknown)}")
    source = body.get("source")
    _require(source is None or isinstance(source, str), f"{where}.source must be a string")
    parsed: dict[str, dict[date, str]] = {}
    for kind in ("holidays", "workdays"):
        entries = body.get(kind)
        _require(isinstance(entries, Mapping), f"{where}.{kind} must be an object")
        parsed[kind] = {}
        for raw, code in entries.items():
            day = _parse_date(raw, f"{where}.{kind}")
            _require(arrangement_year(day) == year, f"{where}: {raw} belongs to another year")
            _require(code in holiday_names, f"{where}.{kind}.{raw}: unknown holiday {code!r}")
            if kind == "workdays":
                # A make-up working day only means something on a weekend.
                _require(day.isoweekday() in weekend, f"{where}: {raw} is not a weekend day")
            parsed[kind][day] = code
    both = set(parsed["holidays"]) & set(parsed["workdays"])
    _require(not both, f"{where}: {sorted(d.isoformat() for d in both)} both rest and work")
    return _Year(parsed["holidays"], parsed["workdays"], source)
